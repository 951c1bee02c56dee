package io.peregrine.client.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** Newline-delimited JSON-RPC over one TCP connection ({@code tcp://host:port}), with TLS when given a context. */
public final class TcpTransport implements ClientTransport {

    private final InetSocketAddress address;
    private final SslContext sslContext;
    private final TransportSettings settings;

    /** @param sslContext null for plain TCP */
    public TcpTransport(InetSocketAddress address, SslContext sslContext, TransportSettings settings) {
        this.address = address;
        this.sslContext = sslContext;
        this.settings = settings;
    }

    @Override
    public CompletableFuture<Link> open(EventLoop loop, LinkListener listener) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(ChannelTypes.socketChannel(loop))
                // Requests are small and a caller is waiting on each: never hold one back.
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (sslContext != null) {
                            ch.pipeline().addLast(sslContext.newHandler(ch.alloc(), address.getHostString(),
                                    address.getPort()));
                        }
                        // Requests written while another channel's read runs (a gateway forwarding what its
                        // client sent in one read) leave in one write at the end of the event loop's turn.
                        ch.pipeline().addLast(new FlushConsolidationHandler(
                                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
                                new NdjsonFrameDecoder(settings.maxMessageBytes()),
                                new InboundMessages(listener, ready));
                    }
                });
        CompletableFuture<Link> opened = new CompletableFuture<>();
        bootstrap.connect(address).addListener(f -> {
            if (!f.isSuccess()) {
                opened.completeExceptionally(Failures.cannotConnect(target(), f.cause()));
                return;
            }
            Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
            Tls.afterHandshake(channel, () -> {
                ready.complete(null);
                opened.complete(new ChannelLink(channel, false, listener));
            }, failure -> {
                channel.close();
                opened.completeExceptionally(Failures.cannotConnect(target(), failure));
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
        return (sslContext != null ? "tcp+tls://" : "tcp://") + address.getHostString() + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return target();
    }

    /** Builds the failures transports report. */
    static final class Failures {
        private Failures() {
        }

        static IOException cannotConnect(String target, Throwable cause) {
            if (cause instanceof IOException && cause.getMessage() != null && cause.getMessage().contains(target)) {
                return (IOException) cause;
            }
            return new IOException("cannot connect to " + target + ": " + cause, cause);
        }
    }
}
