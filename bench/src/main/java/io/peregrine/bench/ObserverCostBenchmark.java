package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ObservedRequest;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.rpc.Json;
import io.peregrine.transport.tcp.TcpServerHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;

/**
 * What the {@link McpObserver} hook costs the core: the {@code tools/call} of {@link
 * ToolsCallBenchmark} (non-blocking {@code echo}, 100 B, no validation, TCP pipeline on an
 * {@code EmbeddedChannel}) with no observer, with one that watches only ends (as metrics do), and
 * with one that also watches starts and hands a state back (as tracing does). The observers do no
 * work of their own, so the difference is the core's: the observation of the request, the calls
 * and the strings handed over. The GC profiler's {@code gc.alloc.rate.norm} says whether observing
 * allocates per call.
 *
 * <pre>{@code
 *   bench/run ObserverCostBenchmark
 * }</pre>
 */
public class ObserverCostBenchmark extends AbstractBenchmark {

    /** none, ends (requestEnded only) or starts (requestStarted and requestEnded). */
    @Param({"none", "ends", "starts"})
    public String observer;

    /** The protocol era: an initialized 2025-11-25 connection, or stateless 2026-07-28 requests. */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    private ToolExecutor executor;
    private EmbeddedChannel channel;
    private byte[] request;
    /** What the observers saw, so that the JIT cannot drop their work. */
    long seen;

    @Setup
    public void setUp() {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        if (!observer.equals("none")) {
            core.observer(counting(observer.equals("starts")));
        }
        channel = ToolsCallBenchmark.tcpChannel(new TcpServerHandler(core));
        boolean stateless = era.equals("2026-07-28");
        if (!stateless) {
            exchange("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                    + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}\n");
            ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel,
                    utf8("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")));
        }
        request = utf8(toolsCallJson(message(100), stateless) + "\n");
        String answer = exchange(new String(request, StandardCharsets.UTF_8));
        if (!answer.contains("\"result\"") || (!observer.equals("none") && seen == 0)) {
            throw new IllegalStateException("tools/call was not answered and observed: " + answer);
        }
    }

    private McpObserver counting(boolean starts) {
        Object state = new Object();
        return new McpObserver() {
            @Override
            public boolean observesStart() {
                return starts;
            }

            @Override
            public Object requestStarted(ObservedRequest request) {
                seen += request.method().length();
                return state;
            }

            @Override
            public void requestEnded(ObservedRequest request, Object s, int errorCode, boolean toolError,
                                     boolean answered, long durationNanos) {
                seen += errorCode + (toolError ? 1 : 0) + (answered ? 1 : 0) + durationNanos
                        + request.method().length() + (request.targetRegistered() ? request.target().length() : 0)
                        + request.transport().ordinal() + (s == state ? 1 : 0);
            }
        };
    }

    private String exchange(String line) {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, utf8(line)));
        ByteBuf out = channel.readOutbound();
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
    public void tearDown() {
        channel.finishAndReleaseAll();
        executor.close();
    }
}
