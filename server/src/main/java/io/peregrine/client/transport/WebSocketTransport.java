package io.peregrine.client.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * MCP over one WebSocket ({@code ws://} or {@code wss://}), subprotocol {@code mcp}: one JSON-RPC
 * message a text frame, fragmented messages aggregated up to the message limit.
 */
public final class WebSocketTransport implements ClientTransport {

    private final URI uri;
    private final SslContext sslContext;
    private final TransportSettings settings;

    /** @param sslContext the context for {@code wss://}; null for {@code ws://} */
    public WebSocketTransport(URI uri, SslContext sslContext, TransportSettings settings) {
        this.uri = uri;
        this.sslContext = sslContext;
        this.settings = settings;
    }

    @Override
    public CompletableFuture<Link> open(EventLoop loop, LinkListener listener) {
        InetSocketAddress address = Urls.address(uri);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        HttpHeaders headers = new DefaultHttpHeaders();
        for (Map.Entry<String, String> h : settings.headers().entrySet()) {
            headers.set(h.getKey(), h.getValue());
        }
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .subprotocol("mcp")
                .customHeaders(headers)
                .maxFramePayloadLength(settings.maxMessageBytes())
                .handshakeTimeoutMillis(settings.connectTimeoutMillis())
                // Closing is this side's to report, with the server's status and reason.
                .handleCloseFrames(false)
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(ChannelTypes.socketChannel(loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (sslContext != null) {
                            p.addLast(sslContext.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
                        }
                        // As on TCP: the frames of one event loop turn leave in one write.
                        p.addLast(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES,
                                true));
                        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(settings.maxMessageBytes()),
                                new InboundMessages(listener, ready));
                    }
                });
        CompletableFuture<Link> opened = new CompletableFuture<>();
        bootstrap.connect(address).addListener(f -> {
            if (!f.isSuccess()) {
                opened.completeExceptionally(TcpTransport.Failures.cannotConnect(target(), f.cause()));
                return;
            }
            Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
            ready.whenComplete((ok, failure) -> {
                if (failure != null) {
                    channel.close();
                    opened.completeExceptionally(TcpTransport.Failures.cannotConnect(target(), failure));
                } else {
                    opened.complete(new ChannelLink(channel, true, listener));
                }
            });
        });
        return opened;
    }

    @Override
    public boolean isLongLived() {
        return true;
    }

    @Override
    public String target() {
        return uri.toString();
    }

    @Override
    public String toString() {
        return target();
    }
}
