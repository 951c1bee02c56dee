package io.peregrine.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import static io.peregrine.config.ValueSyntax.GIB;
import static io.peregrine.config.ValueSyntax.KIB;
import static io.peregrine.config.ValueSyntax.MIB;

/**
 * Every configuration key Peregrine knows, typed: its name, type, default, bounds and meaning.
 * This table is the one source of them: the loader converts and checks values with it,
 * {@code Peregrine.Builder} takes its defaults and validates its setters with it, and the
 * reference ({@code docs/configuration.md}) and the shipped {@code config/peregrine.yaml} are
 * checked against it by tests. Adding a key is one constant here.
 *
 * <p>The table is long by nature (one line a key); the parsing of sizes and durations lives in
 * {@link ValueSyntax}.
 *
 * @param <T> the value's Java type: String, Boolean, Integer, Long (a size in bytes), Duration or Path
 */
public final class ConfigKey<T> {

    /** The kinds of value a key holds. */
    public enum Type { STRING, BOOLEAN, INT, DURATION, SIZE, PATH }

    /** What turns a key into behaviour. */
    public enum Scope {
        /** A setting of the server itself: {@code Peregrine.Builder} has a setter for it (and {@code set(key, value)}). */
        SERVER,
        /**
         * Turned by the standalone launcher into policy objects (authenticators, rate limits, the
         * result cache, TLS contexts, the audit log); an embedding program builds those itself.
         */
        POLICY,
        /** The standalone launcher's own: the demo tools and the conformance fixtures. */
        LAUNCHER
    }

    // Keys register themselves here as the constants below are initialized, so this map must come first.
    private static final Map<String, ConfigKey<?>> REGISTRY = new LinkedHashMap<>();

    private static final Scope SERVER = Scope.SERVER;
    private static final Scope POLICY = Scope.POLICY;
    private static final Scope LAUNCHER = Scope.LAUNCHER;

    // ---------------------------------------------------------------- the server
    public static final ConfigKey<String> SERVER_NAME = string(SERVER, "server.name", "peregrine", "Name reported as serverInfo.name");
    public static final ConfigKey<String> SERVER_VERSION = string(SERVER, "server.version", "0.1.0", "Version reported as serverInfo.version");
    public static final ConfigKey<String> SERVER_INSTRUCTIONS = string(SERVER, "server.instructions", "", "Guidance for models on how to use this server (empty: none)");

    // ---------------------------------------------------------------- TCP
    public static final ConfigKey<Boolean> TCP_ENABLED = bool(SERVER, "tcp.enabled", true, "Serve MCP as newline-delimited JSON-RPC over TCP");
    public static final ConfigKey<String> TCP_HOST = string(SERVER, "tcp.host", "127.0.0.1", "Address the TCP listener binds");
    public static final ConfigKey<Integer> TCP_PORT = integer(SERVER, "tcp.port", 7400, 0, 65535, "Port of the TCP listener (0 picks a free port)");
    public static final ConfigKey<Long> TCP_MAX_LINE_LENGTH = size(SERVER, "tcp.max-line-length", 4 * MIB, KIB, 256 * MIB, "Longest message accepted (a line on TCP and stdio, a whole message on WebSocket); longer lines are answered with -32600, longer WebSocket messages close the socket with 1009");
    public static final ConfigKey<String> TCP_AUTH = oneOf(POLICY, "tcp.auth", "none", List.of("none", "api-key", "jwt"), "How TCP clients authenticate: none (loopback only), api-key or jwt; the credential goes in the first request's _meta as io.peregrine/authorization");
    public static final ConfigKey<Boolean> TCP_TLS = bool(POLICY, "tcp.tls", false, "Serve TLS on the TCP listener (tls.cert-file, tls.key-file)");

    // ---------------------------------------------------------------- HTTP
    public static final ConfigKey<Boolean> HTTP_ENABLED = builderDefault(bool(SERVER, "http.enabled", true, "Serve the HTTP listener: Streamable HTTP and WebSocket at ws.path, /health and /ready"), false);
    public static final ConfigKey<String> HTTP_HOST = string(SERVER, "http.host", "127.0.0.1", "Address the HTTP listener binds");
    public static final ConfigKey<Integer> HTTP_PORT = integer(SERVER, "http.port", 7401, 0, 65535, "Port of the HTTP listener (0 picks a free port)");
    public static final ConfigKey<String> HTTP_ALLOWED_ORIGINS = string(SERVER, "http.allowed-origins", "http://localhost:*,https://localhost:*,http://127.0.0.1:*,https://127.0.0.1:*",
            "Comma-separated origins browsers may connect from (scheme://host:port, :* for any port); requests with another Origin get 403, requests without one pass");
    public static final ConfigKey<Long> HTTP_MAX_BODY_SIZE = size(SERVER, "http.max-body-size", 4 * MIB, KIB, 256 * MIB, "Largest Streamable HTTP POST body; larger ones get 413");
    public static final ConfigKey<Duration> HTTP_REQUEST_READ_TIMEOUT = duration(SERVER, "http.request-read-timeout", Duration.ofSeconds(30), "How long one HTTP request may take to arrive whole; slower ones get 408 and the connection is closed (slow-loris)");
    public static final ConfigKey<Duration> HTTP_KEEP_ALIVE_TIMEOUT = durationOrZero(SERVER, "http.keep-alive-timeout", Duration.ofSeconds(60), "Close an idle HTTP keep-alive connection after this long (0: never)");
    public static final ConfigKey<Duration> HTTP_SSE_KEEP_ALIVE = durationOrZero(SERVER, "http.sse-keep-alive", Duration.ofSeconds(15), "Write an SSE comment on an open stream after this long without an event (0: never)");
    public static final ConfigKey<Boolean> HTTP_H2C = bool(SERVER, "http.h2c", true, "Serve HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the HTTP port");
    public static final ConfigKey<Boolean> HTTP_SESSIONS = bool(SERVER, "http.sessions", true, "Serve the 2025 revisions (initialize, Mcp-Session-Id) over Streamable HTTP; 2026-07-28 requests need no session either way");
    public static final ConfigKey<Integer> HTTP_MAX_SESSIONS = integer(SERVER, "http.max-sessions", 10_000, 1, 10_000_000, "2025-era Streamable HTTP sessions held at once; initialize beyond it gets 503");
    public static final ConfigKey<Duration> HTTP_SESSION_IDLE_TIMEOUT = duration(SERVER, "http.session-idle-timeout", Duration.ofMinutes(30), "End a Streamable HTTP session unused for this long");
    public static final ConfigKey<String> GATEWAY_SESSION_KEY = rule(string(SERVER, "gateway.session-key", "", "Secret sealing Streamable HTTP session ids (AES-256-GCM): any replica with the same key serves a 2025-era session another started, without shared storage (empty: ids are random and held by one process). Applies to the HTTP listener of any Peregrine, gateway or not; e.g. PEREGRINE_GATEWAY_SESSION_KEY"),
            k -> k.isEmpty() || k.length() >= 16, "empty, or at least 16 characters");
    public static final ConfigKey<Duration> GATEWAY_SESSION_MAX_AGE = duration(SERVER, "gateway.session-max-age", Duration.ofHours(24), "How long after initialize a sealed session id is still served (gateway.session-key); older ones get 404");
    public static final ConfigKey<String> GATEWAY_RESOURCE_URIS = oneOf(LAUNCHER, "gateway.resource-uris", "keep", List.of("keep", "rewrite"), "How upstreams' resource URIs are served unless gateway.upstreams.<name>.resource-uris says otherwise: keep (as each upstream gives them; the same URI from two sources collides) or rewrite (under the upstream's own scheme, file:///a becoming file+<name>:///a, docs/gateway.md#resource-uris)");
    public static final ConfigKey<Integer> GATEWAY_LINKED_RESOURCES = integer(SERVER, "gateway.linked-resources", 10_000, 0, 10_000_000, "Resource URIs that upstreams keeping their URIs (resource-uris: keep) point at in links, embedded resources and contents, remembered so that clients can read them through the gateway although the upstream does not list them; the least used are forgotten first (0: none; rewritten URIs need no memory, docs/gateway.md#resources-an-upstream-does-not-list)");
    public static final ConfigKey<Integer> HTTP_REPLAY_EVENTS = integer(SERVER, "http.replay-events", 256, 0, 1_000_000, "SSE events kept per stream for Last-Event-ID resumption (0: none)");
    public static final ConfigKey<String> HTTP_AUTH = oneOf(POLICY, "http.auth", "none", List.of("none", "api-key", "jwt"), "How HTTP and WebSocket clients authenticate: none (loopback only), api-key or jwt; the credential goes in the Authorization header, a missing or bad one gets 401");
    public static final ConfigKey<Boolean> HTTP_TLS = bool(POLICY, "http.tls", false, "Serve TLS on the HTTP listener: wss:// and https://");

    // ---------------------------------------------------------------- WebSocket
    public static final ConfigKey<String> WS_PATH = rule(string(SERVER, "ws.path", "/mcp", "Path of the MCP endpoint: WebSocket upgrades and Streamable HTTP (path/ws is served too)"),
            p -> p.startsWith("/"), "a path starting with /");
    public static final ConfigKey<Long> WS_MAX_FRAME_SIZE = size(SERVER, "ws.max-frame-size", 4 * MIB, 125, 256 * MIB, "Largest single WebSocket frame; larger ones close the socket with 1009");
    public static final ConfigKey<Duration> WS_IDLE_TIMEOUT = durationOrZero(SERVER, "ws.idle-timeout", Duration.ofMinutes(5), "Close a WebSocket after this long without anything read (0: never)");
    public static final ConfigKey<Duration> WS_PING_INTERVAL = durationOrZero(SERVER, "ws.ping-interval", Duration.ofSeconds(30), "Ping a WebSocket after this long without anything written (0: never)");
    public static final ConfigKey<Boolean> WS_COMPRESSION = bool(SERVER, "ws.compression", false, "Offer permessage-deflate");

    // ---------------------------------------------------------------- JSON, back-pressure, threads
    public static final ConfigKey<Integer> JSON_MAX_NESTING_DEPTH = integer(SERVER, "json.max-nesting-depth", 64, 1, 10_000, "How deeply JSON may nest; deeper messages are answered with -32700");
    public static final ConfigKey<Long> JSON_MAX_STRING_LENGTH = size(SERVER, "json.max-string-length", 4 * MIB, KIB, GIB, "Longest JSON string value accepted");
    public static final ConfigKey<Integer> CONNECTION_MAX_IN_FLIGHT = integer(SERVER, "connection.max-in-flight", 256, 1, 1_000_000, "Blocking calls one connection may have running before reading from it pauses");
    public static final ConfigKey<Integer> EXEC_MAX_CONCURRENCY = integer(SERVER, "exec.max-concurrency", 64, 1, 100_000, "Blocking tool calls running at once; beyond it calls are refused at once with -31000");
    public static final ConfigKey<Integer> EXEC_MAX_STRAY_CALLS = integer(SERVER, "exec.max-stray-calls", 16, 0, 100_000, "Ended calls whose handler ignores the interrupt and runs on (stuck): up to this many give their exec.max-concurrency slot back so that they do not starve other calls, and are listed in /health?verbose; beyond it they keep their slot");
    public static final ConfigKey<Boolean> EXEC_VIRTUAL_THREADS = bool(SERVER, "exec.virtual-threads", true, "Run blocking tools on virtual threads when the JDK has them (21+)");
    public static final ConfigKey<Integer> IO_THREADS = integer(SERVER, "io.threads", 0, 0, 1024, "I/O threads (0: twice the number of cores)");

    // ---------------------------------------------------------------- tools, asking the client, tasks
    public static final ConfigKey<Duration> TOOLS_DEFAULT_TIMEOUT = duration(SERVER, "tools.default-timeout", Duration.ofSeconds(30), "How long a blocking tool call may run unless its tool says otherwise");
    public static final ConfigKey<Boolean> TOOLS_VALIDATE_ARGUMENTS = bool(SERVER, "tools.validate-arguments", true, "Check call arguments against each tool's inputSchema (a tool may still opt out)");
    public static final ConfigKey<Integer> TOOLS_PAGE_SIZE = integer(SERVER, "tools.page-size", 100, 1, 10_000, "Tools per tools/list page");
    public static final ConfigKey<Duration> CLIENT_REQUESTS_TIMEOUT = duration(SERVER, "client-requests.timeout", Duration.ofSeconds(60), "How long a request to the client (sampling, elicitation, roots; 2025 era) waits for its answer");
    public static final ConfigKey<String> CLIENT_REQUESTS_STATE_KEY = rule(string(SERVER, "client-requests.state-key", "", "Key signing 2026-07-28 request states (empty: random per process); replicas behind one load balancer must share one, e.g. PEREGRINE_CLIENT_REQUESTS_STATE_KEY"),
            k -> k.isEmpty() || k.length() >= 16, "empty, or at least 16 characters");
    public static final ConfigKey<Duration> CLIENT_REQUESTS_STATE_TTL = duration(SERVER, "client-requests.state-ttl", Duration.ofMinutes(10), "How long a 2026-07-28 request state stays valid");
    public static final ConfigKey<Duration> TASKS_TTL = duration(SERVER, "tasks.ttl", Duration.ofHours(1), "How long a task and its result are kept after it was created");
    public static final ConfigKey<Integer> TASKS_MAX = integer(SERVER, "tasks.max", 10_000, 1, 10_000_000, "Most tasks kept at once; beyond it the oldest are forgotten");

    // ---------------------------------------------------------------- shutdown
    public static final ConfigKey<Duration> SHUTDOWN_READY_DELAY = builderDefault(durationOrZero(SERVER, "shutdown.ready-delay", Duration.ofSeconds(5),
            "On shutdown (SIGTERM), how long /ready answers 503 while everything is still served, so that load balancers stop sending first"), Duration.ZERO);
    public static final ConfigKey<Duration> SHUTDOWN_DRAIN_TIMEOUT = durationOrZero(SERVER, "shutdown.drain-timeout", Duration.ofSeconds(10), "After the ready-delay, how long shutdown waits for running calls before answering them with -31001");

    // ---------------------------------------------------------------- metrics and the admin listener
    public static final ConfigKey<Boolean> METRICS_ENABLED = bool(SERVER, "metrics.enabled", true, "Record Prometheus metrics and serve them at metrics.path on the HTTP listener, behind its authentication");
    public static final ConfigKey<String> METRICS_PATH = rule(string(SERVER, "metrics.path", "/metrics", "Path of the Prometheus scrape on the HTTP listener"),
            p -> p.startsWith("/"), "a path starting with /");
    public static final ConfigKey<Boolean> ADMIN_ENABLED = bool(SERVER, "admin.enabled", false, "Serve the admin listener: /metrics, /health and /ready on a port of their own, without authentication");
    public static final ConfigKey<String> ADMIN_HOST = string(SERVER, "admin.host", "127.0.0.1", "Address the admin listener binds; bind it only where the scraper and the orchestrator reach");
    public static final ConfigKey<Integer> ADMIN_PORT = integer(SERVER, "admin.port", 7402, 0, 65535, "Port of the admin listener (0 picks a free port)");

    // ---------------------------------------------------------------- the demo content (standalone server only)
    public static final ConfigKey<Boolean> DEMO_ENABLED = bool(LAUNCHER, "demo.enabled", true, "Serve the demo tools (echo, ask_user, ask_model, countdown, fs.*), the files under demo.fs.root as fs:/// resources, and the prompts review_file and compare_files");
    public static final ConfigKey<Path> DEMO_FS_ROOT = path(LAUNCHER, "demo.fs.root", ".", "Directory the fs.* demo tools and the fs:/// resources may read; nothing outside it is reachable");
    public static final ConfigKey<Long> DEMO_FS_MAX_READ_BYTES = size(LAUNCHER, "demo.fs.max-read-bytes", MIB, 1, GIB, "Most bytes fs.read returns in one call");
    public static final ConfigKey<Integer> DEMO_FS_MAX_RESULTS = integer(LAUNCHER, "demo.fs.max-results", 200, 1, 100_000, "Most entries fs.list and fs.search return, and most files listed as resources");

    // ---------------------------------------------------------------- authentication and authorization
    public static final ConfigKey<Boolean> AUTH_ALLOW_ANONYMOUS_REMOTE = bool(SERVER, "auth.allow-anonymous-remote", false, "Allow a listener with auth none on an address other than loopback");
    public static final ConfigKey<String> AUTH_API_KEYS_FILE = string(POLICY, "auth.api-keys-file", "", "File of API keys, one per line: principal key-or-sha256:hex scope...");
    public static final ConfigKey<String> AUTH_JWT_SECRET_ENV = string(POLICY, "auth.jwt.secret-env", "PEREGRINE_JWT_SECRET", "Environment variable holding the HS256 secret (the secret itself never goes in a file)");
    public static final ConfigKey<String> AUTH_JWT_JWKS_URL = string(POLICY, "auth.jwt.jwks-url", "", "JWKS URL of RS256/ES256 keys, used instead of the HS256 secret; refetched on an unknown kid");
    public static final ConfigKey<String> AUTH_JWT_ISSUER = string(POLICY, "auth.jwt.issuer", "", "Required iss of tokens (empty: not checked)");
    public static final ConfigKey<String> AUTH_JWT_AUDIENCE = string(POLICY, "auth.jwt.audience", "", "Required aud of tokens: this server's resource identifier (RFC 8707); needed when a listener uses jwt");
    public static final ConfigKey<Duration> AUTH_JWT_CLOCK_SKEW = durationOrZero(POLICY, "auth.jwt.clock-skew", Duration.ofSeconds(30), "Tolerance on exp and nbf");
    public static final ConfigKey<Duration> AUTH_JWT_JWKS_CACHE_TTL = duration(POLICY, "auth.jwt.jwks-cache-ttl", Duration.ofMinutes(5), "How long a fetched JWKS is used");
    public static final ConfigKey<Duration> AUTH_JWT_JWKS_MIN_REFRESH_INTERVAL = duration(POLICY, "auth.jwt.jwks-min-refresh-interval", Duration.ofSeconds(30), "Least time between JWKS fetches, however many unknown kids arrive");
    public static final ConfigKey<String> AUTH_ROLES = string(POLICY, "auth.roles", "", "Scopes granted to token roles (the roles claim): role=scope scope, role=scope");
    public static final ConfigKey<String> AUTH_CLIENT_CERTIFICATES = string(POLICY, "auth.client-certificates", "", "Scopes of mTLS client certificates by subject CN: cn=scope scope, cn=scope");
    public static final ConfigKey<String> AUTH_RESOURCE = string(POLICY, "auth.resource", "", "Resource identifier in /.well-known/oauth-protected-resource (empty: the request's origin)");
    public static final ConfigKey<String> AUTH_AUTHORIZATION_SERVERS = string(POLICY, "auth.authorization-servers", "", "Comma-separated authorization servers listed in that document");

    // ---------------------------------------------------------------- rate limits and the result cache
    public static final ConfigKey<String> LIMITS_GLOBAL = string(POLICY, "limits.global", "", "Tool calls of everyone together, N/period such as 1000/1s (empty: no limit); a refused call gets -31004 with data.retryAfterMs");
    public static final ConfigKey<String> LIMITS_PER_PRINCIPAL = string(POLICY, "limits.per-principal", "", "Tool calls of each principal, N/period (empty: no limit)");
    public static final ConfigKey<String> LIMITS_PER_TOOL = string(POLICY, "limits.per-tool", "", "Calls of each tool from everyone together: tool-pattern=N/period, ... (echo, fs.*, *)");
    public static final ConfigKey<String> LIMITS_PER_PRINCIPAL_TOOL = string(POLICY, "limits.per-principal-tool", "", "Calls of each tool by each principal: tool-pattern=N/period, ...");
    public static final ConfigKey<String> LIMITS_PER_CONNECTION = string(POLICY, "limits.per-connection", "", "Requests of any method on one connection, N/period (empty: no limit)");
    public static final ConfigKey<Integer> LIMITS_MAX_PRINCIPALS = integer(POLICY, "limits.max-principals", 100_000, 1, 100_000_000, "Principals whose buckets are kept; the least recently used are forgotten first");
    public static final ConfigKey<Duration> LIMITS_IDLE_EXPIRY = duration(POLICY, "limits.idle-expiry", Duration.ofMinutes(10), "How long a quiet principal's buckets are kept (never less than the longest period)");
    public static final ConfigKey<Integer> CACHE_MAX_ENTRIES = integer(POLICY, "cache.max-entries", 10_000, 1, 100_000_000, "Results of cacheable tools kept");

    // ---------------------------------------------------------------- TLS
    public static final ConfigKey<String> TLS_CERT_FILE = string(POLICY, "tls.cert-file", "", "PEM certificate chain of the listeners with tls: true");
    public static final ConfigKey<String> TLS_KEY_FILE = string(POLICY, "tls.key-file", "", "PEM (PKCS#8) private key of those listeners");
    public static final ConfigKey<String> TLS_CLIENT_AUTH = oneOf(POLICY, "tls.client-auth", "none", List.of("none", "optional", "require"), "Client certificates (mTLS), verified against tls.client-ca-file");
    public static final ConfigKey<String> TLS_CLIENT_CA_FILE = string(POLICY, "tls.client-ca-file", "", "PEM CA certificates that client certificates must chain to");
    public static final ConfigKey<String> TLS_PROVIDER = oneOf(POLICY, "tls.provider", "jdk", List.of("jdk", "openssl"), "TLS implementation; openssl needs netty-tcnative-boringssl-static on the class path");
    public static final ConfigKey<Duration> TLS_RELOAD_INTERVAL = durationOrZero(POLICY, "tls.reload-interval", Duration.ofSeconds(30), "How often new connections look for renewed certificate files (0: never)");

    // ---------------------------------------------------------------- audit, conformance
    // ---------------------------------------------------------------- state shared by replicas (Redis)
    public static final ConfigKey<String> REDIS_URI = string(POLICY, "redis.uri", "", "Redis shared by replicas: redis://host:port/db or rediss:// (empty: every limit stays in this process); with redis.cluster, seed nodes of a Redis Cluster, comma-separated");
    public static final ConfigKey<Boolean> REDIS_CLUSTER = bool(POLICY, "redis.cluster", false, "Speak to a Redis Cluster: redis.uri then names seed nodes, comma-separated (redis://host:port,redis://host:port; rediss:// for TLS), and every rate-limit bucket is kept in one hash slot, so on one node, while results and tasks spread over the cluster");
    public static final ConfigKey<String> REDIS_PASSWORD_ENV = string(POLICY, "redis.password-env", "", "Environment variable holding the Redis password (empty: none)");
    public static final ConfigKey<Duration> REDIS_TIMEOUT = duration(POLICY, "redis.timeout", Duration.ofMillis(250), "Longest a request waits on Redis before the failure mode applies");
    public static final ConfigKey<String> REDIS_KEY_PREFIX = string(POLICY, "redis.key-prefix", "peregrine:", "Prefix of every key this server writes in Redis");
    public static final ConfigKey<Boolean> REDIS_REQUIRED = bool(POLICY, "redis.required", false, "Make this replica not ready (/ready answers 503) while Redis does not answer; else it serves on, degraded as configured");
    public static final ConfigKey<String> REDIS_DISAGREEMENT = oneOf(POLICY, "redis.disagreement", "warn", List.of("warn", "refuse"), "When replicas alive on the same Redis and server.name differ in a setting that shapes shared keys (key prefix, limits, client-requests.state-key): warn and start, or refuse to start");
    public static final ConfigKey<Boolean> TASKS_SHARED = bool(POLICY, "tasks.shared", true, "Keep 2026-07-28 tasks' state in Redis when redis.uri is set, so that any replica answers tasks/get, tasks/update and tasks/cancel");
    public static final ConfigKey<Boolean> CACHE_SHARED = bool(POLICY, "cache.shared", true, "Share the results of cacheable tools through Redis when redis.uri is set: a second level behind each replica's own cache, and tool changes heard by every replica");
    public static final ConfigKey<Boolean> LIMITS_SHARED = bool(POLICY, "limits.shared", true, "Keep the rate limits in Redis when redis.uri is set (connection limits stay local)");
    public static final ConfigKey<String> LIMITS_SHARED_MODE = oneOf(POLICY, "limits.shared-mode", "exact", List.of("exact", "lease"), "How shared limits use Redis: exact (one script call per tool call, deciding all its limits at once) or lease (tokens taken a lease at a time and spent locally: fewer round trips, never more than the limit, tokens held by one replica unusable by another until the refill)");
    public static final ConfigKey<Integer> LIMITS_SHARED_BATCH = integer(POLICY, "limits.shared-batch", 64, 1, 1_000, "The most calls one script call decides in Redis: calls made while two are in flight wait for the next, which decides them in order, each as if alone (1: a script call per call)");
    public static final ConfigKey<Integer> LIMITS_LEASE_TOKENS = integer(POLICY, "limits.lease-tokens", 10, 1, 1_000_000, "In lease mode, the most tokens one lease takes from a shared bucket");
    public static final ConfigKey<Integer> LIMITS_LEASE_MAX_SHARE = integer(POLICY, "limits.lease-max-share", 10, 1, 100, "In lease mode, the most of a bucket's capacity one lease takes, in percent (at least one token): small limits are leased a token at a time");
    public static final ConfigKey<String> LIMITS_REDIS_FAILURE = oneOf(POLICY, "limits.redis-failure", "fail-open", List.of("fail-open", "fail-closed"), "When Redis fails: fail-open (each replica decides alone) or fail-closed (refuse)");

    public static final ConfigKey<Boolean> AUDIT_TOOL_CALLS = bool(POLICY, "audit.tool-calls", false, "Write one peregrine.audit line per tool call (refusals are always written)");

    // ---------------------------------------------------------------- operations: logs and traces (io.peregrine.ops)
    /** Keys under this prefix name a logger and set its level: {@code log.levels.io.netty: debug}. */
    public static final String LOG_LEVELS_PREFIX = "log.levels.";
    public static final ConfigKey<String> LOG_FORMAT = string(LAUNCHER, "log.format", "text", "Log lines on stderr: text, or json (one object a line, with trace_id and span_id)");
    public static final ConfigKey<String> LOG_LEVEL = string(LAUNCHER, "log.level", "info", "Level of the root logger: trace, debug, info, warn, error or off; "
            + LOG_LEVELS_PREFIX + "<logger> (file or --set) sets one logger's");
    public static final ConfigKey<Boolean> LOG_ACCESS = bool(LAUNCHER, "log.access", false, "Write a peregrine.access line per HTTP request (method, path without query, status, bytes, time)");
    public static final ConfigKey<String> LOG_AUDIT_FILE = string(LAUNCHER, "log.audit-file", "", "File of the peregrine.audit lines, JSON, rolled daily and by size (empty: on stderr with the rest)");
    public static final ConfigKey<Long> LOG_AUDIT_MAX_FILE_SIZE = size(LAUNCHER, "log.audit-max-file-size", 100 * MIB, KIB, 64 * GIB, "Size at which the audit file rolls over");
    public static final ConfigKey<Integer> LOG_AUDIT_MAX_HISTORY = integer(LAUNCHER, "log.audit-max-history", 30, 1, 36_500, "Days of rolled audit files kept");
    public static final ConfigKey<Long> LOG_AUDIT_TOTAL_SIZE_CAP = size(LAUNCHER, "log.audit-total-size-cap", GIB, KIB, 1024 * GIB, "Most bytes of rolled audit files kept; the oldest go first");
    public static final ConfigKey<Boolean> TRACING_ENABLED = bool(LAUNCHER, "tracing.enabled", false, "Export an OpenTelemetry span per request over OTLP/HTTP (off: no OpenTelemetry code runs)");
    public static final ConfigKey<String> TRACING_ENDPOINT = string(LAUNCHER, "tracing.endpoint", "http://127.0.0.1:4318/v1/traces", "OTLP/HTTP traces URL of the collector");
    public static final ConfigKey<String> TRACING_SAMPLE_RATIO = string(LAUNCHER, "tracing.sample-ratio", "1.0", "Share of new traces sampled, 0.0 to 1.0; a request with a parent follows its parent");
    public static final ConfigKey<String> TRACING_SERVICE_NAME = string(LAUNCHER, "tracing.service-name", "peregrine", "service.name of the exported spans");
    public static final ConfigKey<Boolean> TRACING_RECORD_ARGUMENTS = bool(LAUNCHER, "tracing.record-arguments", false, "Record tool-call arguments on spans (gen_ai.tool.call.arguments): they may hold secrets");
    public static final ConfigKey<Integer> TRACING_QUEUE_SIZE = integer(LAUNCHER, "tracing.queue-size", 2048, 1, 1_000_000, "Ended spans waiting for export at most; beyond it spans are dropped and counted");
    public static final ConfigKey<Duration> TRACING_EXPORT_TIMEOUT = duration(LAUNCHER, "tracing.export-timeout", Duration.ofSeconds(10), "How long one export to the collector may take");

    public static final ConfigKey<Boolean> CONFORMANCE_FIXTURES = bool(LAUNCHER, "conformance.fixtures", false, "Serve the MCP conformance suite's fixture tools (config/conformance.yaml turns this on)");

    // ---------------------------------------------------------------- registering this server (docs/gateway-discovery.md)
    public static final ConfigKey<String> REGISTRATION_CONSUL_ADDRESS = rule(string(LAUNCHER, "registration.consul.address", "",
            "Register this server with the Consul agent at this URL (http://127.0.0.1:8500), with an HTTP check on /health; deregistered on shutdown (empty: not registered)"),
            v -> v.isEmpty() || v.startsWith("http://") || v.startsWith("https://"), "empty, or an http:// or https:// URL");
    public static final ConfigKey<String> REGISTRATION_CONSUL_SERVICE = string(LAUNCHER, "registration.consul.service", "", "The Consul service name (empty: server.name)");
    public static final ConfigKey<String> REGISTRATION_CONSUL_ID = string(LAUNCHER, "registration.consul.id", "", "The instance's ID (empty: <service>-<host>-<port>)");
    public static final ConfigKey<String> REGISTRATION_CONSUL_TAGS = string(LAUNCHER, "registration.consul.tags", "", "Comma-separated tags of the instance");
    public static final ConfigKey<String> REGISTRATION_CONSUL_ADVERTISED_URL = string(LAUNCHER, "registration.consul.advertised-url", "",
            "Where clients reach this server, with an explicit port (empty: the HTTP listener's MCP path, else the TCP listener, as bound)");
    public static final ConfigKey<String> REGISTRATION_CONSUL_CHECK_URL = string(LAUNCHER, "registration.consul.check-url", "",
            "The URL Consul checks (empty: /health on the admin listener, else on the HTTP listener)");
    public static final ConfigKey<Duration> REGISTRATION_CONSUL_CHECK_INTERVAL = duration(LAUNCHER, "registration.consul.check-interval", Duration.ofSeconds(10), "How often Consul checks /health");
    public static final ConfigKey<Duration> REGISTRATION_CONSUL_DEREGISTER_AFTER = duration(LAUNCHER, "registration.consul.deregister-after", Duration.ofMinutes(1),
            "How long Consul keeps an instance whose check is critical (a process that died) before removing it");
    public static final ConfigKey<String> REGISTRATION_CONSUL_TOKEN_ENV = rule(string(LAUNCHER, "registration.consul.token-env", "",
            "The environment variable holding the Consul ACL token (empty: none); never the token itself"),
            v -> v.isEmpty() || v.matches("[A-Za-z_][A-Za-z0-9_]*"), "empty, or the name of an environment variable");
    public static final ConfigKey<String> REGISTRATION_ETCD_ENDPOINTS = rule(string(LAUNCHER, "registration.etcd.endpoints", "",
            "Register this server in etcd: comma-separated client URLs of the cluster (empty: not registered)"),
            v -> v.isEmpty() || httpUrlsValid(v), "empty, or comma-separated http:// or https:// URLs");
    public static final ConfigKey<String> REGISTRATION_ETCD_PREFIX = string(LAUNCHER, "registration.etcd.prefix", "",
            "The key prefix the server's key is written under (empty: /mcp/<server.name>/); the value is its URL");
    public static final ConfigKey<String> REGISTRATION_ETCD_ID = string(LAUNCHER, "registration.etcd.id", "", "What follows the prefix in the key (empty: <host>:<port> of the advertised URL)");
    public static final ConfigKey<String> REGISTRATION_ETCD_ADVERTISED_URL = string(LAUNCHER, "registration.etcd.advertised-url", "",
            "Where clients reach this server, with an explicit port (empty: the HTTP listener's MCP path, else the TCP listener, as bound)");
    public static final ConfigKey<Duration> REGISTRATION_ETCD_LEASE_TTL = duration(LAUNCHER, "registration.etcd.lease-ttl", Duration.ofSeconds(10),
            "The TTL of the lease the key is under (whole seconds, at least 2s), kept alive at a third of it; a process that dies disappears after it");

    private static final Map<String, ConfigKey<?>> ALL = Collections.unmodifiableMap(REGISTRY);

    // ---------------------------------------------------------------- the gateway: one group of keys per upstream
    // Templated keys: <name> stands for the upstream's name, <var> and <header> for a name of the
    // user's choosing. They have no value until set, so they are kept apart from ALL (whose every
    // key has a default value in every configuration).
    private static final Map<String, ConfigKey<?>> TEMPLATE_REGISTRY = new LinkedHashMap<>();
    /** The prefix of every upstream's keys. */
    public static final String UPSTREAMS_PREFIX = "gateway.upstreams.";
    /** What an upstream's name (the {@code <name>} of its keys) and a name prefix may be. */
    public static final java.util.regex.Pattern UPSTREAM_NAME = java.util.regex.Pattern.compile("[a-zA-Z0-9_-]{1,32}");
    private static final List<String> PROTOCOL_CHOICES = List.of("negotiate", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28");

    public static final ConfigKey<String> UPSTREAM_URL = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.url", "",
            "Where the upstream MCP server is: tcp://host:port, ws:// or wss://host:port/path, http:// or https://host:port/path "
                    + "(Streamable HTTP); several comma-separated URLs are replicas of one service, called in turn; set url or command"),
            ConfigKey::upstreamUrlsValid, "one or more comma-separated tcp://, ws://, wss://, http:// or https:// URLs"));
    public static final ConfigKey<String> UPSTREAM_COMMAND = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.command", "",
            "A command that serves MCP on stdio, split as a shell would (quotes, backslashes) but run without a shell; "
                    + "the child is restarted with backoff when it exits and its stderr is logged"));
    public static final ConfigKey<String> UPSTREAM_ENV = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.env.<var>", "",
            "An environment variable of the command's process (added to this process's environment)"));
    public static final ConfigKey<String> UPSTREAM_CWD = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.cwd", "",
            "Working directory of the command's process (empty: this process's)"));
    public static final ConfigKey<String> UPSTREAM_PREFIX = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.prefix", "",
            "What federated names start with (empty: the upstream's name)"),
            p -> p.isEmpty() || UPSTREAM_NAME.matcher(p).matches(), "empty, or 1 to 32 of A-Z a-z 0-9 _ -"));
    public static final ConfigKey<String> UPSTREAM_SEPARATOR = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.separator", "_",
            List.of("_", "__", "-"), "What stands between the prefix and the upstream's own name"));
    public static final ConfigKey<String> UPSTREAM_PREFIX_MODE = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.prefix-mode", "always",
            List.of("always", "collision", "never"),
            "always: every tool and prompt name is prefixed; collision: only names another upstream or a local tool also has; "
                    + "never: none, and a name that collides stops start-up naming both"));
    public static final ConfigKey<String> UPSTREAM_RESOURCE_URIS = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.resource-uris", "",
            "keep: resource URIs and templates as the upstream gives them, and one another source also offers stops start-up naming both; "
                    + "rewrite: their scheme gets +<name> (file:///a is served as file+<name>:///a) and is taken off again on the way upstream; "
                    + "empty: gateway.resource-uris"),
            v -> List.of("", "keep", "rewrite").contains(v.trim().toLowerCase(Locale.ROOT)), "empty, keep or rewrite"));
    public static final ConfigKey<String> UPSTREAM_TOOLS_INCLUDE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.tools.include", "*",
            "Comma-separated glob patterns (* and ?) of the upstream's own tool names to federate"));
    public static final ConfigKey<String> UPSTREAM_TOOLS_EXCLUDE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.tools.exclude", "",
            "Comma-separated glob patterns of tool names left out even when included"));
    public static final ConfigKey<String> UPSTREAM_RESOURCES_INCLUDE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.resources.include", "*",
            "Comma-separated glob patterns of resource URIs and URI templates to federate"));
    public static final ConfigKey<String> UPSTREAM_RESOURCES_EXCLUDE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.resources.exclude", "",
            "Comma-separated glob patterns of resource URIs and URI templates left out"));
    public static final ConfigKey<String> UPSTREAM_PROMPTS_INCLUDE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.prompts.include", "*",
            "Comma-separated glob patterns of prompt names to federate"));
    public static final ConfigKey<String> UPSTREAM_PROMPTS_EXCLUDE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.prompts.exclude", "",
            "Comma-separated glob patterns of prompt names left out"));
    public static final ConfigKey<Duration> UPSTREAM_CONNECT_TIMEOUT = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.connect-timeout", Duration.ofSeconds(5),
            "How long connecting (and the handshake) may take; start-up waits at most this long for the upstream"));
    public static final ConfigKey<Duration> UPSTREAM_CALL_TIMEOUT = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.call-timeout", Duration.ofSeconds(30),
            "How long a forwarded call may wait for the upstream's answer; then the upstream is told to cancel and the client gets -31006"));
    public static final ConfigKey<Integer> UPSTREAM_MAX_IN_FLIGHT = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.max-in-flight", 64, 1, 100_000,
            "Calls forwarded to the upstream at once (its bulkhead); one more waits up to max-in-flight-wait, then gets -31000"));
    public static final ConfigKey<Duration> UPSTREAM_MAX_IN_FLIGHT_WAIT = template(durationOrZero(LAUNCHER, UPSTREAMS_PREFIX + "<name>.max-in-flight-wait", Duration.ofMillis(500),
            "How long a call waits for a free slot of the bulkhead (0: refused at once)"));
    public static final ConfigKey<Duration> UPSTREAM_RECONNECT_BACKOFF = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.reconnect-backoff", Duration.ofMillis(200),
            "First delay before connecting again to an upstream that is down; it doubles (with jitter) up to reconnect-max-backoff"));
    public static final ConfigKey<Duration> UPSTREAM_RECONNECT_MAX_BACKOFF = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.reconnect-max-backoff", Duration.ofSeconds(10),
            "Longest delay between attempts to reach an upstream that is down"));
    public static final ConfigKey<String> UPSTREAM_HEADERS = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.headers.<header>", "",
            "An HTTP header sent to the upstream (WebSocket handshake, Streamable HTTP requests) as written; no credentials here: "
                    + "Authorization, Cookie and *-Key or *-Token headers must come from header-env"));
    public static final ConfigKey<String> UPSTREAM_HEADER_ENV = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.header-env.<header>", "",
            "The environment variable whose value is sent as this header, e.g. header-env.Authorization: WEATHER_TOKEN "
                    + "(the variable holds Bearer ...); a variable that is not set stops start-up"),
            v -> v.matches("[A-Za-z_][A-Za-z0-9_]*"), "the name of an environment variable"));
    public static final ConfigKey<String> UPSTREAM_PROTOCOL_VERSION = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.protocol-version", "negotiate",
            PROTOCOL_CHOICES, "The revision spoken to the upstream: negotiate (2026-07-28 when it answers server/discover, "
                    + "else initialize) or a pinned one"));

    // Load balancing, health checks and outlier detection over an upstream's endpoints (docs/gateway-balancing.md).
    public static final ConfigKey<String> UPSTREAM_TLS_CA_FILE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.tls.ca-file", "",
            "PEM CA certificates the upstream's certificate must chain to (https://, wss://; tcp:// then speaks TLS) instead "
                    + "of the JDK's trusted roots; host names are verified too"));
    public static final ConfigKey<String> UPSTREAM_TLS_CERT_FILE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.tls.cert-file", "",
            "PEM client certificate chain presented to an upstream that asks for one (mTLS); with tls.key-file"));
    public static final ConfigKey<String> UPSTREAM_TLS_KEY_FILE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.tls.key-file", "",
            "PEM (PKCS#8) private key of tls.cert-file; it must match the certificate"));
    public static final ConfigKey<Boolean> UPSTREAM_TLS_VERIFY = template(bool(LAUNCHER, UPSTREAMS_PREFIX + "<name>.tls.verify", true,
            "Verify the upstream's certificate chain and host name; false accepts any certificate (development only, "
                    + "logged as a warning at start)"));
    public static final ConfigKey<Boolean> UPSTREAM_H2C = template(bool(LAUNCHER, UPSTREAMS_PREFIX + "<name>.h2c", false,
            "Streamable HTTP to the upstream's http:// URLs over cleartext HTTP/2 with prior knowledge: one connection "
                    + "per replica, a stream per exchange (the upstream must serve h2c)"));
    public static final ConfigKey<Boolean> UPSTREAM_LINK_PER_IO_THREAD = template(bool(LAUNCHER, UPSTREAMS_PREFIX + "<name>.link-per-io-thread", true,
            "Besides its first link, open one link per I/O thread of the gateway to each network endpoint, on that thread, so "
                    + "that a forwarded call and its answer cross no thread (not for a stdio command)"));
    public static final ConfigKey<Duration> UPSTREAM_TASK_START_WAIT = template(durationOrZero(LAUNCHER, UPSTREAMS_PREFIX + "<name>.task-start-wait", Duration.ofMillis(500),
            "How long a 2026-07-28 client's call of a tool that a 2025 upstream runs only as a task stays a plain call, so that "
                    + "what the task asks first is settled in input_required rounds before the client is handed the task; the task is "
                    + "handed over sooner when the upstream's result arrives (0: at once)"));
    public static final ConfigKey<String> UPSTREAM_LOAD_BALANCING = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.load-balancing", "least-in-flight",
            List.of("least-in-flight", "round-robin", "weighted-round-robin", "consistent-hash"),
            "How a call's endpoint is chosen among the healthy ones: least-in-flight (two at random, the one with fewer calls "
                    + "in flight for its weight), round-robin, weighted-round-robin (smooth, by weights) or consistent-hash (on hash-key)"));
    public static final ConfigKey<String> UPSTREAM_WEIGHTS = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.weights", "",
            "Comma-separated host:port=weight (1 to 1000) of the endpoints; an endpoint not named weighs 1 (least-in-flight, "
                    + "weighted-round-robin and consistent-hash use weights)"),
            ConfigKey::weightsValid, "comma-separated host:port=weight, each weight 1 to 1000"));
    public static final ConfigKey<String> UPSTREAM_HASH_KEY = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.hash-key", "session",
            "What consistent-hash hashes: principal (who authenticated), session (the client's 2025 session) or argument:<name> "
                    + "(a tool argument's value); a call without one is balanced by least-in-flight"),
            v -> v.equals("principal") || v.equals("session") || (v.startsWith("argument:") && v.length() > "argument:".length()),
            "principal, session or argument:<name>"));
    public static final ConfigKey<Duration> UPSTREAM_SLOW_START = template(durationOrZero(LAUNCHER, UPSTREAMS_PREFIX + "<name>.slow-start", Duration.ZERO,
            "An endpoint that joined, came back or was let back in weighs from a tenth of its weight to all of it over this "
                    + "long (0: at once)"));
    public static final ConfigKey<Duration> UPSTREAM_HEALTH_INTERVAL = template(durationOrZero(LAUNCHER, UPSTREAMS_PREFIX + "<name>.health.interval", Duration.ofSeconds(5),
            "How often each connected endpoint is checked with an MCP request: ping (2025 revisions) or server/discover (2026-07-28) "
                    + "(0: no active checks)"));
    public static final ConfigKey<Duration> UPSTREAM_HEALTH_TIMEOUT = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.health.timeout", Duration.ofSeconds(2),
            "How long a health check waits for its answer before it counts as failed"));
    public static final ConfigKey<Integer> UPSTREAM_HEALTH_UNHEALTHY_THRESHOLD = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.health.unhealthy-threshold", 2, 1, 100,
            "Failed checks in a row that make an endpoint unhealthy: it takes no calls"));
    public static final ConfigKey<Integer> UPSTREAM_HEALTH_HEALTHY_THRESHOLD = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.health.healthy-threshold", 2, 1, 100,
            "Passed checks in a row that make an unhealthy endpoint healthy again"));
    public static final ConfigKey<Integer> UPSTREAM_OUTLIER_CONSECUTIVE_FAILURES = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.outlier.consecutive-failures", 5, 0, 10_000,
            "Calls in a row that failed on an endpoint (not sent, link lost, timed out, JSON-RPC internal error) that eject it "
                    + "(0: never ejected)"));
    public static final ConfigKey<Duration> UPSTREAM_OUTLIER_BASE_EJECTION = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.outlier.base-ejection", Duration.ofSeconds(30),
            "How long an ejected endpoint takes no calls, times the number of times it was ejected"));
    public static final ConfigKey<Duration> UPSTREAM_OUTLIER_MAX_EJECTION = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.outlier.max-ejection", Duration.ofMinutes(5),
            "The longest ejection, however often an endpoint was ejected"));
    public static final ConfigKey<Integer> UPSTREAM_OUTLIER_MAX_EJECTION_PERCENT = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.outlier.max-ejection-percent", 50, 0, 100,
            "The share of the upstream's endpoints that may be ejected at once (rounded down); one endpoint always stays"));
    // Discovery of an upstream's endpoints while the gateway runs (docs/gateway-discovery.md).
    private static final List<String> TARGET_SCHEMES = List.of("tcp", "ws", "wss", "http", "https");
    public static final ConfigKey<String> UPSTREAM_DISCOVERY = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery", "static",
            List.of("static", "dns", "consul", "etcd"), "Where the upstream's endpoints come from: static (the url list), "
                    + "dns (A/AAAA or SRV records), consul (the health API) or etcd (values under a key prefix); "
                    + "a discovered list replaces the endpoints without a restart, and a failing lookup keeps the last list"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_DNS_NAME = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.name", "",
            "The DNS name looked up: an A/AAAA name (weather.default.svc.cluster.local) or, with srv, an SRV name "
                    + "(_mcp._tcp.weather.default.svc.cluster.local)"));
    public static final ConfigKey<Boolean> UPSTREAM_DISCOVERY_DNS_SRV = template(bool(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.srv", false,
            "Look up SRV records (each names a host and a port; the host's A/AAAA records are looked up in turn) instead of A/AAAA"));
    public static final ConfigKey<Integer> UPSTREAM_DISCOVERY_DNS_PORT = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.port", 0, 0, 65535,
            "The port of the A/AAAA addresses (needed unless srv is true)"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_DNS_RESOLVER = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.resolver", "",
            "The DNS server asked, host:port (empty: the first nameserver of /etc/resolv.conf)"),
            v -> v.isEmpty() || v.matches("\\[?[0-9A-Za-z.:-]+]?:[0-9]{1,5}"), "empty, or host:port"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_DNS_SCHEME = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.scheme", "http",
            TARGET_SCHEMES, "The scheme of the endpoints' URLs, scheme://host:port/path"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_DNS_PATH = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.path", "/mcp",
            "The path of the endpoints' URLs (not used by tcp)"), p -> p.isEmpty() || p.startsWith("/"), "empty, or a path starting with /"));
    public static final ConfigKey<Duration> UPSTREAM_DISCOVERY_DNS_MIN_REFRESH = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.min-refresh", Duration.ofSeconds(1),
            "The shortest time between lookups, whatever the records' TTL (which otherwise decides when to look again)"));
    public static final ConfigKey<Duration> UPSTREAM_DISCOVERY_DNS_MAX_REFRESH = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.dns.max-refresh", Duration.ofSeconds(30),
            "The longest time between lookups, whatever the records' TTL"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_ADDRESS = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.address", "http://127.0.0.1:8500",
            "The Consul agent's HTTP API"), v -> v.startsWith("http://") || v.startsWith("https://"), "an http:// or https:// URL"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_SERVICE = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.service", "",
            "The Consul service whose passing instances are the endpoints (empty: the upstream's name)"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_TAG = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.tag", "",
            "Only instances with this tag (empty: any)"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_TOKEN_ENV = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.token-env", "",
            "The environment variable holding the Consul ACL token, sent as X-Consul-Token (empty: none); never the token itself"),
            v -> v.isEmpty() || v.matches("[A-Za-z_][A-Za-z0-9_]*"), "empty, or the name of an environment variable"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_DATACENTER = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.datacenter", "",
            "The datacenter asked (empty: the agent's own)"));
    public static final ConfigKey<Duration> UPSTREAM_DISCOVERY_CONSUL_WAIT = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.wait", Duration.ofSeconds(30),
            "How long a blocking query waits for a change (at most 10m)"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_SCHEME = template(oneOf(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.scheme", "http",
            TARGET_SCHEMES, "The scheme of the endpoints' URLs, scheme://address:port/path"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_CONSUL_PATH = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.consul.path", "/mcp",
            "The path of the endpoints' URLs (not used by tcp)"), p -> p.isEmpty() || p.startsWith("/"), "empty, or a path starting with /"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_ETCD_ENDPOINTS = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.etcd.endpoints", "http://127.0.0.1:2379",
            "Comma-separated URLs of the etcd cluster's JSON gateway (its client URLs), tried in turn"),
            ConfigKey::httpUrlsValid, "comma-separated http:// or https:// URLs"));
    public static final ConfigKey<String> UPSTREAM_DISCOVERY_ETCD_PREFIX = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.discovery.etcd.prefix", "",
            "The key prefix whose values are the endpoints' URLs (empty: /mcp/<name>/)"));
    // Resilience of the calls forwarded to an upstream (docs/gateway-resilience.md).
    public static final ConfigKey<Boolean> UPSTREAM_BREAKER_ENABLED = template(bool(LAUNCHER, UPSTREAMS_PREFIX + "<name>.circuit-breaker.enabled", true,
            "Circuit breakers per endpoint and per tool: once too many recent calls failed for the upstream's health "
                    + "(timeouts, lost links, internal errors), calls fail at once with -31005 and data.retryAfterMs"));
    public static final ConfigKey<Integer> UPSTREAM_BREAKER_WINDOW = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.circuit-breaker.window", 20, 1, 10_000,
            "How many of the latest calls a breaker judges the failure rate on (a count-based sliding window)"));
    public static final ConfigKey<Integer> UPSTREAM_BREAKER_MINIMUM_CALLS = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.circuit-breaker.minimum-calls", 10, 1, 10_000,
            "Calls a breaker must have seen before it may open"));
    public static final ConfigKey<Integer> UPSTREAM_BREAKER_FAILURE_RATE = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.circuit-breaker.failure-rate", 50, 1, 100,
            "Percentage of failed calls in the window at which a breaker opens"));
    public static final ConfigKey<Duration> UPSTREAM_BREAKER_OPEN_FOR = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.circuit-breaker.open-for", Duration.ofSeconds(10),
            "How long an open breaker refuses calls before it lets probes through (half-open)"));
    public static final ConfigKey<Integer> UPSTREAM_BREAKER_PROBES = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.circuit-breaker.half-open-calls", 3, 1, 1_000,
            "Probe calls a half-open breaker lets through; it closes when they succeed, opens again when they fail"));
    public static final ConfigKey<Integer> UPSTREAM_RETRY_MAX_ATTEMPTS = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.retry.max-attempts", 3, 1, 10,
            "Attempts of one call at most (1: never retried); only idempotent requests are retried, and any request the "
                    + "upstream provably never received"));
    public static final ConfigKey<Duration> UPSTREAM_RETRY_BACKOFF = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.retry.backoff", Duration.ofMillis(25),
            "Delay before the first retry; it doubles for each further one, with full jitter, up to retry.max-backoff"));
    public static final ConfigKey<Duration> UPSTREAM_RETRY_MAX_BACKOFF = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.retry.max-backoff", Duration.ofSeconds(1),
            "Longest delay before a retry"));
    public static final ConfigKey<Integer> UPSTREAM_RETRY_BUDGET = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.retry.budget-percent", 20, 0, 100,
            "Retries (and hedges) allowed as a percentage of the calls of the last retry.budget-window, so that a failing "
                    + "upstream is not stormed"));
    public static final ConfigKey<Integer> UPSTREAM_RETRY_BUDGET_MIN = template(integer(LAUNCHER, UPSTREAMS_PREFIX + "<name>.retry.budget-min-per-second", 5, 0, 100_000,
            "Retries allowed per second whatever the percentage (so that an upstream with few calls can still be retried)"));
    public static final ConfigKey<Duration> UPSTREAM_RETRY_BUDGET_WINDOW = template(duration(LAUNCHER, UPSTREAMS_PREFIX + "<name>.retry.budget-window", Duration.ofSeconds(10),
            "The sliding window the retry budget counts calls and retries over"));
    public static final ConfigKey<Boolean> UPSTREAM_HEDGE_ENABLED = template(bool(LAUNCHER, UPSTREAMS_PREFIX + "<name>.hedge.enabled", false,
            "Hedging of idempotent calls: when the first attempt has not answered after hedge.delay, a second goes to "
                    + "another endpoint; the first answer wins and the other is cancelled"));
    public static final ConfigKey<Duration> UPSTREAM_HEDGE_DELAY = template(durationOrZero(LAUNCHER, UPSTREAMS_PREFIX + "<name>.hedge.delay", Duration.ZERO,
            "How long to wait before hedging (0: the upstream's observed 95th percentile latency, once 20 calls were seen)"));
    public static final ConfigKey<String> UPSTREAM_FALLBACK_TEXT = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.fallback.<tool>.text", "",
            "The text result of the upstream's tool <tool> (its own name) when its breaker is open or every attempt failed"));
    public static final ConfigKey<String> UPSTREAM_FALLBACK_ERROR = template(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.fallback.<tool>.error", "",
            "As fallback.<tool>.text, but a result with isError: true"));
    public static final ConfigKey<String> UPSTREAM_FALLBACK_UPSTREAM = template(rule(string(LAUNCHER, UPSTREAMS_PREFIX + "<name>.fallback.<tool>.upstream", "",
            "Another upstream that answers instead, as <upstream> (its tool of the same name) or <upstream>/<tool>"),
            v -> v.matches("[a-zA-Z0-9_-]{1,32}(/.+)?"), "an upstream's name, optionally followed by /tool"));

    private static final Map<String, ConfigKey<?>> TEMPLATES = Collections.unmodifiableMap(TEMPLATE_REGISTRY);

    private final Scope scope;
    private final String name;
    private final Type type;
    private final T defaultValue;
    private final T builderDefault;
    private final long min;
    private final long max;
    private final Predicate<T> rule;
    private final String ruleText;
    private final String description;
    /** For a concrete key of an upstream (gateway.upstreams.peri.url): its template; otherwise null. */
    private final ConfigKey<T> template;

    private ConfigKey(Scope scope, String name, Type type, T defaultValue, T builderDefault, long min, long max,
                      Predicate<T> rule, String ruleText, String description) {
        this(scope, name, type, defaultValue, builderDefault, min, max, rule, ruleText, description, null, true);
    }

    private ConfigKey(Scope scope, String name, Type type, T defaultValue, T builderDefault, long min, long max,
                      Predicate<T> rule, String ruleText, String description, ConfigKey<T> template, boolean register) {
        this.scope = scope;
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.builderDefault = builderDefault;
        this.min = min;
        this.max = max;
        this.rule = rule;
        this.ruleText = ruleText;
        this.description = description;
        this.template = template;
        // A key made from another (a rule or a builder default added) takes its place, which keeps its position.
        if (register) {
            REGISTRY.put(name, this);
        }
    }

    private static ConfigKey<String> string(Scope scope, String name, String def, String description) {
        return new ConfigKey<>(scope, name, Type.STRING, def, def, 0, 0, null, null, description);
    }

    private static ConfigKey<String> oneOf(Scope scope, String name, String def, List<String> values, String description) {
        String text = values.size() == 1 ? values.get(0)
                : String.join(", ", values.subList(0, values.size() - 1)) + " or " + values.get(values.size() - 1);
        return rule(string(scope, name, def, description), v -> values.contains(v.trim().toLowerCase(Locale.ROOT)), text);
    }

    private static ConfigKey<Boolean> bool(Scope scope, String name, boolean def, String description) {
        return new ConfigKey<>(scope, name, Type.BOOLEAN, def, def, 0, 0, null, null, description);
    }

    private static ConfigKey<Integer> integer(Scope scope, String name, int def, int min, int max, String description) {
        return new ConfigKey<>(scope, name, Type.INT, def, def, min, max, null, null, description);
    }

    private static ConfigKey<Long> size(Scope scope, String name, long def, long min, long max, String description) {
        return new ConfigKey<>(scope, name, Type.SIZE, def, def, min, max, null, null, description);
    }

    private static ConfigKey<Duration> duration(Scope scope, String name, Duration def, String description) {
        return new ConfigKey<>(scope, name, Type.DURATION, def, def, 1, Long.MAX_VALUE, null, null, description);
    }

    /** A duration where zero is meaningful (never, or at once). */
    private static ConfigKey<Duration> durationOrZero(Scope scope, String name, Duration def, String description) {
        return new ConfigKey<>(scope, name, Type.DURATION, def, def, 0, Long.MAX_VALUE, null, null, description);
    }

    private static ConfigKey<Path> path(Scope scope, String name, String def, String description) {
        return new ConfigKey<>(scope, name, Type.PATH, Path.of(def), Path.of(def), 0, 0, null, null, description);
    }

    private static <T> ConfigKey<T> rule(ConfigKey<T> k, Predicate<T> rule, String ruleText) {
        return new ConfigKey<>(k.scope, k.name, k.type, k.defaultValue, k.builderDefault, k.min, k.max, rule, ruleText,
                k.description);
    }

    /** A key whose default in {@code Peregrine.builder()} differs from the standalone server's. */
    private static <T> ConfigKey<T> builderDefault(ConfigKey<T> k, T builderDefault) {
        return new ConfigKey<>(k.scope, k.name, k.type, k.defaultValue, builderDefault, k.min, k.max, k.rule, k.ruleText,
                k.description);
    }

    /** Moves a key whose name holds placeholders ({@code <name>}) from the plain keys to the templates. */
    private static <T> ConfigKey<T> template(ConfigKey<T> k) {
        REGISTRY.remove(k.name);
        TEMPLATE_REGISTRY.put(k.name, k);
        return k;
    }

    private static boolean weightsValid(String value) {
        if (value.isBlank()) {
            return true;
        }
        for (String entry : value.split(",")) {
            int eq = entry.lastIndexOf('=');
            if (eq <= 0 || entry.substring(0, eq).isBlank()) {
                return false;
            }
            try {
                int w = Integer.parseInt(entry.substring(eq + 1).trim());
                if (w < 1 || w > 1000) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    private static boolean httpUrlsValid(String value) {
        boolean any = false;
        for (String url : value.split(",")) {
            String u = url.trim();
            if (u.isEmpty()) {
                continue;
            }
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                return false;
            }
            any = true;
        }
        return any;
    }

    private static boolean upstreamUrlsValid(String value) {
        if (value.isBlank()) {
            return true;
        }
        for (String url : value.split(",")) {
            String u = url.trim().toLowerCase(Locale.ROOT);
            int colon = u.indexOf("://");
            if (colon <= 0 || u.length() <= colon + 3
                    || !List.of("tcp", "ws", "wss", "http", "https").contains(u.substring(0, colon))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The templated keys: those of each upstream, {@code gateway.upstreams.<name>.url} and its
     * siblings, in documentation order. A configuration holds a concrete key of a template
     * ({@code gateway.upstreams.peri.url}) only when it was set.
     */
    public static Map<String, ConfigKey<?>> templates() {
        return TEMPLATES;
    }

    /** Whether this key's name holds placeholders ({@code <name>}). */
    public boolean isTemplate() {
        return name.indexOf('<') >= 0;
    }

    /** The template a concrete key was made from, or this key itself. */
    public ConfigKey<T> template() {
        return template != null ? template : this;
    }

    /**
     * The concrete key {@code name} of a templated key, e.g. {@code gateway.upstreams.peri.url}, or
     * null when no template matches it. Each placeholder stands for one segment of the name.
     *
     * @throws ConfigException when the name matches a template but a segment is not a valid name there
     */
    private static ConfigKey<?> concrete(String name) {
        if (!name.startsWith(UPSTREAMS_PREFIX)) {
            return null;
        }
        String[] parts = name.split("\\.", -1);
        for (ConfigKey<?> t : TEMPLATES.values()) {
            String[] pattern = t.name.split("\\.", -1);
            if (pattern.length != parts.length) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < pattern.length && matches; i++) {
                matches = pattern[i].startsWith("<") ? !parts[i].isEmpty() : pattern[i].equals(parts[i]);
            }
            if (matches) {
                String upstream = parts[2];
                if (!UPSTREAM_NAME.matcher(upstream).matches()) {
                    throw new ConfigException("\"" + name + "\": the upstream's name \"" + upstream
                            + "\" must be 1 to 32 of A-Z a-z 0-9 _ - (it becomes the prefix of federated names)");
                }
                return t.instance(name);
            }
        }
        return null;
    }

    private ConfigKey<T> instance(String concreteName) {
        return new ConfigKey<>(scope, concreteName, type, defaultValue, builderDefault, min, max, rule, ruleText,
                description, this, false);
    }

    /**
     * The concrete key an environment variable sets, for the templated keys:
     * {@code PEREGRINE_GATEWAY_UPSTREAMS_PERI_CALL_TIMEOUT} sets {@code gateway.upstreams.peri.call-timeout}.
     * The upstream's name is read in lower case ({@code _} stays {@code _}); the shortest name that
     * leaves a known key wins. An {@code env.<var>} keeps the variable's case; a header name reads
     * {@code _} as {@code -}. Null when the variable is not under {@code PEREGRINE_GATEWAY_UPSTREAMS_}.
     *
     * @throws ConfigException when it is under that prefix but names no key
     */
    public static String nameOfEnvironmentVariable(String variable) {
        String head = "PEREGRINE_GATEWAY_UPSTREAMS_";
        if (!variable.startsWith(head)) {
            return null;
        }
        String rest = variable.substring(head.length());
        for (int cut = rest.indexOf('_'); cut > 0; cut = rest.indexOf('_', cut + 1)) {
            String upstream = rest.substring(0, cut).toLowerCase(Locale.ROOT);
            String tail = rest.substring(cut + 1);
            for (ConfigKey<?> t : TEMPLATES.values()) {
                String suffix = t.name.substring((UPSTREAMS_PREFIX + "<name>.").length());
                int placeholder = suffix.indexOf('<');
                if (placeholder < 0) {
                    if (tail.equals(envForm(suffix))) {
                        return UPSTREAMS_PREFIX + upstream + "." + suffix;
                    }
                } else {
                    String fixed = envForm(suffix.substring(0, placeholder));
                    int close = suffix.indexOf('>', placeholder);
                    if (close + 1 < suffix.length()) {
                        // A placeholder in the middle (fallback.<tool>.text): the name between is read in lower case.
                        String after = envForm(suffix.substring(close + 1));
                        if (tail.startsWith(fixed) && tail.endsWith(after) && tail.length() > fixed.length() + after.length()) {
                            String middle = tail.substring(fixed.length(), tail.length() - after.length()).toLowerCase(Locale.ROOT);
                            return UPSTREAMS_PREFIX + upstream + "." + suffix.substring(0, placeholder) + middle
                                    + suffix.substring(close + 1);
                        }
                        continue;
                    }
                    if (tail.startsWith(fixed) && tail.length() > fixed.length()) {
                        String free = tail.substring(fixed.length());
                        String leaf = suffix.startsWith("env.") ? free : free.replace('_', '-');
                        return UPSTREAMS_PREFIX + upstream + "." + suffix.substring(0, placeholder) + leaf;
                    }
                }
            }
        }
        throw new ConfigException("environment variable " + variable + " names no key of an upstream (expected: "
                + head + "<NAME>_URL, _COMMAND, _CALL_TIMEOUT, _ENV_<VAR>, _HEADERS_<HEADER>, ...; see docs/configuration.md)");
    }

    private static String envForm(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every key, in documentation order. */
    public static Map<String, ConfigKey<?>> all() {
        return ALL;
    }

    /**
     * The key {@code name}, or null. A {@code log.levels.<logger>} key is read as {@code log.level}
     * is; a key of an upstream ({@code gateway.upstreams.peri.url}) is a concrete key of its template.
     *
     * @throws ConfigException when {@code name} is an upstream's key with a name that is not valid
     */
    public static ConfigKey<?> find(String name) {
        ConfigKey<?> key = ALL.get(name);
        if (key == null && name.startsWith(LOG_LEVELS_PREFIX) && name.length() > LOG_LEVELS_PREFIX.length()) {
            return ALL.get("log.level");
        }
        if (key == null) {
            return concrete(name);
        }
        return key;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public Scope scope() {
        return scope;
    }

    /** The group a key belongs to in the file and the reference: {@code tcp} for {@code tcp.max-line-length}. */
    public String group() {
        return name.substring(0, name.indexOf('.'));
    }

    /** The standalone server's default (what {@code config/peregrine.yaml} holds). */
    public T defaultValue() {
        return defaultValue;
    }

    /**
     * The default of an embedded server, {@code Peregrine.builder()}: the same as {@link #defaultValue()}
     * except where a library should not act as a standalone process does (no HTTP listener unless
     * asked for, no ready-delay on close).
     */
    public T builderDefault() {
        return builderDefault;
    }

    public String description() {
        return description;
    }

    /** The least value: for integers and sizes the bound itself, for durations in milliseconds (0 or 1). */
    public long min() {
        return min;
    }

    /** The greatest value of an integer or a size; {@code Long.MAX_VALUE} for durations, 0 for the other types. */
    public long max() {
        return max;
    }

    /** The environment variable that overrides this key: {@code tcp.max-line-length} → {@code PEREGRINE_TCP_MAX_LINE_LENGTH}. */
    public String envName() {
        return "PEREGRINE_" + envForm(name).replace("<NAME>", "<name>").replace("<VAR>", "<var>").replace("<HEADER>", "<header>");
    }

    /**
     * What a value must be, as the reference and the error messages say it: {@code 0 to 65535},
     * {@code 1KiB to 256MiB}, {@code > 0}, {@code >= 0}, {@code none, api-key or jwt}; empty when any
     * value of the type will do.
     */
    public String bounds() {
        switch (type) {
            case INT:
                return min + " to " + max;
            case SIZE:
                return ValueSyntax.formatSize(min) + " to " + ValueSyntax.formatSize(max);
            case DURATION:
                return min > 0 ? "> 0" : ">= 0";
            default:
                return ruleText == null ? "" : ruleText;
        }
    }

    /** {@code value} as a configuration file writes it: {@code 4MiB}, {@code 30s}, {@code true}. */
    public String format(T value) {
        if (value instanceof Duration) {
            return ValueSyntax.formatDuration((Duration) value);
        }
        if (type == Type.SIZE) {
            return ValueSyntax.formatSize((Long) value);
        }
        return String.valueOf(value);
    }

    /**
     * Checks a value set in code, the way {@link #convert} checks one from a file: within the
     * bounds, and not null.
     *
     * @return {@code value}
     * @throws IllegalArgumentException naming the key, the value and what was expected, e.g.
     *         {@code ws.idle-timeout : -5s (expected: >= 0)}
     * @throws NullPointerException when {@code value} is null
     */
    public T check(T value) {
        Objects.requireNonNull(value, name);
        if (!accepts(value)) {
            throw new IllegalArgumentException(name + " : " + format(value) + " (expected: " + bounds() + ")");
        }
        return value;
    }

    /** {@link #check} for a value of unknown type, as {@code Peregrine.Builder.set} receives it. */
    public T checkAny(Object value) {
        Objects.requireNonNull(value, name);
        Class<?> expected = javaType();
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(name + " : " + value + " (expected: a value of type " + expected.getSimpleName() + ")");
        }
        return check(cast(value));
    }

    @SuppressWarnings("unchecked")
    private T cast(Object value) {
        return (T) value;
    }

    /** The Java type of this key's values. */
    public Class<?> javaType() {
        switch (type) {
            case STRING: return String.class;
            case BOOLEAN: return Boolean.class;
            case INT: return Integer.class;
            case SIZE: return Long.class;
            case DURATION: return Duration.class;
            default: return Path.class;
        }
    }

    private boolean accepts(T value) {
        switch (type) {
            case INT:
                return (Integer) value >= min && (Integer) value <= max;
            case SIZE:
                return (Long) value >= min && (Long) value <= max;
            case DURATION:
                Duration d = (Duration) value;
                return !d.isNegative() && !(min > 0 && d.isZero());
            default:
                return rule == null || rule.test(value);
        }
    }

    /**
     * Converts a value from a file, the environment or {@code --set} to this key's type.
     *
     * @param source where the value came from, for the error message
     * @throws ConfigException naming the key, the value, its source and what was expected
     */
    public T convert(Object raw, String source) {
        String text = String.valueOf(raw).trim();
        Object value;
        switch (type) {
            case STRING:
                value = raw == null ? "" : String.valueOf(raw);
                if (rule != null && !rule.test(cast(value))) {
                    throw invalid(raw, source, ruleText);
                }
                break;
            case PATH:
                try {
                    value = Path.of(text);
                } catch (InvalidPathException e) {
                    throw invalid(raw, source, "a file system path (" + e.getReason() + ")");
                }
                break;
            case BOOLEAN:
                if (raw instanceof Boolean) {
                    value = raw;
                } else if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    value = Boolean.parseBoolean(text);
                } else {
                    throw invalid(raw, source, "true or false");
                }
                break;
            case INT:
                value = (int) parseInteger(text, raw, source);
                break;
            case SIZE:
                long bytes = ValueSyntax.parseSize(text);
                if (bytes < 0) {
                    throw invalid(raw, source, "a size in bytes such as 65536, 64KiB, 4MiB or 1GiB");
                }
                if (bytes < min || bytes > max) {
                    throw invalid(raw, source, "a size from " + bounds());
                }
                value = bytes;
                break;
            case DURATION:
                Duration d = ValueSyntax.parseDuration(text);
                if (d == null || (d.isZero() && min > 0)) {
                    throw invalid(raw, source, (min > 0 ? "a positive" : "a") + " duration such as 250ms, 30s, 2m or 1h");
                }
                value = d;
                break;
            default:
                throw new IllegalStateException(type.toString());
        }
        return cast(value);
    }

    private long parseInteger(String text, Object raw, String source) {
        String expected = "an integer from " + min + " to " + max;
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid(raw, source, expected);
        }
        if (value < min || value > max) {
            throw invalid(raw, source, expected);
        }
        return value;
    }

    private ConfigException invalid(Object raw, String source, String expected) {
        return new ConfigException(name + ": \"" + raw + "\" from " + source + " (expected: " + expected + ")");
    }

    @Override
    public String toString() {
        return name;
    }
}
