package io.peregrine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every configuration key Peregrine knows: its type, default, bounds and meaning. Adding a key is
 * one line in {@link #ALL}.
 */
public final class ConfigKey {

    /** The kinds of value a key holds. */
    public enum Type { STRING, BOOLEAN, INT, DURATION, SIZE, PATH }

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    /** Keys under this prefix name a logger and set its level: {@code log.levels.io.netty: debug}. */
    public static final String LOG_LEVELS_PREFIX = "log.levels.";

    private static final Map<String, ConfigKey> ALL = index(
            string("server.name", "peregrine", "Name reported as serverInfo.name"),
            string("server.version", "0.1.0", "Version reported as serverInfo.version"),
            string("server.instructions", "", "Guidance for models on how to use this server (empty: none)"),
            bool("tcp.enabled", true, "Serve MCP as newline-delimited JSON-RPC over TCP"),
            string("tcp.host", "127.0.0.1", "Address the TCP listener binds"),
            integer("tcp.port", 7400, 0, 65535, "Port of the TCP listener (0 picks a free port)"),
            size("tcp.max-line-length", 4 * MIB, KIB, 256 * MIB, "Longest message accepted (a line on TCP and stdio, a whole message on WebSocket)"),
            bool("http.enabled", true, "Serve the HTTP listener (Streamable HTTP and WebSocket at ws.path)"),
            string("http.host", "127.0.0.1", "Address the HTTP listener binds"),
            integer("http.port", 7401, 0, 65535, "Port of the HTTP listener (0 picks a free port)"),
            string("http.allowed-origins", "http://localhost:*,https://localhost:*,http://127.0.0.1:*,https://127.0.0.1:*",
                    "Comma-separated origins browsers may connect from (scheme://host:port, :* for any port); others get 403"),
            size("http.max-body-size", 4 * MIB, KIB, 256 * MIB, "Largest Streamable HTTP POST body; larger ones get 413"),
            duration("http.request-read-timeout", Duration.ofSeconds(30), "How long one HTTP request may take to arrive whole; slower ones get 408"),
            durationOrZero("http.keep-alive-timeout", Duration.ofSeconds(60), "Close an idle HTTP keep-alive connection after this long (0: never)"),
            durationOrZero("http.sse-keep-alive", Duration.ofSeconds(15), "Write an SSE comment on an open stream after this long without an event (0: never)"),
            bool("http.h2c", true, "Serve HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the HTTP port"),
            bool("http.sessions", true, "Serve the 2025 revisions (initialize, Mcp-Session-Id) over Streamable HTTP"),
            integer("http.max-sessions", 10_000, 1, 10_000_000, "2025-era Streamable HTTP sessions held at once; initialize beyond it gets 503"),
            duration("http.session-idle-timeout", Duration.ofMinutes(30), "End a Streamable HTTP session unused for this long"),
            integer("http.replay-events", 256, 0, 1_000_000, "SSE events kept per stream for Last-Event-ID resumption (0: none)"),
            string("ws.path", "/mcp", "Path where WebSocket clients upgrade (path/ws is served too)"),
            size("ws.max-frame-size", 4 * MIB, 125, 256 * MIB, "Largest single WebSocket frame; larger ones close the socket with 1009"),
            durationOrZero("ws.idle-timeout", Duration.ofMinutes(5), "Close a WebSocket after this long without anything read (0: never)"),
            durationOrZero("ws.ping-interval", Duration.ofSeconds(30), "Ping a WebSocket after this long without anything written (0: never)"),
            bool("ws.compression", false, "Offer permessage-deflate"),
            integer("json.max-nesting-depth", 64, 1, 10_000, "How deeply JSON may nest"),
            size("json.max-string-length", 4 * MIB, KIB, GIB, "Longest JSON string value accepted"),
            integer("connection.max-in-flight", 256, 1, 1_000_000, "Blocking calls one connection may have running before reading from it pauses"),
            integer("exec.max-concurrency", 64, 1, 100_000, "Blocking tool calls running at once; beyond it calls are refused with -31000"),
            bool("exec.virtual-threads", true, "Run blocking tools on virtual threads when the JDK has them (21+)"),
            integer("io.threads", 0, 0, 1024, "I/O threads (0: twice the number of cores)"),
            duration("tools.default-timeout", Duration.ofSeconds(30), "How long a blocking tool call may run unless its tool says otherwise"),
            bool("tools.validate-arguments", true, "Check call arguments against each tool's inputSchema"),
            integer("tools.page-size", 100, 1, 10_000, "Tools per tools/list page"),
            duration("client-requests.timeout", Duration.ofSeconds(60), "How long a request to the client (sampling, elicitation, roots; 2025 era) waits for its answer"),
            string("client-requests.state-key", "", "Key (at least 16 characters) signing 2026-07-28 request states; empty: random per process. Replicas must share one"),
            duration("client-requests.state-ttl", Duration.ofMinutes(10), "How long a 2026-07-28 request state stays valid"),
            duration("tasks.ttl", Duration.ofHours(1), "How long a task and its result are kept after it was created"),
            integer("tasks.max", 10_000, 1, 10_000_000, "Most tasks kept at once; beyond it the oldest are forgotten"),
            durationOrZero("shutdown.drain-timeout", Duration.ofSeconds(10), "How long shutdown waits for running calls before answering them with -31001"),
            bool("metrics.enabled", true, "Record Prometheus metrics and serve them at metrics.path on the HTTP listener (behind its authentication)"),
            string("metrics.path", "/metrics", "Path of the Prometheus scrape on the HTTP listener"),
            bool("admin.enabled", false, "Serve the admin listener: /metrics, /health and /ready on a port of their own, without authentication"),
            string("admin.host", "127.0.0.1", "Address the admin listener binds (keep it where only the scraper and the orchestrator reach)"),
            integer("admin.port", 7402, 0, 65535, "Port of the admin listener (0 picks a free port)"),
            bool("demo.enabled", true, "Serve the demo tools (echo, ask_user, countdown, fs.*), the root as fs:/// resources, and prompts"),
            path("demo.fs.root", ".", "Directory the fs.* demo tools may read"),
            size("demo.fs.max-read-bytes", MIB, 1, GIB, "Most bytes fs.read returns in one call"),
            integer("demo.fs.max-results", 200, 1, 100_000, "Most entries fs.list and fs.search return"),
            // Policy: authentication per listener, authorization, rate limits, result cache, TLS, audit.
            string("tcp.auth", "none", "How TCP clients authenticate: none (loopback only), api-key or jwt"),
            string("http.auth", "none", "How HTTP and WebSocket clients authenticate: none (loopback only), api-key or jwt"),
            bool("tcp.tls", false, "Serve TLS on the TCP listener (tls.cert-file, tls.key-file)"),
            bool("http.tls", false, "Serve TLS on the HTTP listener: wss:// and https://"),
            bool("auth.allow-anonymous-remote", false, "Allow a listener with auth none on a non-loopback address"),
            string("auth.api-keys-file", "", "File of API keys, one per line: principal key-or-sha256:hex scope..."),
            string("auth.jwt.secret-env", "PEREGRINE_JWT_SECRET", "Environment variable holding the HS256 secret (never the file)"),
            string("auth.jwt.jwks-url", "", "JWKS URL of RS256/ES256 keys (instead of an HS256 secret)"),
            string("auth.jwt.issuer", "", "Required iss of tokens (empty: not checked)"),
            string("auth.jwt.audience", "", "Required aud of tokens: this server's resource identifier (RFC 8707)"),
            durationOrZero("auth.jwt.clock-skew", Duration.ofSeconds(30), "Tolerance on exp and nbf"),
            duration("auth.jwt.jwks-cache-ttl", Duration.ofMinutes(5), "How long a fetched JWKS is used"),
            duration("auth.jwt.jwks-min-refresh-interval", Duration.ofSeconds(30), "Least time between JWKS fetches, however many unknown kids arrive"),
            string("auth.roles", "", "Scopes of token roles: role=scope scope, role=scope"),
            string("auth.client-certificates", "", "Scopes of mTLS client certificates by subject CN: cn=scope scope, cn=scope"),
            string("auth.resource", "", "Resource identifier in the protected resource metadata (empty: the request's origin)"),
            string("auth.authorization-servers", "", "Comma-separated issuers listed in the protected resource metadata"),
            string("limits.global", "", "Tool calls of everyone together, N/period such as 1000/1s (empty: no limit)"),
            string("limits.per-principal", "", "Tool calls of each principal, N/period (empty: no limit)"),
            string("limits.per-tool", "", "Calls of each tool from everyone: tool-pattern=N/period, ..."),
            string("limits.per-principal-tool", "", "Calls of each tool by each principal: tool-pattern=N/period, ..."),
            string("limits.per-connection", "", "Requests of any method on one connection, N/period (empty: no limit)"),
            integer("limits.max-principals", 100_000, 1, 100_000_000, "Principals whose buckets are kept (least recently used go first)"),
            duration("limits.idle-expiry", Duration.ofMinutes(10), "How long a quiet principal's buckets are kept (at least the longest period)"),
            integer("cache.max-entries", 10_000, 1, 100_000_000, "Results of cacheable tools kept"),
            string("tls.cert-file", "", "PEM certificate chain of the TLS listeners"),
            string("tls.key-file", "", "PEM (PKCS#8) private key of the TLS listeners"),
            string("tls.client-auth", "none", "Client certificates: none, optional or require (needs tls.client-ca-file)"),
            string("tls.client-ca-file", "", "PEM CA certificates that client certificates must chain to"),
            string("tls.provider", "jdk", "TLS implementation: jdk, or openssl (needs netty-tcnative-boringssl-static)"),
            durationOrZero("tls.reload-interval", Duration.ofSeconds(30), "How often new connections look for renewed certificate files (0: never)"),
            bool("audit.tool-calls", false, "Write one peregrine.audit line per tool call (refusals are always written)"),
            // Operations: logs and traces (io.peregrine.ops).
            string("log.format", "text", "Log lines on stderr: text, or json (one object a line, with trace_id and span_id)"),
            string("log.level", "info", "Level of the root logger: trace, debug, info, warn, error or off; "
                    + LOG_LEVELS_PREFIX + "<logger> (file or --set) sets one logger's"),
            bool("log.access", false, "Write a peregrine.access line per HTTP request (method, path without query, status, bytes, time)"),
            string("log.audit-file", "", "File of the peregrine.audit lines, JSON, rolled daily and by size (empty: on stderr with the rest)"),
            size("log.audit-max-file-size", 100 * MIB, KIB, 64 * GIB, "Size at which the audit file rolls over"),
            integer("log.audit-max-history", 30, 1, 36_500, "Days of rolled audit files kept"),
            size("log.audit-total-size-cap", GIB, KIB, 1024 * GIB, "Most bytes of rolled audit files kept; the oldest go first"),
            bool("tracing.enabled", false, "Export an OpenTelemetry span per request over OTLP/HTTP (off: no OpenTelemetry code runs)"),
            string("tracing.endpoint", "http://127.0.0.1:4318/v1/traces", "OTLP/HTTP traces URL of the collector"),
            string("tracing.sample-ratio", "1.0", "Share of new traces sampled, 0.0 to 1.0; a request with a parent follows its parent"),
            string("tracing.service-name", "peregrine", "service.name of the exported spans"),
            bool("tracing.record-arguments", false, "Record tool-call arguments on spans (gen_ai.tool.call.arguments): they may hold secrets"),
            integer("tracing.queue-size", 2048, 1, 1_000_000, "Ended spans waiting for export at most; beyond it spans are dropped and counted"),
            duration("tracing.export-timeout", Duration.ofSeconds(10), "How long one export to the collector may take"),
            bool("conformance.fixtures", false, "Serve the MCP conformance suite's fixture tools (config/conformance.yaml only)"));

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    private final String name;
    private final Type type;
    private final Object defaultValue;
    private final long min;
    private final long max;
    private final String description;

    private ConfigKey(String name, Type type, Object defaultValue, long min, long max, String description) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    private static ConfigKey string(String name, String def, String description) {
        return new ConfigKey(name, Type.STRING, def, 0, 0, description);
    }

    private static ConfigKey bool(String name, boolean def, String description) {
        return new ConfigKey(name, Type.BOOLEAN, def, 0, 0, description);
    }

    private static ConfigKey integer(String name, int def, int min, int max, String description) {
        return new ConfigKey(name, Type.INT, def, min, max, description);
    }

    private static ConfigKey size(String name, long def, long min, long max, String description) {
        return new ConfigKey(name, Type.SIZE, def, min, max, description);
    }

    private static ConfigKey duration(String name, Duration def, String description) {
        return new ConfigKey(name, Type.DURATION, def, 1, 0, description);
    }

    /** A duration where zero is meaningful (never, or at once). */
    private static ConfigKey durationOrZero(String name, Duration def, String description) {
        return new ConfigKey(name, Type.DURATION, def, 0, 0, description);
    }

    private static ConfigKey path(String name, String def, String description) {
        return new ConfigKey(name, Type.PATH, Path.of(def), 0, 0, description);
    }

    private static Map<String, ConfigKey> index(ConfigKey... keys) {
        Map<String, ConfigKey> map = new LinkedHashMap<>();
        Arrays.stream(keys).forEach(k -> map.put(k.name, k));
        return Collections.unmodifiableMap(map);
    }

    /** Every key, in documentation order. */
    public static Map<String, ConfigKey> all() {
        return ALL;
    }

    /** The key {@code name}, or null. A {@code log.levels.<logger>} key is read as {@code log.level} is. */
    public static ConfigKey find(String name) {
        ConfigKey key = ALL.get(name);
        if (key == null && name.startsWith(LOG_LEVELS_PREFIX) && name.length() > LOG_LEVELS_PREFIX.length()) {
            return ALL.get("log.level");
        }
        return key;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public Object defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The environment variable that overrides this key: {@code tcp.max-line-length} → {@code PEREGRINE_TCP_MAX_LINE_LENGTH}. */
    public String envName() {
        return "PEREGRINE_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Converts a value from a file, the environment or {@code --set} to this key's type.
     *
     * @param source where the value came from, for the error message
     */
    public Object convert(Object raw, String source) {
        String text = String.valueOf(raw).trim();
        switch (type) {
            case STRING:
                return raw == null ? "" : String.valueOf(raw);
            case PATH:
                return Path.of(text);
            case BOOLEAN:
                if (raw instanceof Boolean) {
                    return raw;
                }
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(text);
                }
                throw invalid(raw, source, "true or false");
            case INT:
                return (int) bounded(parseLong(text, raw, source, "an integer from " + min + " to " + max), raw, source,
                        "an integer from " + min + " to " + max);
            case SIZE:
                return bounded(parseSize(text, raw, source), raw, source,
                        "a size from " + min + " to " + max + " bytes");
            case DURATION:
                return parseDuration(text, raw, source);
            default:
                throw new IllegalStateException(type.toString());
        }
    }

    private long bounded(long value, Object raw, String source, String expected) {
        if (value < min || value > max) {
            throw invalid(raw, source, expected);
        }
        return value;
    }

    private long parseLong(String text, Object raw, String source, String expected) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid(raw, source, expected);
        }
    }

    private long parseSize(String text, Object raw, String source) {
        Matcher m = SIZE.matcher(text);
        String expected = "a size in bytes such as 65536, 64KiB, 4MiB or 1GiB";
        if (!m.matches()) {
            throw invalid(raw, source, expected);
        }
        long n = parseLong(m.group(1), raw, source, expected);
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor;
        switch (unit) {
            case "KiB": factor = KIB; break;
            case "MiB": factor = MIB; break;
            case "GiB": factor = GIB; break;
            case "KB": factor = 1000; break;
            case "MB": factor = 1000_000; break;
            case "GB": factor = 1000_000_000; break;
            default: factor = 1;
        }
        if (n > Long.MAX_VALUE / factor) {
            throw invalid(raw, source, expected);
        }
        return n * factor;
    }

    private Duration parseDuration(String text, Object raw, String source) {
        Matcher m = DURATION.matcher(text);
        String expected = (min > 0 ? "a positive" : "a") + " duration such as 250ms, 30s, 2m or 1h";
        if (!m.matches()) {
            throw invalid(raw, source, expected);
        }
        long n = parseLong(m.group(1), raw, source, expected);
        String unit = m.group(2) == null ? "ms" : m.group(2);
        Duration d;
        switch (unit) {
            case "s": d = Duration.ofSeconds(n); break;
            case "m": d = Duration.ofMinutes(n); break;
            case "h": d = Duration.ofHours(n); break;
            default: d = Duration.ofMillis(n);
        }
        if (d.isZero() && min > 0) {
            throw invalid(raw, source, expected);
        }
        return d;
    }

    private ConfigException invalid(Object raw, String source, String expected) {
        return new ConfigException(name + ": \"" + raw + "\" from " + source + " (expected: " + expected + ")");
    }

    @Override
    public String toString() {
        return name;
    }
}
