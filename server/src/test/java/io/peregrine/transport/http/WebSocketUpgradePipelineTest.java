package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.peregrine.testing.RawHttp;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Peer;
import io.peregrine.transport.ws.WebSocketFrameHandler;
import io.peregrine.transport.ws.WebSocketSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an HTTP listener's connection keeps once it became a WebSocket: the plain HTTP handlers
 * (read timeout, aggregator, refusals, health, Origin check, the MCP endpoint) leave the pipeline,
 * messages still flow both ways, and a plain HTTP connection keeps them.
 */
class WebSocketUpgradePipelineTest {

    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private EventLoops loops;
    private StreamableHttpEndpoint endpoint;
    private Channel serverChannel;

    /** Answers every message with itself. */
    private static final MessageListener ECHO = new MessageListener() {
        @Override
        public void onOpen(Peer peer) {
        }

        @Override
        public void onMessage(Peer peer, ByteBuf message) {
            peer.send(message);
        }

        @Override
        public void onMessageTooLong(Peer peer, long limit) {
        }

        @Override
        public void onClose(Peer peer) {
        }
    };

    @BeforeEach
    void bind() throws InterruptedException {
        loops = new EventLoops(1, "upgrade-test");
        WebSocketSettings ws = new WebSocketSettings("/mcp", 64 * 1024, 64 * 1024, 0, 0, false, () -> true, List.of());
        endpoint = new StreamableHttpEndpoint(ECHO, new StreamableHttpSettings("/mcp", 64 * 1024, 30_000, 0, 0, 10,
                60_000, 0, true), new HttpProtocolVersions(List.of("2025-11-25"), List.of()));
        HttpListenerInitializer listener = new HttpListenerInitializer(ECHO, ws, endpoint, ListenerSecurity.NONE, List.of());
        serverChannel = loops.serverBootstrap().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(listener);
                accepted.add(ch);
            }
        }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void close() {
        serverChannel.close().syncUninterruptibly();
        endpoint.close();
        loops.close();
    }

    @Test
    void anUpgradedConnectionDropsThePlainHttpHandlers() throws Exception {
        InetSocketAddress address = (InetSocketAddress) serverChannel.localAddress();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mcp")
                .buildAsync(URI.create("ws://127.0.0.1:" + address.getPort() + "/mcp"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        received.add(data.toString());
                        ws.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(10, TimeUnit.SECONDS);
        Channel ch = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(ch).isNotNull();

        socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");

        List<ChannelHandler> handlers = handlers(ch);
        System.out.println("pipeline of an idle WebSocket: " + ch.eventLoop().submit(() -> ch.pipeline().names()).get());
        assertThat(handlers).noneMatch(h -> h instanceof HttpServerCodec || h instanceof HttpObjectAggregator
                || h instanceof McpHttpHandler || h instanceof RequestReadTimeout || h instanceof HttpResponseOrder
                || h instanceof OriginCheck || h instanceof HealthHandler || h instanceof MalformedRequestRefusal
                || h instanceof PathAlias || h instanceof HttpListenerInitializer.PlainHttpRemoval);
        assertThat(handlers).anyMatch(h -> h instanceof WebSocketFrameHandler);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPlainHttpConnectionKeepsThem() throws Exception {
        InetSocketAddress address = (InetSocketAddress) serverChannel.localAddress();
        try (RawHttp http = new RawHttp(address)) {
            assertThat(http.request("GET", "/health").read().status).isEqualTo(200);
            Channel ch = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(ch).isNotNull();
            assertThat(handlers(ch)).anyMatch(h -> h instanceof McpHttpHandler)
                    .anyMatch(h -> h instanceof HealthHandler)
                    .anyMatch(h -> h instanceof HttpListenerInitializer.PlainHttpRemoval);
        }
    }

    private static List<ChannelHandler> handlers(Channel ch) throws Exception {
        return ch.eventLoop().submit(() -> {
            List<ChannelHandler> list = new ArrayList<>();
            for (Map.Entry<String, ChannelHandler> e : ch.pipeline()) {
                list.add(e.getValue());
            }
            return list;
        }).get(10, TimeUnit.SECONDS);
    }
}
