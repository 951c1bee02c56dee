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

    public StreamableHttpEndpoint(MessageListener listener, StreamableHttpSettings settings, HttpProtocolVersions versions) {
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.versions = java.util.Objects.requireNonNull(versions, "versions");
        this.sessions = new HttpSessions(listener, settings);
    }

    public StreamableHttpSettings settings() {
        return settings;
    }

    /** The handler for one connection; place it after the HTTP codec, aggregator and Origin check. */
    public ChannelHandler newHandler() {
        return new McpHttpHandler(listener, settings, sessions, versions);
    }

    /** The 2025-era sessions open now. */
    public int sessionCount() {
        return sessions.size();
    }

    /** Ends every session. */
    @Override
    public void close() {
        sessions.closeAll();
    }
}
