package io.peregrine.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.peregrine.testing.LauncherProcess;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.OtlpReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tracing as the launcher sets it up, in the real process: requests over stdio, raw TCP, WebSocket
 * and Streamable HTTP carry trace context in {@code _meta} (and, on HTTP, a {@code traceparent}
 * header), and the spans arrive at a real OTLP/HTTP receiver when the process exits.
 */
class LauncherTracingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TCP_PORT = Pattern.compile("TCP.*127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern HTTP_PORT = Pattern.compile("Streamable HTTP on http://127\\.0\\.0\\.1:(\\d+)");

    private static final String STDIO_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TCP_TRACE = "5bf92f3577b34da6a3ce929d0e0e4737";
    private static final String HTTP_TRACE = "6bf92f3577b34da6a3ce929d0e0e4738";
    private static final String WS_TRACE = "7bf92f3577b34da6a3ce929d0e0e4739";
    private static final String HEADER_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_SPAN = "00f067aa0ba902b7";
    private static final String HEADER_SPAN = "b7ad6b7169203331";

    private static String traceparent(String trace, String span) {
        return "00-" + trace + "-" + span + "-01";
    }

    private static String statelessCall(int id, String message, String traceparent) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"" + message + "\"},\"_meta\":{"
                + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{},"
                + "\"traceparent\":\"" + traceparent + "\"}}}";
    }

    private static int port(LauncherProcess server, Pattern p) {
        Matcher m = p.matcher(server.awaitLog(l -> p.matcher(l).find()));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void requestsOnEveryTransportAreSpansUnderTheirMetaParentWithTheHttpHeaderAsALink(@TempDir Path dir)
            throws Exception {
        List<JsonNode> logs = new ArrayList<>();
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            try (LauncherProcess server = LauncherProcess.start("tracing.enabled=true",
                    "tracing.endpoint=" + receiver.endpoint(), "tracing.service-name=launcher-test",
                    "log.format=json", "audit.tool-calls=true", "tcp.enabled=true", "tcp.port=0",
                    "http.enabled=true", "http.port=0", "demo.fs.root=" + dir)) {
                int tcpPort = port(server, TCP_PORT);
                int httpPort = port(server, HTTP_PORT);

                server.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                        + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
                assertThat(server.receive()).contains("\"id\":1");
                server.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
                server.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"message\":\"over stdio\"},\"_meta\":{\"traceparent\":\""
                        + traceparent(STDIO_TRACE, PARENT_SPAN) + "\",\"baggage\":\"userId=alice\"}}}");
                assertThat(server.receive()).contains("over stdio");

                try (LineSocket tcp = new LineSocket(new InetSocketAddress("127.0.0.1", tcpPort))) {
                    tcp.send(statelessCall(3, "over tcp", traceparent(TCP_TRACE, PARENT_SPAN)));
                    assertThat(tcp.readLine()).contains("over tcp");
                    tcp.send(statelessCall(4, "bad parent", "00-not-a-trace-01"));
                    assertThat(tcp.readLine()).contains("bad parent");
                    tcp.send(statelessCall(6, "x", traceparent(TCP_TRACE, PARENT_SPAN)).replace("\"echo\"", "\"no-such-tool\""));
                    assertThat(tcp.readLine()).contains("\"error\"");
                    tcp.send(statelessCall(7, "x", traceparent(TCP_TRACE, PARENT_SPAN)).replace("\"echo\"", "\"fs.stat\"")
                            .replace("\"message\":\"x\"", "\"path\":\"missing.txt\""));
                    assertThat(tcp.readLine()).contains("\"isError\":true");
                }

                CompletableFuture<String> answer = new CompletableFuture<>();
                WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + httpPort + "/mcp"), new WebSocket.Listener() {
                            private final StringBuilder text = new StringBuilder();

                            @Override
                            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                                text.append(data);
                                if (last) {
                                    answer.complete(text.toString());
                                }
                                socket.request(1);
                                return null;
                            }
                        }).get(30, TimeUnit.SECONDS);
                ws.sendText(statelessCall(8, "over websocket", traceparent(WS_TRACE, PARENT_SPAN)), true);
                assertThat(answer.get(30, TimeUnit.SECONDS)).contains("over websocket");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(30, TimeUnit.SECONDS);

                HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + httpPort + "/mcp"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json, text/event-stream")
                        .header("MCP-Protocol-Version", "2026-07-28")
                        .header("Mcp-Method", "tools/call")
                        .header("Mcp-Name", "echo")
                        .header("traceparent", traceparent(HEADER_TRACE, HEADER_SPAN))
                        .POST(HttpRequest.BodyPublishers.ofString(statelessCall(5, "over http", traceparent(HTTP_TRACE, PARENT_SPAN))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(http.statusCode()).isEqualTo(200);
                assertThat(http.body()).contains("over http");

                assertThat(server.stop()).isZero();
                for (String line : server.logLines()) {
                    logs.add(JSON.readTree(line));
                }
            }

            // The process flushed its spans before it exited.
            List<OtlpReceiver.Received> calls = receiver.named("tools/call echo");
            assertThat(calls).hasSize(5);
            OtlpReceiver.Received stdio = only(calls, STDIO_TRACE);
            assertThat(stdio.parentSpanIdHex()).isEqualTo(PARENT_SPAN);
            assertThat(stdio.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(stdio.attributes()).containsEntry("mcp.method.name", "tools/call")
                    .containsEntry("gen_ai.tool.name", "echo").containsEntry("gen_ai.operation.name", "execute_tool")
                    .containsEntry("jsonrpc.request.id", "2").containsEntry("mcp.protocol.version", "2025-11-25")
                    .containsEntry("network.transport", "pipe").doesNotContainKey("network.protocol.name")
                    .doesNotContainKey("error.type");
            assertThat(stdio.resourceAttributes()).containsEntry("service.name", "launcher-test");

            OtlpReceiver.Received tcp = only(calls, TCP_TRACE);
            assertThat(tcp.parentSpanIdHex()).isEqualTo(PARENT_SPAN);
            assertThat(tcp.attributes()).containsEntry("network.transport", "tcp")
                    .containsEntry("mcp.protocol.version", "2026-07-28").doesNotContainKey("network.protocol.name");

            OtlpReceiver.Received http = only(calls, HTTP_TRACE);
            assertThat(http.parentSpanIdHex()).isEqualTo(PARENT_SPAN);
            assertThat(http.attributes()).containsEntry("network.transport", "tcp")
                    .containsEntry("network.protocol.name", "http");
            assertThat(http.span().getLinksList()).hasSize(1);
            assertThat(HexFormat.of().formatHex(http.span().getLinks(0).getTraceId().toByteArray())).isEqualTo(HEADER_TRACE);
            assertThat(HexFormat.of().formatHex(http.span().getLinks(0).getSpanId().toByteArray())).isEqualTo(HEADER_SPAN);

            OtlpReceiver.Received root = calls.stream().filter(c -> c.attributes().get("jsonrpc.request.id").equals("4"))
                    .findFirst().orElseThrow();
            assertThat(root.span().getParentSpanId().isEmpty()).isTrue();

            OtlpReceiver.Received ws = only(calls, WS_TRACE);
            assertThat(ws.parentSpanIdHex()).isEqualTo(PARENT_SPAN);
            assertThat(ws.attributes()).containsEntry("network.transport", "tcp")
                    .containsEntry("network.protocol.name", "websocket");

            // An unknown tool is an error with an unbounded name: the span is named by the method alone.
            OtlpReceiver.Received unknown = receiver.named("tools/call").get(0);
            assertThat(unknown.attributes()).containsEntry("gen_ai.tool.name", "no-such-tool")
                    .containsEntry("error.type", unknown.attributes().get("rpc.response.status_code"));
            assertThat(unknown.attributes().get("error.type")).startsWith("-32");
            assertThat(unknown.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
            // A blocking tool that answers isError: the span is under the parent from _meta, on the tool's thread.
            OtlpReceiver.Received stat = receiver.named("tools/call fs.stat").get(0);
            assertThat(stat.traceIdHex()).isEqualTo(TCP_TRACE);
            assertThat(stat.attributes()).containsEntry("error.type", "tool_error");
            assertThat(stat.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);

            assertThat(receiver.named("initialize")).hasSize(1);
        }
        // The audit line of the stdio call was written while its span was current.
        assertThat(logs).filteredOn(l -> "tool_call".equals(l.path("event").asText()))
                .extracting(l -> l.path("tool").asText() + " " + l.path("trace_id").asText())
                .contains("echo " + STDIO_TRACE, "echo " + TCP_TRACE, "echo " + HTTP_TRACE, "echo " + WS_TRACE,
                        "fs.stat " + TCP_TRACE);
    }

    private static OtlpReceiver.Received only(List<OtlpReceiver.Received> spans, String trace) {
        List<OtlpReceiver.Received> in = spans.stream().filter(s -> s.traceIdHex().equals(trace)).toList();
        assertThat(in).hasSize(1);
        return in.get(0);
    }

    @Test
    void withTracingOffNoOpenTelemetryClassIsLoaded(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        try (LauncherProcess server = LauncherProcess.start(List.of("-Xlog:class+load=info:file=" + classes),
                "demo.fs.root=" + dir)) {
            server.send(statelessCall(1, "hi", traceparent(STDIO_TRACE, PARENT_SPAN)));
            assertThat(server.receive()).contains("\"text\":\"hi\"");
            assertThat(server.stop()).isZero();
        }
        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).anyMatch(l -> l.contains("io.peregrine.launcher.Main "));
        assertThat(loaded).noneMatch(l -> l.contains("io.opentelemetry") || l.contains("io.peregrine.ops.tracing"));
    }
}
