package io.peregrine.transport.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.Gates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streamable HTTP over HTTP/2 with prior knowledge (h2c), with Netty's own HTTP/2 client: one
 * connection, concurrent streams, each an exchange of its own, so a call that is still running
 * does not hold up a fast one behind it as HTTP/1.1 pipelining must. The running call ends when
 * the test opens its gate: the assertions are on the order of the answers, not on time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2CleartextTest {

    private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";

    private final Gates gates = new Gates();
    private Peregrine server;
    private EventLoopGroup group;
    private Channel connection;

    @BeforeAll
    void start() throws Exception {
        server = Peregrine.builder().tool(EchoTool.create()).tool(gates.tool("gate")).noTcp().http("127.0.0.1", 0).build();
        server.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        }).connect(server.addresses().http()).sync().channel();
    }

    @AfterAll
    void stop() {
        gates.openAll();
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        server.close();
    }

    private CompletableFuture<FullHttpResponse> post(String tool, String arguments, List<String> order) throws Exception {
        CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                order.add(tool);
                                answer.complete(r.retainedDuplicate());
                            }
                        });
            }
        }).open().sync().getNow();
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "," + META + "}}";
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/mcp",
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set("content-type", "application/json").set("accept", "application/json, text/event-stream")
                .set("mcp-protocol-version", "2026-07-28").set("mcp-method", "tools/call").set("mcp-name", tool)
                .set("host", "127.0.0.1").setInt("content-length", request.content().readableBytes());
        stream.writeAndFlush(request);
        return answer;
    }

    @Test
    void concurrentStreamsOnOneConnectionAreAnsweredAsTheyFinish() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<FullHttpResponse> gated = post("gate", "{\"gate\":\"h2c\"}", order);
        gates.awaitEntered("h2c");
        CompletableFuture<FullHttpResponse> echo = post("echo", "{\"message\":\"over h2c\"}", order);
        FullHttpResponse fast = echo.get(10, TimeUnit.SECONDS);
        assertThat(gated).as("the call on the first stream is still running").isNotDone();
        gates.open("h2c");
        FullHttpResponse late = gated.get(10, TimeUnit.SECONDS);
        try {
            assertThat(order).containsExactly("echo", "gate");
            assertThat(fast.status().code()).isEqualTo(200);
            assertThat(at(JsonTree.parse(fast.content().toString(StandardCharsets.UTF_8)), "result.content.0.text"))
                    .isEqualTo("over h2c");
            assertThat(at(JsonTree.parse(late.content().toString(StandardCharsets.UTF_8)), "result.content.0.text"))
                    .isEqualTo("opened h2c");
        } finally {
            fast.release();
            late.release();
        }
    }
}
