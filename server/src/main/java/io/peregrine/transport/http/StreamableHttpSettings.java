package io.peregrine.transport.http;

import io.peregrine.config.ConfigKey;

import java.util.Objects;

/** The limits and options of the Streamable HTTP endpoint. */
public final class StreamableHttpSettings {

    final String path;
    final int maxBodyBytes;
    final long requestReadTimeoutMillis;
    final long keepAliveTimeoutMillis;
    final long sseKeepAliveMillis;
    final int maxSessions;
    final long sessionIdleTimeoutMillis;
    final int replayEvents;
    final boolean sessions;
    final boolean h2c;
    /** Seals session ids so that any replica with the same key serves them; null: ids are random and local. */
    final SessionSeal seal;

    /**
     * @param path                     the MCP endpoint, e.g. {@code /mcp}
     * @param maxBodyBytes             the largest POST body; larger ones get 413
     * @param requestReadTimeoutMillis how long a request may take to arrive whole; slower ones get 408 and the connection is closed
     * @param keepAliveTimeoutMillis   close an idle keep-alive connection (no exchange open) after this long (0: never)
     * @param sseKeepAliveMillis       write an SSE comment on an open stream after this long without an event (0: never)
     * @param maxSessions              2025-era sessions held at once; initialize beyond it gets 503
     * @param sessionIdleTimeoutMillis end a session unused for this long
     * @param replayEvents             events kept per SSE stream for {@code Last-Event-ID} resumption (0: no resumption)
     * @param sessions                 whether the 2025 revisions (initialize, Mcp-Session-Id) are served over HTTP
     */
    public StreamableHttpSettings(String path, int maxBodyBytes, long requestReadTimeoutMillis, long keepAliveTimeoutMillis,
                                  long sseKeepAliveMillis, int maxSessions, long sessionIdleTimeoutMillis,
                                  int replayEvents, boolean sessions) {
        this(path, maxBodyBytes, requestReadTimeoutMillis, keepAliveTimeoutMillis, sseKeepAliveMillis, maxSessions,
                sessionIdleTimeoutMillis, replayEvents, sessions, true);
    }

    /** As above, and whether HTTP/2 with prior knowledge (h2c) is served on the same port. */
    public StreamableHttpSettings(String path, int maxBodyBytes, long requestReadTimeoutMillis, long keepAliveTimeoutMillis,
                                  long sseKeepAliveMillis, int maxSessions, long sessionIdleTimeoutMillis,
                                  int replayEvents, boolean sessions, boolean h2c) {
        this.h2c = h2c;
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path : " + path + " (expected: starting with /)");
        }
        this.path = path;
        this.maxBodyBytes = positive("maxBodyBytes", maxBodyBytes);
        this.requestReadTimeoutMillis = positive("requestReadTimeoutMillis", requestReadTimeoutMillis);
        this.keepAliveTimeoutMillis = notNegative("keepAliveTimeoutMillis", keepAliveTimeoutMillis);
        this.sseKeepAliveMillis = notNegative("sseKeepAliveMillis", sseKeepAliveMillis);
        this.maxSessions = positive("maxSessions", maxSessions);
        this.sessionIdleTimeoutMillis = positive("sessionIdleTimeoutMillis", sessionIdleTimeoutMillis);
        this.replayEvents = (int) notNegative("replayEvents", replayEvents);
        this.sessions = sessions;
        this.seal = null;
    }

    private StreamableHttpSettings(StreamableHttpSettings s, SessionSeal seal) {
        this.path = s.path;
        this.maxBodyBytes = s.maxBodyBytes;
        this.requestReadTimeoutMillis = s.requestReadTimeoutMillis;
        this.keepAliveTimeoutMillis = s.keepAliveTimeoutMillis;
        this.sseKeepAliveMillis = s.sseKeepAliveMillis;
        this.maxSessions = s.maxSessions;
        this.sessionIdleTimeoutMillis = s.sessionIdleTimeoutMillis;
        this.replayEvents = s.replayEvents;
        this.sessions = s.sessions;
        this.h2c = s.h2c;
        this.seal = seal;
    }

    /**
     * These settings with 2025-era session ids sealed under {@code secret} ({@code gateway.session-key}):
     * any replica configured with the same secret serves a session another one started, for
     * {@code maxAgeMillis} after it started. An empty secret leaves ids random and local.
     */
    public StreamableHttpSettings withSessionKey(String secret, long maxAgeMillis) {
        return secret.isEmpty() ? this : new StreamableHttpSettings(this, new SessionSeal(secret, maxAgeMillis));
    }

    public String path() {
        return path;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public long requestReadTimeoutMillis() {
        return requestReadTimeoutMillis;
    }

    public boolean h2c() {
        return h2c;
    }

    public long keepAliveTimeoutMillis() {
        return keepAliveTimeoutMillis;
    }

    /** The defaults of the {@code http.*} keys, at {@code path}. */
    public static StreamableHttpSettings defaults(String path) {
        return new StreamableHttpSettings(path, Math.toIntExact(ConfigKey.HTTP_MAX_BODY_SIZE.builderDefault()),
                ConfigKey.HTTP_REQUEST_READ_TIMEOUT.builderDefault().toMillis(),
                ConfigKey.HTTP_KEEP_ALIVE_TIMEOUT.builderDefault().toMillis(),
                ConfigKey.HTTP_SSE_KEEP_ALIVE.builderDefault().toMillis(), ConfigKey.HTTP_MAX_SESSIONS.builderDefault(),
                ConfigKey.HTTP_SESSION_IDLE_TIMEOUT.builderDefault().toMillis(),
                ConfigKey.HTTP_REPLAY_EVENTS.builderDefault(), ConfigKey.HTTP_SESSIONS.builderDefault(),
                ConfigKey.HTTP_H2C.builderDefault());
    }

    private static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " : " + value + " (expected: > 0)");
        }
        return value;
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " : " + value + " (expected: > 0)");
        }
        return value;
    }

    private static long notNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " : " + value + " (expected: >= 0)");
        }
        return value;
    }
}
