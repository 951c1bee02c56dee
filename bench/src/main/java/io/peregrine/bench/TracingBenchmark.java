package io.peregrine.bench;

import com.sun.net.httpserver.HttpServer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.ops.tracing.PeregrineTracing;
import io.peregrine.ops.tracing.TracingSettings;
import io.peregrine.rpc.Json;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * What tracing costs a {@code tools/call}: the non-blocking {@code echo} through the whole TCP path
 * of {@link ToolsCallBenchmark} (an initialized 2025-11-25 connection, 100-byte message), with
 * tracing off (the server's no-op observer: what a server without tracing runs), and on with new
 * traces sampled at 1% and at 100%.
 *
 * <p>Spans are exported over OTLP/HTTP to a receiver in this process that reads each export and
 * answers 200, so the export thread does its real work beside the benchmark thread. At 100% the
 * benchmark ends spans faster than one collector connection takes them; the queue then drops what
 * it cannot hold, as a server under that load would, and the teardown prints how many.
 *
 * <pre>{@code
 *   bench/run TracingBenchmark
 * }</pre>
 */
public class TracingBenchmark extends AbstractBenchmark {

    /** {@code off}, or the sample ratio of new traces. */
    @Param({"off", "0.01", "1.0"})
    public String tracing;

    private ToolExecutor executor;
    private EmbeddedChannel channel;
    private byte[] request;
    private HttpServer receiver;
    private PeregrineTracing exporter;

    @Setup
    public void setUp() throws IOException {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        if (!tracing.equals("off")) {
            receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            receiver.createContext("/v1/traces", exchange -> {
                try (exchange; InputStream in = exchange.getRequestBody()) {
                    in.readAllBytes();
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            receiver.start();
            exporter = PeregrineTracing.start(TracingSettings.builder()
                    .endpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces")
                    .sampleRatio(Double.parseDouble(tracing)).build());
            core.observer(exporter.observer());
        }
        channel = ToolsCallBenchmark.tcpChannel(new TcpServerHandler(core));
        exchange("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}", "\"protocolVersion\":\"2025-11-25\"");
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel,
                utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")));
        String message = message(100);
        request = utf8(toolsCallJson(message, false) + "\n");
        exchange(toolsCallJson(message, false), "\"text\":\"" + message + "\"");
    }

    /** Sends {@code json} and checks that the one answer contains {@code expected}. */
    private void exchange(String json, String expected) {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, utf8(json + "\n")));
        channel.checkException();
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            throw new IllegalStateException("no answer to " + json);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        out.release();
        if (!text.contains(expected)) {
            throw new IllegalStateException("unexpected answer: " + text);
        }
    }

    @Benchmark
    public int toolsCall() {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, request));
        ByteBuf out = channel.readOutbound();
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        executor.close();
        if (exporter != null) {
            exporter.close();
            System.out.printf("%ntracing %s: %d spans dropped (queue full), %d failed exports%n", tracing,
                    exporter.droppedSpans(), exporter.failedSpans());
            receiver.stop(0);
        }
    }
}
