package io.peregrine.client.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The HTTP/1.1 keep-alive connections of one Streamable HTTP link: an exchange takes an idle
 * connection, or a new one while fewer than the maximum are open, or waits its turn; a connection
 * whose exchange ended with keep-alive goes back to the idle ones. A response stream holds its
 * connection for as long as it lasts, so the maximum bounds the streams open at once too.
 *
 * <p>Every connection runs on the link's event loop, and so does everything here: no locks.
 */
final class HttpConnections implements ExchangeChannels {

    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final String target;
    private final int max;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final Set<Channel> open = new HashSet<>();
    private final ArrayDeque<Acquired> waiting = new ArrayDeque<>();
    private int connecting;
    private boolean closed;

    HttpConnections(EventLoop loop, InetSocketAddress address, SslContext sslContext, TransportSettings settings,
                    String target) {
        this.address = address;
        this.target = target;
        this.max = settings.maxHttpConnections();
        this.bootstrap = new Bootstrap()
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
                        p.addLast(new HttpClientCodec(), new HttpExchangeHandler(HttpConnections.this));
                    }
                });
    }

    /** Hands a connection to {@code acquired} now or when one is free. */
    @Override
    public void acquire(Acquired acquired) {
        if (closed) {
            acquired.failed(new IOException("the link to " + target + " is closed"));
            return;
        }
        Channel ch;
        while ((ch = idle.pollFirst()) != null) {
            if (ch.isActive()) {
                acquired.ready(ch, true);
                return;
            }
        }
        if (open.size() + connecting < max) {
            connect(acquired);
        } else {
            waiting.addLast(acquired);
        }
    }

    private void connect(Acquired acquired) {
        connecting++;
        bootstrap.connect(address).addListener(f -> {
            connecting--;
            Channel ch = ((ChannelFuture) f).channel();
            if (!f.isSuccess()) {
                acquired.failed(TcpTransport.Failures.cannotConnect(target, f.cause()));
                serveWaiting();
                return;
            }
            if (closed) {
                ch.close();
                acquired.failed(new IOException("the link to " + target + " is closed"));
                return;
            }
            open.add(ch);
            Tls.afterHandshake(ch, () -> acquired.ready(ch, false), failure -> {
                closed(ch);
                acquired.failed(TcpTransport.Failures.cannotConnect(target, failure));
            });
        });
    }

    /** An exchange ended and left its connection reusable. */
    @Override
    public void release(Channel ch) {
        if (closed || !ch.isActive()) {
            ch.close();
            return;
        }
        Acquired next = waiting.pollFirst();
        if (next != null) {
            next.ready(ch, true);
        } else {
            idle.addFirst(ch);
        }
    }

    /** A connection closed (or is not to be reused): forgets it, and opens another for a waiting exchange. */
    @Override
    public void closed(Channel ch) {
        ch.close();
        if (open.remove(ch)) {
            idle.remove(ch);
            serveWaiting();
        }
    }

    private void serveWaiting() {
        if (!waiting.isEmpty() && !closed && open.size() + connecting < max) {
            connect(waiting.pollFirst());
        }
    }

    /** Connections open, idle or in use; for tests and diagnostics. */
    @Override
    public int openCount() {
        return open.size();
    }

    @Override
    public void closeAll() {
        closed = true;
        Acquired w;
        while ((w = waiting.pollFirst()) != null) {
            w.failed(new IOException("the link to " + target + " is closed"));
        }
        for (Channel ch : Set.copyOf(open)) {
            ch.close();
        }
        idle.clear();
    }
}
