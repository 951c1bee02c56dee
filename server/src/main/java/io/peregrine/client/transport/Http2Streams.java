package io.peregrine.client.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The exchanges of a Streamable HTTP link as the streams of one cleartext HTTP/2 connection
 * (h2c, prior knowledge): each exchange opens a stream, which carries its request and its
 * response (a JSON answer or an SSE stream) and is closed after; requests never wait for a free
 * connection. The connection is opened when first needed and again after it is lost; the
 * exchanges of a lost connection break as a lost HTTP/1.1 connection's would.
 *
 * <p>On the link's event loop only: no locks.
 */
final class Http2Streams implements ExchangeChannels {

    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final String target;
    private final ArrayDeque<Acquired> waiting = new ArrayDeque<>();
    private Channel connection;
    private boolean connecting;
    private boolean closed;

    Http2Streams(EventLoop loop, InetSocketAddress address, TransportSettings settings, String target) {
        this.address = address;
        this.target = target;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(ChannelTypes.socketChannel(loop))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS wait for one to end
                        // instead of failing.
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().encoderEnforceMaxConcurrentStreams(true)
                                        .build(),
                                // The server opens no streams of its own (no push): anything it tries is dropped.
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg);
                                    }
                                }));
                    }
                });
    }

    @Override
    public void acquire(Acquired acquired) {
        if (closed) {
            acquired.failed(new IOException("the link to " + target + " is closed"));
            return;
        }
        if (connection != null && connection.isActive()) {
            openStream(acquired);
            return;
        }
        waiting.addLast(acquired);
        if (!connecting) {
            connect();
        }
    }

    private void connect() {
        connecting = true;
        bootstrap.connect(address).addListener(f -> {
            connecting = false;
            Channel ch = ((ChannelFuture) f).channel();
            if (!f.isSuccess() || closed) {
                ch.close();
                IOException cause = closed ? new IOException("the link to " + target + " is closed")
                        : TcpTransport.Failures.cannotConnect(target, f.cause());
                Acquired w;
                while ((w = waiting.pollFirst()) != null) {
                    w.failed(cause);
                }
                return;
            }
            connection = ch;
            streams = new Http2StreamChannelBootstrap(ch).handler(streamInitializer);
            Acquired w;
            while ((w = waiting.pollFirst()) != null) {
                openStream(w);
            }
        });
    }

    /** Sets up each stream's pipeline; one for every stream. */
    private final ChannelInitializer<Http2StreamChannel> streamInitializer = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                    new HttpExchangeHandler(Http2Streams.this));
        }
    };
    /** Opens the streams of {@link #connection}; made with it. */
    private Http2StreamChannelBootstrap streams;

    private void openStream(Acquired acquired) {
        streams.open()
                .addListener(f -> {
                    if (f.isSuccess()) {
                        acquired.ready((Channel) f.getNow(), false);
                    } else {
                        acquired.failed(new IOException("cannot open an HTTP/2 stream to " + target + ": " + f.cause(),
                                f.cause()));
                    }
                });
    }

    /** A stream carries one exchange: done, it closes. */
    @Override
    public void release(Channel ch) {
        ch.close();
    }

    @Override
    public void closed(Channel ch) {
        ch.close();
    }

    @Override
    public int openCount() {
        return connection != null && connection.isActive() ? 1 : 0;
    }

    @Override
    public void closeAll() {
        closed = true;
        Acquired w;
        while ((w = waiting.pollFirst()) != null) {
            w.failed(new IOException("the link to " + target + " is closed"));
        }
        if (connection != null) {
            connection.close();
        }
    }
}
