package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * How JSON-RPC messages are framed on the socket: one per line on TCP, one per WebSocket text
 * frame at {@code /mcp}, or one per HTTP {@code POST /mcp}. Everything above the framing is the
 * same for all three.
 */
public enum Transport {

    /** Newline-delimited JSON-RPC on a plain TCP connection. */
    TCP("tcp") {
        @Override
        void addClientCodec(ChannelPipeline p, LoadSettings s, int connection) {
            // Slices of the read buffer, not copies: the generator shares the cores with the server
            // it measures, so every byte it does not move is CPU left for the server.
            p.addLast(new LineBasedFrameDecoder(s.maxMessageBytes(), true, true));
        }

        @Override
        void addServerCodec(ChannelPipeline p, Era era, int maxMessageBytes, ChannelHandler answerer) {
            // Peregrine's own decoder, so that the reference pays the same framing cost.
            p.addLast(new NdjsonFrameDecoder(maxMessageBytes), answerer);
        }

        @Override
        Object frame(ByteBuf message) {
            return message;
        }

        @Override
        ByteBuf unframe(Object msg) {
            if (msg instanceof ByteBuf) {
                return (ByteBuf) msg;
            }
            ReferenceCountUtil.release(msg);
            return null;
        }
    },

    /** One JSON-RPC message per WebSocket text frame, subprotocol {@code mcp}, at {@value #PATH}. */
    WEBSOCKET("ws") {
        @Override
        void addClientCodec(ChannelPipeline p, LoadSettings s, int connection) {
            p.addLast(new HttpClientCodec(),
                    new HttpObjectAggregator(64 * 1024),
                    new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                            .webSocketUri(uri(s.server()))
                            .subprotocol("mcp")
                            .customHeaders(s.authorization(connection) == null ? EmptyHttpHeaders.INSTANCE
                                    : new DefaultHttpHeaders().set(HttpHeaderNames.AUTHORIZATION, s.authorization(connection)))
                            .maxFramePayloadLength(s.maxMessageBytes())
                            .build()),
                    new WebSocketFrameAggregator(s.maxMessageBytes()));
        }

        @Override
        void addServerCodec(ChannelPipeline p, Era era, int maxMessageBytes, ChannelHandler answerer) {
            p.addLast(new HttpServerCodec(),
                    new HttpObjectAggregator(64 * 1024),
                    new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath(PATH)
                            .subprotocols("mcp")
                            .maxFramePayloadLength(maxMessageBytes)
                            .build()),
                    new WebSocketFrameAggregator(maxMessageBytes),
                    answerer);
        }

        @Override
        boolean newlineDelimited() {
            return false;
        }

        @Override
        boolean readyOnActive() {
            return false;
        }

        @Override
        boolean isReadyEvent(Object event) {
            return event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE;
        }

        @Override
        Object frame(ByteBuf message) {
            return new TextWebSocketFrame(message);
        }

        @Override
        ByteBuf unframe(Object msg) {
            if (msg instanceof TextWebSocketFrame) {
                // A frame's reference count is its content's: releasing the content releases the frame.
                return ((TextWebSocketFrame) msg).content();
            }
            ReferenceCountUtil.release(msg);
            return null;
        }
    },

    /**
     * MCP's Streamable HTTP: each message is one {@code POST} to {@value #PATH} on a keep-alive
     * HTTP/1.1 connection, answered with JSON or an event stream ({@link HttpClientFraming}).
     * More than one request in flight on a connection is HTTP/1.1 pipelining. The reference
     * server also takes HTTP/2 with prior knowledge on the same port, as Peregrine does, for
     * generators that speak it ({@code h2load}).
     */
    HTTP("http") {
        @Override
        void addClientCodec(ChannelPipeline p, LoadSettings s, int connection) {
            p.addLast(new HttpResponseDecoder(),
                    new HttpObjectAggregator(s.maxMessageBytes()),
                    new HttpClientFraming(s.server(), s.era(), s.tool(), s.requestAuthorizations(connection),
                            s.requestAuthorizations(connection).size() * connection / s.connections()));
        }

        @Override
        void addServerCodec(ChannelPipeline p, Era era, int maxMessageBytes, ChannelHandler answerer) {
            // As Peregrine's listener: HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the same
            // port, an HTTP/1.1 "Upgrade: h2c" declined, each HTTP/2 stream a channel of its own.
            HttpServerCodec codec = new HttpServerCodec();
            HttpServerUpgradeHandler declineUpgrades = new HttpServerUpgradeHandler(codec, protocol -> null, maxMessageBytes);
            p.addLast(new CleartextHttp2ServerUpgradeHandler(codec, declineUpgrades, new ChannelInboundHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    ChannelPipeline h2 = ctx.pipeline();
                    h2.addAfter(ctx.name(), "h2-frames", Http2FrameCodecBuilder.forServer().build());
                    h2.addAfter("h2-frames", "h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel stream) {
                            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                    new HttpObjectAggregator(maxMessageBytes), new HttpServerFraming(era), answerer);
                        }
                    }));
                    // Connection-level frames (settings, pings) end here, not in the HTTP/1.1 handlers.
                    h2.addAfter("h2-streams", null, new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext c, Object frame) {
                            ReferenceCountUtil.release(frame);
                        }
                    });
                    h2.remove(this);
                }
            }));
            p.addLast(new HttpObjectAggregator(maxMessageBytes), new HttpServerFraming(era), answerer);
        }

        @Override
        boolean newlineDelimited() {
            return false;
        }

        @Override
        Object frame(ByteBuf message) {
            return message;
        }

        @Override
        ByteBuf unframe(Object msg) {
            return TCP.unframe(msg);
        }
    };

    /** Where WebSocket clients upgrade and HTTP clients post, on Peregrine and on the references. */
    static final String PATH = "/mcp";

    private final String cliName;

    Transport(String cliName) {
        this.cliName = cliName;
    }

    /** The transport named {@code tcp}, {@code ws} or {@code http}. */
    public static Transport of(String name) {
        for (Transport t : values()) {
            if (t.cliName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("transport : " + name + " (expected: tcp, ws or http)");
    }

    /**
     * Adds the handlers that turn the client socket into whole messages (as {@link #unframe} reads
     * them), for the {@code connection}-th connection of a run (which picks its credentials).
     */
    abstract void addClientCodec(ChannelPipeline p, LoadSettings settings, int connection);

    /**
     * Adds the handlers that turn an accepted socket into whole messages, then {@code answerer},
     * which reads them as {@link #unframe} does and writes {@link #frame}s.
     */
    abstract void addServerCodec(ChannelPipeline p, Era era, int maxMessageBytes, ChannelHandler answerer);

    /** Wraps one encoded message for writing. */
    abstract Object frame(ByteBuf message);

    /** The message in what the codec read, or null (having released it) if it is not one. */
    abstract ByteBuf unframe(Object msg);

    /** Whether each encoded message ends with {@code \n}. */
    boolean newlineDelimited() {
        return true;
    }

    /** Whether messages may be sent as soon as the socket connects. */
    boolean readyOnActive() {
        return true;
    }

    /** Whether this pipeline event means messages may now be sent. */
    boolean isReadyEvent(Object event) {
        return false;
    }

    @Override
    public String toString() {
        return cliName;
    }

    private static URI uri(InetSocketAddress server) {
        try {
            // The multi-argument constructor brackets IPv6 literals.
            return new URI("ws", null, server.getAddress().getHostAddress(), server.getPort(), PATH, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
