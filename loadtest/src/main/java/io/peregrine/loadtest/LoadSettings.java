package io.peregrine.loadtest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one run of {@link TcpLoadGenerator} does. Either a closed loop ({@code depth} requests
 * outstanding on every connection) or, when {@code rate} is positive, an open loop at that many
 * requests per second in total, whatever the server's answers do.
 *
 * @param server      where to connect; must be a loopback address
 * @param transport   the framing
 * @param era         how sessions open and requests are versioned
 * @param connections sockets opened to the server
 * @param depth       requests kept outstanding per connection in the closed loop; 0 in the open loop
 * @param rate        requests per second over all connections in the open loop; 0 in the closed loop
 * @param payloadBytes the length of each echoed message
 * @param tool        the tool called; {@code echo} unless a test wants error responses
 * @param warmup      how long to load the server before measuring
 * @param duration    the longest measured window
 * @param maxRequests the measured window also ends after this many responses
 * @param authorizations the credentials calls are made with ({@code Bearer KEY}), each a principal
 *                    of the server's; empty for none. A connection is one principal over TCP and
 *                    WebSocket, and so is a 2025-11-25 session over Streamable HTTP: connection
 *                    {@code i} uses credential {@code i mod n}. In the stateless era over Streamable
 *                    HTTP every request is authenticated alone: each connection takes them all in
 *                    turn from its own starting point, so that all {@code n} principals call
 *                    in turn from its own starting point, so that all {@code n} principals call
 * @param openTimeout how long connecting and opening every session may take (a server that starts
 *                    a process per session needs more than the default 10 s)
 */
public record LoadSettings(InetSocketAddress server, Transport transport, Era era, int connections, int depth,
                           double rate, int payloadBytes, String tool, Duration warmup, Duration duration,
                           long maxRequests, List<String> authorizations, Duration openTimeout) {

    /** The longest message either side accepts, whatever the payload. */
    static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

    /** Checks every field; the server must be on this machine. */
    public LoadSettings {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(era, "era");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(duration, "duration");
        if (server.isUnresolved() || !server.getAddress().isLoopbackAddress()) {
            // Load is aimed only at this machine: never at a host someone else may be running.
            throw new IllegalArgumentException("server : " + server + " (expected: a loopback address)");
        }
        if (connections <= 0) {
            throw new IllegalArgumentException("connections : " + connections + " (expected: > 0)");
        }
        if ((depth > 0) == (rate > 0) || depth < 0 || rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("depth, rate : " + depth + ", " + rate
                    + " (expected: exactly one positive: depth for a closed loop, rate for an open loop)");
        }
        if (payloadBytes < 0 || payloadBytes > MAX_MESSAGE_BYTES / 2) {
            throw new IllegalArgumentException("payloadBytes : " + payloadBytes + " (expected: 0.." + MAX_MESSAGE_BYTES / 2 + ")");
        }
        if (tool.isEmpty() || !tool.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
            throw new IllegalArgumentException("tool : " + tool + " (expected: printable ASCII without quotes or backslashes)");
        }
        if (warmup.isNegative() || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("warmup, duration : " + warmup + ", " + duration
                    + " (expected: warmup >= 0, duration > 0)");
        }
        if (openTimeout == null || openTimeout.isNegative() || openTimeout.isZero()) {
            throw new IllegalArgumentException("openTimeout : " + openTimeout + " (expected: > 0)");
        }
        if (maxRequests <= 0) {
            throw new IllegalArgumentException("maxRequests : " + maxRequests + " (expected: > 0)");
        }
        authorizations = List.copyOf(authorizations);
        for (String a : authorizations) {
            // Written as they are into an HTTP header and a JSON string.
            if (a.isEmpty() || !a.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')) {
                throw new IllegalArgumentException("authorizations : " + a
                        + " (expected: printable ASCII without quotes or backslashes)");
            }
        }
    }

    /** The credential of connection {@code connection} over TCP and WebSocket, or null when calls carry none. */
    String authorization(int connection) {
        return authorizations.isEmpty() ? null : authorizations.get(connection % authorizations.size());
    }

    /**
     * The credentials the requests of connection {@code connection} carry in turn over Streamable
     * HTTP: every one in the stateless era, the connection's own in a 2025-11-25 session.
     */
    List<String> requestAuthorizations(int connection) {
        return authorizations.isEmpty() || !era.handshake() ? authorizations : List.of(authorization(connection));
    }

    /** Whether requests are sent on a schedule rather than as responses arrive. */
    public boolean openLoop() {
        return rate > 0;
    }

    /** The longest message of this run, on either side. */
    int maxMessageBytes() {
        return maxMessageBytes(payloadBytes);
    }

    /** Long enough for a request or response carrying {@code payloadBytes}, with room for any envelope. */
    static int maxMessageBytes(int payloadBytes) {
        return (int) Math.min(MAX_MESSAGE_BYTES, 2L * payloadBytes + 64 * 1024);
    }

    /** Settings with defaults: 16 connections × depth 16, 100-byte echo, 2025-11-25 over TCP, 5 s + 10 s. */
    public static Builder builder(InetSocketAddress server) {
        return new Builder(server);
    }

    /** Builds {@link LoadSettings}; choosing a depth or a rate picks the closed or the open loop. */
    public static final class Builder {
        private final InetSocketAddress server;
        private Transport transport = Transport.TCP;
        private Era era = Era.V2025_11_25;
        private int connections = 16;
        private int depth = 16;
        private double rate;
        private int payloadBytes = 100;
        private String tool = "echo";
        private Duration warmup = Duration.ofSeconds(5);
        private Duration duration = Duration.ofSeconds(10);
        private long maxRequests = Long.MAX_VALUE;
        private List<String> authorizations = List.of();
        private Duration openTimeout = Duration.ofSeconds(10);

        private Builder(InetSocketAddress server) {
            this.server = server;
        }

        /** The framing; default TCP. */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** The protocol era; default 2025-11-25. */
        public Builder era(Era era) {
            this.era = era;
            return this;
        }

        /** Sockets to open; default 16. */
        public Builder connections(int connections) {
            this.connections = connections;
            return this;
        }

        /** A closed loop keeping {@code depth} requests outstanding on each connection. */
        public Builder depth(int depth) {
            this.depth = depth;
            this.rate = 0;
            return this;
        }

        /** An open loop sending {@code requestsPerSecond} in total, spread evenly over the connections. */
        public Builder rate(double requestsPerSecond) {
            this.rate = requestsPerSecond;
            this.depth = 0;
            return this;
        }

        /** The length of each echoed message; default 100. */
        public Builder payloadBytes(int payloadBytes) {
            this.payloadBytes = payloadBytes;
            return this;
        }

        /** The tool to call; default {@code echo}. */
        public Builder tool(String tool) {
            this.tool = tool;
            return this;
        }

        /** Load before measuring; default 5 s. */
        public Builder warmup(Duration warmup) {
            this.warmup = warmup;
            return this;
        }

        /** The longest measured window; default 10 s. */
        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        /** The window also closes after this many responses; default unlimited. */
        public Builder maxRequests(long maxRequests) {
            this.maxRequests = maxRequests;
            return this;
        }

        /** The credentials calls are made with, each a principal ({@code Bearer KEY}); default none. */
        public Builder authorizations(List<String> authorizations) {
            this.authorizations = authorizations;
            return this;
        }

        /** How long connecting and opening every session may take; default 10 s. */
        public Builder openTimeout(Duration openTimeout) {
            this.openTimeout = openTimeout;
            return this;
        }

        /** Checks every setting and returns them; throws {@link IllegalArgumentException} naming the first bad one. */
        public LoadSettings build() {
            return new LoadSettings(server, transport, era, connections, depth, rate, payloadBytes, tool, warmup,
                    duration, maxRequests, authorizations, openTimeout);
        }
    }
}
