package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.rpc.Json;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;

/**
 * The method table: the smallest requests of each kind through the TCP server path on an
 * {@link EmbeddedChannel}, where the work above framing is decoding the envelope, finding the
 * method and writing its answer — {@code ping}, a {@code tools/list} page, {@code server/discover},
 * and an unknown method answered with -32601 — in an initialized 2025-11-25 connection. Compare
 * with {@link ToolsCallBenchmark#rawEcho} (framing only) of the same run.
 *
 * <pre>{@code
 *   bench/run MethodTableBenchmark
 *   bench/run MethodTableBenchmark -p method=ping
 * }</pre>
 */
public class MethodTableBenchmark extends AbstractBenchmark {

    @Param({"ping", "tools/list", "server/discover", "no/such"})
    public String method;

    private ToolExecutor executor;
    private EmbeddedChannel channel;
    private byte[] request;

    @Setup
    public void setUp() {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        channel = ToolsCallBenchmark.tcpChannel(new TcpServerHandler(core));
        String init = exchange("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n");
        if (!init.contains("\"protocolVersion\":\"2025-11-25\"")) {
            throw new IllegalStateException("initialize failed: " + init);
        }
        exchange("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
        request = ("{\"jsonrpc\":\"2.0\",\"id\":" + REQUEST_ID + ",\"method\":\"" + method + "\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        String answer = exchange(new String(request, StandardCharsets.UTF_8));
        boolean expectError = method.equals("no/such");
        if (!answer.contains("\"id\":" + REQUEST_ID) || answer.contains("\"error\"") != expectError) {
            throw new IllegalStateException(method + " answered unexpectedly: " + answer);
        }
    }

    private String exchange(String line) {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, line.getBytes(StandardCharsets.UTF_8)));
        channel.checkException();
        StringBuilder out = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            out.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
            ((ByteBuf) o).release();
        }
        return out.toString();
    }

    @Benchmark
    public int dispatch() {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, request));
        int n = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            n += ((ByteBuf) out).readableBytes();
            ((ByteBuf) out).release();
        }
        return n;
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        executor.close();
    }
}
