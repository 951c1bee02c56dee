package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.peregrine.transport.MessageListener;

/**
 * The Streamable HTTP MCP endpoint of one HTTP listener: the sessions it holds, and a
 * {@link #newHandler() handler} for each connection's pipeline.
 */
public final class StreamableHttpEndpoint implements AutoCloseable {

    private final MessageListener listener;
    private final StreamableHttpSettings settings;
    private final HttpProtocolVersions versions;
    private final HttpSessions sessions;
    private final SessionRequests sessionRequests;
    private final java.util.Set<io.netty.channel.Channel> channels = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public StreamableHttpEndpoint(MessageListener listener, StreamableHttpSettings settings, HttpProtocolVersions versions) {
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.versions = java.util.Objects.requireNonNull(versions, "versions");
        this.sessions = new HttpSessions(listener, settings);
        this.sessionRequests = new SessionRequests(listener, settings, sessions, versions);
    }

    public StreamableHttpSettings settings() {
        return settings;
    }

    /**
     * The handler for one connection (or HTTP/2 stream); place it after the HTTP codec, an
     * {@link HttpResponseOrder}, the aggregator and the Origin check.
     */
    public ChannelHandler newHandler() {
        return new McpHttpHandler(listener, settings, sessionRequests, versions, channels);
    }

    /**
     * Ends every session, then closes every connection once what is already queued for it (the
     * answers a drain produced) has been written.
     */
    @Override
    public void close() {
        sessions.closeAll();
        java.util.List<io.netty.util.concurrent.Future<?>> closing = new java.util.ArrayList<>();
        for (io.netty.channel.Channel ch : channels) {
            io.netty.channel.ChannelPromise closed = ch.newPromise();
            // Queued behind the answers on the channel's own loop, so they reach the wire first.
            ch.eventLoop().execute(() -> ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                    .addListener(f -> ch.close(closed)));
            closing.add(closed);
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        for (io.netty.util.concurrent.Future<?> f : closing) {
            f.awaitUninterruptibly(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }
}
