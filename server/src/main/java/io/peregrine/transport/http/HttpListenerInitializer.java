package io.peregrine.transport.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.ListenerSecurity;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.ws.WebSocketFrameHandler;
import io.peregrine.transport.ws.WebSocketSettings;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of an HTTP listener's connection: the codec, then {@link HttpResponseOrder} ahead
 * of everything that answers, then the answering handlers, and WebSocket at the MCP path. The
 * handlers that keep nothing per connection are made once per listener. A connection upgraded to
 * WebSocket drops the handlers that answer plain HTTP ({@link PlainHttpRemoval}): an idle session
 * should hold only what WebSocket needs.
 */
final class HttpListenerInitializer extends ChannelInitializer<SocketChannel> {

    private static final String READ_TIMEOUT = "http-read-timeout";
    private static final String AGGREGATOR = "http-aggregator";
    private static final String MALFORMED = "http-malformed";
    private static final String HEALTH = "http-health";
    private static final String ORIGIN = "http-origin";
    private static final String WS_ALIAS = "ws-alias";
    private static final String AUTHENTICATION = "http-authentication";
    private static final String MCP_HTTP = "mcp-http";

    private final MessageListener listener;
    private final WebSocketSettings webSocket;
    private final StreamableHttpEndpoint http;
    private final ListenerSecurity security;
    private final HealthHandler health;
    private final OriginCheck originCheck;
    private final PathAlias webSocketAlias;
    /** Null when the policy authenticates nothing at the transport. */
    private final AuthenticationHandler authentication;
    private final List<HttpRoute> routes;
    /** The pipeline names of the routes' handlers, in the routes' order. */
    private final List<String> routeNames;
    private final PlainHttpRemoval plainHttpRemoval;

    HttpListenerInitializer(MessageListener listener, WebSocketSettings webSocket, StreamableHttpEndpoint http,
                            ListenerSecurity security, List<HttpRoute> routes) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.webSocket = Objects.requireNonNull(webSocket, "webSocket");
        this.http = Objects.requireNonNull(http, "http");
        this.security = Objects.requireNonNull(security, "security");
        this.health = new HealthHandler(webSocket.health());
        this.originCheck = new OriginCheck(webSocket.allowedOrigins(), listener);
        this.webSocketAlias = new PathAlias(webSocket.path() + "/ws", webSocket.path());
        this.routes = List.copyOf(routes);
        Set<String> guarded = new HashSet<>();
        guarded.add(webSocket.path());
        for (HttpRoute r : this.routes) {
            if (r.path().equals(webSocket.path() + "/ws") || !guarded.add(r.path())) {
                throw new IllegalArgumentException("route path : " + r.path()
                        + " (expected: a path other than the MCP path " + webSocket.path() + " and the other routes')");
            }
        }
        this.authentication = security.policy() == null ? null
                : new AuthenticationHandler(security.policy(), guarded, security.tls() != null, listener);
        List<String> names = new ArrayList<>(List.of(READ_TIMEOUT, AGGREGATOR, MALFORMED, HEALTH, ORIGIN, WS_ALIAS));
        if (authentication != null) {
            names.add(AUTHENTICATION);
        }
        List<String> routeNames = new ArrayList<>();
        for (int i = 0; i < this.routes.size(); i++) {
            routeNames.add("route-" + i);
        }
        this.routeNames = List.copyOf(routeNames);
        names.addAll(routeNames);
        names.add(MCP_HTTP);
        this.plainHttpRemoval = new PlainHttpRemoval(names);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        security.configure(p);
        if (http.settings().keepAliveTimeoutMillis() > 0) {
            p.addLast(new IdleStateHandler(0, 0, http.settings().keepAliveTimeoutMillis(), TimeUnit.MILLISECONDS));
        }
        if (http.settings().h2c()) {
            configureH2cBeside(p);
        } else {
            p.addLast(new HttpServerCodec());
        }
        p.addLast(new HttpResponseOrder());
        addResponders(p);
        p.addLast(WS_ALIAS, webSocketAlias);
        addGuarded(p);
        WebSocketFrameHandler.addTo(p, listener, webSocket);
        p.addLast(plainHttpRemoval);
    }

    /**
     * The handlers that answer before a request reaches the MCP endpoint, from the read timeout to
     * the Origin check; a request the codec could not decode goes no further than the refusal.
     */
    private void addResponders(ChannelPipeline p) {
        p.addLast(READ_TIMEOUT, new RequestReadTimeout(http.settings().requestReadTimeoutMillis()));
        p.addLast(AGGREGATOR, new McpHttpAggregator(http.settings().maxBodyBytes(), listener));
        p.addLast(MALFORMED, MalformedRequestRefusal.INSTANCE);
        p.addLast(HEALTH, health);
        p.addLast(ORIGIN, originCheck);
    }

    /**
     * HTTP/2 with prior knowledge beside HTTP/1.1 on the same port: once the HTTP/2 preface is seen,
     * each stream becomes a channel of its own that carries one exchange through the same handlers
     * (without WebSocket, an HTTP/1.1 upgrade); the HTTP/1.1 handlers see nothing from then on.
     */
    private void configureH2cBeside(ChannelPipeline p) {
        HttpServerCodec codec = new HttpServerCodec();
        // An HTTP/1.1 "Upgrade: h2c" is declined: the request is served over HTTP/1.1 as it came.
        HttpServerUpgradeHandler declineUpgrades = new HttpServerUpgradeHandler(codec, protocol -> null,
                http.settings().maxBodyBytes());
        p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, declineUpgrades, new ChannelInboundHandlerAdapter() {
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
                        ReferenceCountUtil.release(frame);
                    }
                });
                ctx.pipeline().remove(this);
            }
        }));
    }

    /** One HTTP/2 stream: the HTTP handlers of the MCP endpoint, without WebSocket. */
    private void initHttp2Stream(ChannelPipeline p) {
        p.addLast(Http2RequestHeadCheck.INSTANCE);
        p.addLast(new Http2StreamFrameToHttpObjectCodec(true));
        p.addLast(new HttpResponseOrder());
        addResponders(p);
        addGuarded(p);
    }

    /** Authentication, when there is any, then what it guards: the routes beside MCP and the MCP endpoint. */
    private void addGuarded(ChannelPipeline p) {
        if (authentication != null) {
            p.addLast(AUTHENTICATION, authentication);
        }
        for (int i = 0; i < routes.size(); i++) {
            p.addLast(routeNames.get(i), routes.get(i).handler());
        }
        p.addLast(MCP_HTTP, http.newHandler());
    }

    /**
     * Last in an HTTP/1.1 connection's pipeline: when the connection has become a WebSocket (the
     * WebSocket handler passes the handshake's completion on), removes the handlers that only plain
     * HTTP requests need, and itself. Netty's handshake already swapped the HTTP codec for the
     * frame codec; {@link HttpResponseOrder} removed itself once the {@code 101} was written.
     */
    @ChannelHandler.Sharable
    static final class PlainHttpRemoval extends ChannelInboundHandlerAdapter {

        private final List<String> names;

        PlainHttpRemoval(List<String> names) {
            this.names = List.copyOf(names);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ChannelPipeline p = ctx.pipeline();
                for (String name : names) {
                    // Netty's handshake may already have removed the aggregator (an HttpObjectAggregator).
                    if (p.context(name) != null) {
                        p.remove(name);
                    }
                }
                p.remove(this);
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
