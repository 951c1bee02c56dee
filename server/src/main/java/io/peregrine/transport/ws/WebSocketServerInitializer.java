package io.peregrine.transport.ws;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.http.McpHttpAggregator;
import io.peregrine.transport.http.RequestReadTimeout;
import io.peregrine.transport.http.StreamableHttpEndpoint;

import java.util.concurrent.TimeUnit;

/** The pipeline of the HTTP listener, which upgrades to WebSocket at the MCP path. */
final class WebSocketServerInitializer extends ChannelInitializer<SocketChannel> {

    /** The keep-alive timer of plain HTTP; a WebSocket replaces it with its own ping and idle timers. */
    static final String HTTP_IDLE = "http-idle";

    private final MessageListener listener;
    private final WebSocketSettings settings;
    private final StreamableHttpEndpoint http;
    private final ListenerSecurity security;

    WebSocketServerInitializer(MessageListener listener, WebSocketSettings settings, StreamableHttpEndpoint http,
                               ListenerSecurity security) {
        this.listener = listener;
        this.settings = settings;
        this.http = http;
        this.security = security;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        security.configure(p);
        if (http != null && http.settings().keepAliveTimeoutMillis() > 0) {
            p.addLast(HTTP_IDLE, new IdleStateHandler(0, 0, http.settings().keepAliveTimeoutMillis(), TimeUnit.MILLISECONDS));
        }
        if (http != null && http.settings().h2c()) {
            // HTTP/2 with prior knowledge beside HTTP/1.1 on the same port: each HTTP/2 stream becomes a
            // channel of its own that carries one exchange through the same MCP handlers.
            HttpServerCodec codec = new HttpServerCodec();
            // An HTTP/1.1 "Upgrade: h2c" is declined: the request is served over HTTP/1.1 as it came.
            HttpServerUpgradeHandler declineUpgrades = new HttpServerUpgradeHandler(codec, protocol -> null,
                    http.settings().maxBodyBytes());
            p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, declineUpgrades,
                    new ChannelInboundHandlerAdapter() {
                        // Put in the HTTP/1.1 codec's place once the HTTP/2 preface is seen, ahead of the
                        // HTTP/1.1 handlers, which see nothing from then on.
                        @Override
                        public void handlerAdded(ChannelHandlerContext ctx) {
                            ctx.pipeline().addAfter(ctx.name(), "h2-frames", Http2FrameCodecBuilder.forServer().build());
                            ctx.pipeline().addAfter("h2-frames", "h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                @Override
                                protected void initChannel(Channel stream) {
                                    initHttp2Stream(stream.pipeline());
                                }
                            }));
                            // Connection-level frames (settings, pings) end here, not in the HTTP/1.1 handlers.
                            ctx.pipeline().addAfter("h2-streams", null, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext c, Object frame) {
                                    io.netty.util.ReferenceCountUtil.release(frame);
                                }
                            });
                            ctx.pipeline().remove(this);
                        }
                    }));
        } else {
            p.addLast(new HttpServerCodec());
        }
        if (http != null) {
            p.addLast(new RequestReadTimeout(http.settings().requestReadTimeoutMillis()));
        }
        p.addLast(http != null ? new McpHttpAggregator(http.settings().maxBodyBytes()) : new HttpObjectAggregator(64 * 1024));
        p.addLast(new HealthHandler(settings.health));
        p.addLast(new OriginCheck(settings.allowedOrigins));
        p.addLast(new PathAlias(settings.path + "/ws", settings.path));
        if (security.policy() != null) {
            p.addLast(new AuthenticationHandler(security.policy(), settings.path, security.tls() != null));
        }
        if (http != null) {
            p.addLast(http.newHandler());
        }
        if (settings.compression) {
            p.addLast(new WebSocketServerCompressionHandler(0));
        }
        p.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(settings.path)
                .subprotocols("mcp")
                .allowExtensions(settings.compression)
                .maxFramePayloadLength(settings.maxFrameBytes)
                .handshakeTimeoutMillis(10_000)
                .build()));
        p.addLast(new WebSocketFrameAggregator(settings.maxMessageBytes));
        p.addLast(new WebSocketFrameHandler(listener, settings));
    }

    /** One HTTP/2 stream: the HTTP handlers of the MCP endpoint, without WebSocket (an HTTP/1.1 upgrade). */
    private void initHttp2Stream(ChannelPipeline p) {
        p.addLast(new Http2StreamFrameToHttpObjectCodec(true));
        p.addLast(new RequestReadTimeout(http.settings().requestReadTimeoutMillis()));
        p.addLast(new McpHttpAggregator(http.settings().maxBodyBytes()));
        p.addLast(new HealthHandler(settings.health));
        p.addLast(new OriginCheck(settings.allowedOrigins));
        if (security.policy() != null) {
            p.addLast(new AuthenticationHandler(security.policy(), settings.path, security.tls() != null));
        }
        p.addLast(http.newHandler());
    }

    /** Serves {@code alias} as {@code path}, so that both URLs upgrade. */
    private static final class PathAlias extends ChannelInboundHandlerAdapter {
        private final String alias;
        private final String path;

        PathAlias(String alias, String path) {
            this.alias = alias;
            this.path = path;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                FullHttpRequest request = (FullHttpRequest) msg;
                String uri = request.uri();
                if (uri.equals(alias) || uri.startsWith(alias + "?")) {
                    request.setUri(path + uri.substring(alias.length()));
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
