package io.peregrine.transport.ws;

import io.peregrine.transport.HealthReport;

/** The limits and options of the HTTP listener and its WebSocket endpoint. */
public final class WebSocketSettings {

    final String path;
    final int maxFrameBytes;
    final int maxMessageBytes;
    final long idleTimeoutMillis;
    final long pingIntervalMillis;
    final boolean compression;
    final HealthReport health;
    final java.util.List<String> allowedOrigins;

    /**
     * @param path               where clients upgrade, e.g. {@code /mcp} ({@code /mcp/ws} is served too)
     * @param maxFrameBytes      the largest single frame
     * @param maxMessageBytes    the largest message after fragments are joined
     * @param idleTimeoutMillis  close after this long without anything read (0: never)
     * @param pingIntervalMillis ping after this long without anything written (0: never)
     * @param compression        offer permessage-deflate
     * @param health             what {@code GET /ready} and {@code GET /health?verbose} report
     * @param allowedOrigins     origins a browser may connect from ({@code scheme://host[:port|:*]})
     */
    public WebSocketSettings(String path, int maxFrameBytes, int maxMessageBytes, long idleTimeoutMillis,
                             long pingIntervalMillis, boolean compression, HealthReport health,
                             java.util.List<String> allowedOrigins) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("path : " + path + " (expected: starting with /)");
        }
        if (maxFrameBytes <= 0 || maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes, maxMessageBytes : " + maxFrameBytes + ", "
                    + maxMessageBytes + " (expected: > 0)");
        }
        if (idleTimeoutMillis < 0 || pingIntervalMillis < 0) {
            throw new IllegalArgumentException("idleTimeoutMillis, pingIntervalMillis : " + idleTimeoutMillis + ", "
                    + pingIntervalMillis + " (expected: >= 0)");
        }
        this.path = path;
        this.maxFrameBytes = maxFrameBytes;
        this.maxMessageBytes = maxMessageBytes;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.pingIntervalMillis = pingIntervalMillis;
        this.compression = compression;
        this.health = java.util.Objects.requireNonNull(health, "health");
        this.allowedOrigins = java.util.List.copyOf(allowedOrigins).stream()
                .map(o -> o.trim().toLowerCase(java.util.Locale.ROOT)).filter(o -> !o.isEmpty())
                .collect(java.util.stream.Collectors.toUnmodifiableList());
    }

    /** Where clients upgrade (and where Streamable HTTP is served). */
    public String path() {
        return path;
    }

    /** What {@code GET /ready} and {@code GET /health?verbose} report. */
    public HealthReport health() {
        return health;
    }

    /** The origins a browser may connect from, lower case. */
    public java.util.List<String> allowedOrigins() {
        return allowedOrigins;
    }
}
