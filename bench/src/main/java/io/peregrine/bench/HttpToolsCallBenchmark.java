package io.peregrine.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.peregrine.demo.EchoTool;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ProtocolVersion;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.rpc.Json;
import io.peregrine.transport.http.HttpProtocolVersions;
import io.peregrine.transport.http.HttpResponseOrder;
import io.peregrine.transport.http.McpHttpAggregator;
import io.peregrine.transport.http.StreamableHttpEndpoint;
import io.peregrine.transport.http.StreamableHttpSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * One {@code tools/call} of {@code echo} over Streamable HTTP on an {@link EmbeddedChannel}: the
 * request's bytes through {@code HttpServerCodec}, the response order of the connection, the body
 * aggregator and Peregrine's MCP endpoint handler (header checks, session lookup, the MCP server),
 * and the response encoded back to bytes.
 * Beside it, in the same run, a reference on the same codec and aggregator that answers each
 * request with a pre-built response of the same size: the HTTP framing alone. Validation of the
 * arguments is off, as in {@link ToolsCallBenchmark}.
 *
 * <p>In the 2025-11-25 era setup runs {@code initialize} and every call carries the session's
 * {@code Mcp-Session-Id}; in 2026-07-28 each call carries {@code _meta} and the request metadata
 * headers, with no session.
 *
 * <p>{@code tasksKept} first runs that many 2025-11-25 tasks in another session, left open, so
 * that the server keeps them (up to {@code tasks.max}, 10,000 by default, for {@code tasks.ttl}):
 * what a busy server holds, which a call that has nothing to do with tasks should not pay for.
 *
 * <pre>{@code
 *   bench/run HttpToolsCallBenchmark
 *   bench/run HttpToolsCallBenchmark -p payload=100
 *   bench/run HttpToolsCallBenchmark.toolsCall -p payload=100 -p era=2026-07-28 -p tasksKept=0,10000
 * }</pre>
 */
public class HttpToolsCallBenchmark extends AbstractBenchmark {

    /** Size of the echoed message in bytes. */
    @Param({"100", "1024", "65536"})
    public int payload;

    /** The protocol era: a 2025-11-25 session, or stateless 2026-07-28 requests. */
    @Param({"2025-11-25", "2026-07-28"})
    public String era;

    /** Finished tasks the server keeps, of a session other than the calls'. */
    @Param({"0"})
    public int tasksKept;

    private EmbeddedChannel tasksSession;
    private ToolExecutor executor;
    private StreamableHttpEndpoint endpoint;
    private EmbeddedChannel channel;
    private EmbeddedChannel reference;
    private byte[] request;

    @Setup
    public void setUp() {
        executor = new ToolExecutor(4, false);
        McpServer core = new McpServer(Json.DEFAULT, new ServerInfo("bench", "1", null), executor,
                new McpServer.Settings(256, 100, 30_000, false));
        core.tools().add(EchoTool.create());
        core.tools().add(io.peregrine.tool.Tool.builder("mark").taskSupport(io.peregrine.tool.TaskSupport.OPTIONAL)
                .handler((args, ctx) -> io.peregrine.tool.ToolResult.text("marked")).build());
        StreamableHttpSettings settings = new StreamableHttpSettings("/mcp", 4 * 1024 * 1024, 30_000, 0, 0, 10_000,
                30 * 60_000, 0, true);
        endpoint = new StreamableHttpEndpoint(core, settings,
                new HttpProtocolVersions(ProtocolVersion.ids(), ProtocolVersion.statelessIds()));
        channel = new EmbeddedChannel(new HttpServerCodec(), new HttpResponseOrder(), new McpHttpAggregator(4 * 1024 * 1024),
                endpoint.newHandler());

        if (tasksKept > 0) {
            tasksSession = new EmbeddedChannel(new HttpServerCodec(), new HttpResponseOrder(),
                    new McpHttpAggregator(4 * 1024 * 1024), endpoint.newHandler());
            String headers = initialize(tasksSession);
            for (int i = 1; i <= tasksKept; i++) {
                String created = exchange(tasksSession, post("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"mark\",\"arguments\":{},\"task\":{}}}", headers));
                if (created.contains("\"code\":-31000")) {
                    LockSupport.parkNanos(1_000_000); // the executor's tasks are still running: again
                    i--;
                    continue;
                }
                if (!created.contains("\"taskId\"")) {
                    throw new IllegalStateException("task " + i + " was not created: " + created);
                }
            }
        }
        boolean stateless = era.equals("2026-07-28");
        String sessionHeaders = "";
        if (!stateless) {
            sessionHeaders = initialize(channel);
        } else if (!era.equals("2026-07-28")) {
            throw new IllegalArgumentException("era: " + era);
        } else {
            sessionHeaders = "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: echo\r\n";
        }
        String message = message(payload);
        request = post(toolsCallJson(message, stateless), sessionHeaders);
        String answer = exchange(request);
        if (!answer.startsWith("HTTP/1.1 200") || !answer.contains("\"id\":" + REQUEST_ID)
                || !answer.contains("\"text\":\"" + message + "\"") || answer.contains("\"isError\":true")) {
            throw new IllegalStateException("tools/call did not answer with the echo: "
                    + answer.substring(0, Math.min(400, answer.length())));
        }
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        reference = new EmbeddedChannel(new HttpServerCodec(), new McpHttpAggregator(4 * 1024 * 1024),
                new FixedAnswer(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] post(String json, String headers) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Accept: application/json, text/event-stream\r\n" + headers
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Opens a 2025-11-25 session on {@code on}; the headers its requests carry. */
    private static String initialize(EmbeddedChannel on) {
        String init = exchange(on, post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}", ""));
        int at = init.toLowerCase().indexOf("mcp-session-id: ");
        if (at < 0) {
            throw new IllegalStateException("initialize failed: " + init);
        }
        String id = init.substring(at + 16, init.indexOf('\r', at));
        String headers = "Mcp-Session-Id: " + id + "\r\nMCP-Protocol-Version: 2025-11-25\r\n";
        exchange(on, post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", headers));
        return headers;
    }

    private String exchange(byte[] bytes) {
        return exchange(channel, bytes);
    }

    private static String exchange(EmbeddedChannel channel, byte[] bytes) {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, bytes));
        channel.checkException();
        StringBuilder out = new StringBuilder();
        for (Object o; (o = channel.readOutbound()) != null; ) {
            out.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
            ((ByteBuf) o).release();
        }
        return out.toString();
    }

    /** The framing-only reference: the same response bytes for every request, without reading it. */
    private static final class FixedAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ByteBuf body;

        FixedAnswer(byte[] body) {
            this.body = Unpooled.unreleasableBuffer(Unpooled.directBuffer(body.length).writeBytes(body));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body.duplicate());
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.write(r, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    private static int drain(EmbeddedChannel ch) {
        int n = 0;
        for (Object out; (out = ch.readOutbound()) != null; ) {
            n += ((ByteBuf) out).readableBytes();
            ((ByteBuf) out).release();
        }
        return n;
    }

    @Benchmark
    public int toolsCall() {
        ToolsCallBenchmark.deliver(channel, ToolsCallBenchmark.read(channel, request));
        return drain(channel);
    }

    @Benchmark
    public int reference() {
        ToolsCallBenchmark.deliver(reference, ToolsCallBenchmark.read(reference, request));
        return drain(reference);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        reference.finishAndReleaseAll();
        if (tasksSession != null) {
            tasksSession.finishAndReleaseAll();
        }
        endpoint.close();
        executor.close();
    }
}
