package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.ops.metrics.PeregrineMetrics;
import io.peregrine.rpc.Json;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What metrics cost: one {@code tools/call} of the non-blocking {@code echo} tool through the whole
 * TCP path (as {@link ToolsCallBenchmark} drives it: an initialized 2025-11-25 connection, a
 * 100-byte message, no schema validation, the same request as {@link TracingBenchmark}), with and
 * without the metrics observer on the core, beside each other in one run.
 *
 * <ul>
 *   <li>{@code observer} {@code none}: no observer; the core pays one check per request.</li>
 *   <li>{@code observer} {@code metrics}: the Prometheus metrics ({@code PeregrineMetrics}): the
 *   in-flight gauge up and down, the duration histogram's data point found and observed.</li>
 * </ul>
 *
 * <p>Setup checks that the response is the echo; teardown checks that the metrics counted the
 * calls, so the benchmark cannot measure an observer that sees nothing.
 *
 * <pre>{@code
 *   bench/run ObservedToolsCallBenchmark
 *   bench/run 'ObservedToolsCallBenchmark|TracingBenchmark'     metrics and tracing in one run
 * }</pre>
 */
public class ObservedToolsCallBenchmark extends AbstractBenchmark {

    @Param({"none", "metrics"})
    public String observer;

    private ToolExecutor executor;
    private PeregrineMetrics metrics;
    private EmbeddedChannel channel;
    private byte[] request;

    @Setup
    public void setUp() {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        switch (observer) {
            case "none":
                break;
            case "metrics":
                metrics = PeregrineMetrics.builder().build();
                core.observer(metrics.observer());
                break;
            default:
                throw new IllegalArgumentException("observer: " + observer);
        }
        channel = ToolsCallBenchmark.tcpChannel(new TcpServerHandler(core));
        expect(exchange(utf8("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n")), "\"protocolVersion\":\"2025-11-25\"");
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel,
                utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")));
        request = utf8(toolsCallJson(message(100), false) + "\n");
        expect(exchange(request), "\"text\":\"" + message(100) + "\"");
    }

    private static void expect(String response, String expected) {
        if (!response.contains(expected) || response.contains("\"error\"")) {
            throw new IllegalStateException("unexpected answer: " + response);
        }
    }

    private String exchange(byte[] line) {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, line));
        channel.checkException();
        ByteBuf out = channel.readOutbound();
        if (out == null) {
            throw new IllegalStateException("no response");
        }
        try {
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            out.release();
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
    public void tearDown() throws IOException {
        try {
            if (metrics != null) {
                ByteArrayOutputStream scrape = new ByteArrayOutputStream();
                metrics.exposition().write(null, scrape);
                if (!scrape.toString(StandardCharsets.UTF_8).matches("(?s).*mcp_server_operation_duration_seconds_count\\{"
                        + "[^}]*gen_ai_tool_name=\"echo\"[^}]*} [1-9][0-9]*\n.*")) {
                    throw new IllegalStateException("the metrics did not count the calls");
                }
            }
        } finally {
            channel.finishAndReleaseAll();
            executor.close();
        }
    }
}
