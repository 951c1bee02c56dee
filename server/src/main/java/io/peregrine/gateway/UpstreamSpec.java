package io.peregrine.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import static java.util.Objects.requireNonNull;

/**
 * One upstream MCP server of a gateway: where it is (one or more replica URLs, or a command that
 * serves MCP on stdio), how its names are federated, and how calls to it are bounded. Made with
 * {@link #builder(String)} in code, or from the {@code gateway.upstreams.<name>.*} keys by
 * {@link UpstreamSettings}; the defaults are those of the keys.
 *
 * <pre>{@code
 * UpstreamSpec weather = UpstreamSpec.builder("weather")
 *         .url("http://10.0.0.7:9001/mcp")
 *         .callTimeout(Duration.ofSeconds(10))
 *         .build();
 * Peregrine.builder().upstream(weather).build();
 * }</pre>
 */
public final class UpstreamSpec {

    private final String name;
    private final List<String> urls;
    private final String command;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final String prefix;
    private final String separator;
    private final PrefixMode prefixMode;
    private final ResourceUriMode resourceUris;
    private final NamePatterns tools;
    private final NamePatterns resources;
    private final NamePatterns prompts;
    private final Duration connectTimeout;
    private final Duration callTimeout;
    private final int maxInFlight;
    private final Duration maxInFlightWait;
    private final Duration reconnectBackoff;
    private final Duration reconnectMaxBackoff;
    private final Map<String, String> headers;
    private final String protocolVersion;
    private final LoadBalancing loadBalancing;
    private final Map<String, Integer> weights;
    private final String hashKey;
    private final Duration slowStart;
    private final Duration taskStartWait;
    private final Duration healthInterval;
    private final Duration healthTimeout;
    private final int unhealthyThreshold;
    private final int healthyThreshold;
    private final int outlierConsecutiveFailures;
    private final Duration outlierBaseEjection;
    private final Duration outlierMaxEjection;
    private final int outlierMaxEjectionPercent;
    private final io.peregrine.gateway.discovery.EndpointDiscovery discovery;
    private final ResilienceSpec resilience;
    private final UpstreamTls tls;
    private final boolean h2c;
    private final boolean linkPerIoThread;

    private UpstreamSpec(Builder b) {
        this.name = b.name;
        this.urls = List.copyOf(b.urls);
        this.command = b.command;
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.prefix = b.prefix != null ? b.prefix : b.name;
        this.separator = b.separator;
        this.prefixMode = b.prefixMode;
        this.resourceUris = b.resourceUris;
        this.tools = new NamePatterns(b.toolsInclude, b.toolsExclude);
        this.resources = new NamePatterns(b.resourcesInclude, b.resourcesExclude);
        this.prompts = new NamePatterns(b.promptsInclude, b.promptsExclude);
        this.connectTimeout = b.connectTimeout;
        this.callTimeout = b.callTimeout;
        this.maxInFlight = b.maxInFlight;
        this.maxInFlightWait = b.maxInFlightWait;
        this.reconnectBackoff = b.reconnectBackoff;
        this.reconnectMaxBackoff = b.reconnectMaxBackoff;
        this.headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.protocolVersion = b.protocolVersion;
        this.loadBalancing = b.loadBalancing;
        this.weights = Map.copyOf(b.weights);
        this.hashKey = b.hashKey;
        this.slowStart = b.slowStart;
        this.taskStartWait = b.taskStartWait;
        this.healthInterval = b.healthInterval;
        this.healthTimeout = b.healthTimeout;
        this.unhealthyThreshold = b.unhealthyThreshold;
        this.healthyThreshold = b.healthyThreshold;
        this.outlierConsecutiveFailures = b.outlierConsecutiveFailures;
        this.outlierBaseEjection = b.outlierBaseEjection;
        this.outlierMaxEjection = b.outlierMaxEjection;
        this.outlierMaxEjectionPercent = b.outlierMaxEjectionPercent;
        this.discovery = b.discovery;
        this.resilience = b.resilience;
        this.tls = b.tls;
        this.h2c = b.h2c;
        this.linkPerIoThread = b.linkPerIoThread;
    }

    /** Starts describing the upstream {@code name} (1 to 32 of {@code A-Z a-z 0-9 _ -}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The replicas' URLs; empty for a stdio upstream. */
    public List<String> urls() {
        return urls;
    }

    /** The command line of a stdio upstream, or null. */
    public String command() {
        return command;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** The stdio child's working directory, or null for this process's. */
    public Path workingDirectory() {
        return workingDirectory;
    }

    public String prefix() {
        return prefix;
    }

    public String separator() {
        return separator;
    }

    public PrefixMode prefixMode() {
        return prefixMode;
    }

    /** Whether its resource URIs are served as it gives them or under a scheme of its own. */
    public ResourceUriMode resourceUris() {
        return resourceUris;
    }

    NamePatterns tools() {
        return tools;
    }

    NamePatterns resources() {
        return resources;
    }

    NamePatterns prompts() {
        return prompts;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration callTimeout() {
        return callTimeout;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public Duration maxInFlightWait() {
        return maxInFlightWait;
    }

    public Duration reconnectBackoff() {
        return reconnectBackoff;
    }

    public Duration reconnectMaxBackoff() {
        return reconnectMaxBackoff;
    }

    /** The headers sent to it, values resolved (credentials read from their environment variables). */
    public Map<String, String> headers() {
        return headers;
    }

    /** The pinned protocol revision, or null to negotiate. */
    public String protocolVersion() {
        return protocolVersion;
    }

    /** How a call's endpoint is chosen. */
    public LoadBalancing loadBalancing() {
        return loadBalancing;
    }

    /** The weight of the endpoint at {@code target} (its {@code host:port} named in the weights), 1 when not named. */
    public int weight(String target) {
        Integer w = weights.get(authority(target));
        return w != null ? w : 1;
    }

    /** The weights by {@code host:port}. */
    public Map<String, Integer> weights() {
        return weights;
    }

    /** What consistent hashing hashes: {@code principal}, {@code session} or {@code argument:<name>}. */
    public String hashKey() {
        return hashKey;
    }

    /** How long an endpoint that joined ramps up to its full weight; zero for at once. */
    public Duration slowStart() {
        return slowStart;
    }

    /**
     * How long a 2026-07-28 client's call of a tool this 2025 upstream runs only as a task stays a
     * plain call, so that the task's first questions are settled in {@code input_required} rounds.
     */
    public Duration taskStartWait() {
        return taskStartWait;
    }

    /** How often each endpoint is checked with ping or server/discover; zero when not checked. */
    public Duration healthInterval() {
        return healthInterval;
    }

    public Duration healthTimeout() {
        return healthTimeout;
    }

    public int unhealthyThreshold() {
        return unhealthyThreshold;
    }

    public int healthyThreshold() {
        return healthyThreshold;
    }

    /** Failed calls in a row that eject an endpoint; zero when none is ever ejected. */
    public int outlierConsecutiveFailures() {
        return outlierConsecutiveFailures;
    }

    public Duration outlierBaseEjection() {
        return outlierBaseEjection;
    }

    public Duration outlierMaxEjection() {
        return outlierMaxEjection;
    }

    public int outlierMaxEjectionPercent() {
        return outlierMaxEjectionPercent;
    }

    /** The {@code host:port} of a URL (no user info), or the target itself when it has none (a stdio command). */
    static String authority(String target) {
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return target;
        }
        int end = target.indexOf('/', scheme + 3);
        String a = end < 0 ? target.substring(scheme + 3) : target.substring(scheme + 3, end);
        int q = a.indexOf('?');
        if (q >= 0) {
            a = a.substring(0, q);
        }
        return a.substring(a.lastIndexOf('@') + 1);
    }

    /**
     * How its endpoints are discovered while the gateway runs (DNS, Consul, etcd), or null for the
     * static list of its {@link #urls()} (see docs/gateway-discovery.md).
     */
    public io.peregrine.gateway.discovery.EndpointDiscovery discovery() {
        return discovery;
    }

    /** Its circuit breakers, retries, hedging and fallbacks. */
    public ResilienceSpec resilience() {
        return resilience;
    }

    /** How its links are secured, or null for the defaults: TLS verified against the JDK's trusted roots where the URL asks for it. */
    public UpstreamTls tls() {
        return tls;
    }

    /** Whether Streamable HTTP to it ({@code http://}) is cleartext HTTP/2 with prior knowledge. */
    public boolean h2c() {
        return h2c;
    }

    /** Whether each network endpoint gets one more link per I/O thread of the gateway, on that thread. */
    public boolean linkPerIoThread() {
        return linkPerIoThread;
    }

    /** Where it is, for logs and errors: its URLs or {@code stdio:} and its command, cut at 96 characters. */
    public String target() {
        String t = command != null ? "stdio:" + command
                : discovery != null && urls.isEmpty() ? discovery.toString() : String.join(",", urls);
        return t.length() <= 96 ? t : t.substring(0, 93) + "...";
    }

    @Override
    public String toString() {
        return "upstream " + name + " (" + target() + ")";
    }

    /** Builds an {@link UpstreamSpec}; every setter checks its value at once. */
    public static final class Builder {
        private final String name;
        private final List<String> urls = new ArrayList<>();
        private String command;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private String prefix;
        private String separator = "_";
        private PrefixMode prefixMode = PrefixMode.ALWAYS;
        private ResourceUriMode resourceUris = ResourceUriMode.KEEP;
        private List<String> toolsInclude = List.of("*");
        private List<String> toolsExclude = List.of();
        private List<String> resourcesInclude = List.of("*");
        private List<String> resourcesExclude = List.of();
        private List<String> promptsInclude = List.of("*");
        private List<String> promptsExclude = List.of();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration callTimeout = Duration.ofSeconds(30);
        private int maxInFlight = 64;
        private Duration maxInFlightWait = Duration.ofMillis(500);
        private Duration reconnectBackoff = Duration.ofMillis(200);
        private Duration reconnectMaxBackoff = Duration.ofSeconds(10);
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String protocolVersion;
        private LoadBalancing loadBalancing = LoadBalancing.LEAST_IN_FLIGHT;
        private final Map<String, Integer> weights = new LinkedHashMap<>();
        private String hashKey = "session";
        private Duration slowStart = Duration.ZERO;
        private Duration taskStartWait = Duration.ofMillis(500);
        private Duration healthInterval = Duration.ofSeconds(5);
        private Duration healthTimeout = Duration.ofSeconds(2);
        private int unhealthyThreshold = 2;
        private int healthyThreshold = 2;
        private int outlierConsecutiveFailures = 5;
        private Duration outlierBaseEjection = Duration.ofSeconds(30);
        private Duration outlierMaxEjection = Duration.ofMinutes(5);
        private int outlierMaxEjectionPercent = 50;
        private io.peregrine.gateway.discovery.EndpointDiscovery discovery;
        private ResilienceSpec resilience = ResilienceSpec.DEFAULTS;
        private UpstreamTls tls;
        private boolean h2c;
        private boolean linkPerIoThread = true;

        private Builder(String name) {
            this.name = checkName(requireNonNull(name, "name"), "name");
        }

        private static String checkName(String value, String what) {
            if (!value.matches("[a-zA-Z0-9_-]{1,32}")) {
                throw new IllegalArgumentException(what + " : \"" + value + "\" (expected: 1 to 32 of A-Z a-z 0-9 _ -)");
            }
            return value;
        }

        /**
         * A replica: {@code tcp://host:port}, {@code ws://} or {@code wss://host:port/path},
         * {@code http://} or {@code https://host:port/path}. Call it once per replica.
         */
        public Builder url(String url) {
            requireNonNull(url, "url");
            String u = url.trim();
            String scheme = u.contains("://") ? u.substring(0, u.indexOf("://")).toLowerCase(Locale.ROOT) : "";
            if (!List.of("tcp", "ws", "wss", "http", "https").contains(scheme) || u.length() <= scheme.length() + 3) {
                throw new IllegalArgumentException("url : \"" + url
                        + "\" (expected: tcp://host:port, ws://, wss://, http:// or https://host:port/path)");
            }
            urls.add(u);
            return this;
        }

        /** A command that serves MCP on stdio, split as a shell would, run without one. */
        public Builder command(String commandLine) {
            requireNonNull(commandLine, "commandLine");
            if (commandLine.isBlank()) {
                throw new IllegalArgumentException("command : \"\" (expected: a command line)");
            }
            this.command = commandLine.trim();
            return this;
        }

        /** An environment variable of the stdio child. */
        public Builder environment(String variable, String value) {
            environment.put(requireNonNull(variable, "variable"), requireNonNull(value, "value"));
            return this;
        }

        /** The stdio child's working directory. Default: this process's. */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = requireNonNull(directory, "directory");
            return this;
        }

        /** What federated names start with. Default: the upstream's name. */
        public Builder prefix(String prefix) {
            this.prefix = checkName(requireNonNull(prefix, "prefix"), "prefix");
            return this;
        }

        /** Between prefix and name: {@code _} (the default), {@code __} or {@code -}. */
        public Builder separator(String separator) {
            if (!List.of("_", "__", "-").contains(requireNonNull(separator, "separator"))) {
                throw new IllegalArgumentException("separator : \"" + separator + "\" (expected: _, __ or -)");
            }
            this.separator = separator;
            return this;
        }

        /** When names are prefixed. Default: {@link PrefixMode#ALWAYS}. */
        public Builder prefixMode(PrefixMode mode) {
            this.prefixMode = requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How its resource URIs and URI templates are served. Default: {@link ResourceUriMode#KEEP};
         * {@link ResourceUriMode#REWRITE} marks their scheme with the upstream's name ({@link ResourceUris}).
         */
        public Builder resourceUris(ResourceUriMode mode) {
            this.resourceUris = requireNonNull(mode, "mode");
            return this;
        }

        /** Glob patterns ({@code *}, {@code ?}) of the upstream's own tool names to federate, and to leave out. */
        public Builder tools(List<String> include, List<String> exclude) {
            this.toolsInclude = List.copyOf(include);
            this.toolsExclude = List.copyOf(exclude);
            return this;
        }

        /** Glob patterns of resource URIs and URI templates to federate, and to leave out. */
        public Builder resources(List<String> include, List<String> exclude) {
            this.resourcesInclude = List.copyOf(include);
            this.resourcesExclude = List.copyOf(exclude);
            return this;
        }

        /** Glob patterns of prompt names to federate, and to leave out. */
        public Builder prompts(List<String> include, List<String> exclude) {
            this.promptsInclude = List.copyOf(include);
            this.promptsExclude = List.copyOf(exclude);
            return this;
        }

        /** How long connecting and the handshake may take. Default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long a forwarded call waits for its answer. Default 30 s. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /** The bulkhead: calls in flight at once, and how long one more waits for a slot. Default 64 and 500 ms. */
        public Builder maxInFlight(int max, Duration wait) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxInFlight : " + max + " (expected: > 0)");
            }
            this.maxInFlightWait = nonNegative(wait, "maxInFlightWait");
            this.maxInFlight = max;
            return this;
        }

        /** Backoff between attempts to reach it while it is down: first delay, longest delay. Default 200 ms, 10 s. */
        public Builder reconnect(Duration initial, Duration max) {
            positive(initial, "reconnectBackoff");
            positive(max, "reconnectMaxBackoff");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("reconnectMaxBackoff : " + max + " (expected: >= " + initial + ")");
            }
            this.reconnectBackoff = initial;
            this.reconnectMaxBackoff = max;
            return this;
        }

        /** A header for the WebSocket handshake and Streamable HTTP requests ({@code Authorization} also goes in {@code _meta} on TCP and stdio). */
        public Builder header(String name, String value) {
            headers.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
            return this;
        }

        /** Pins the revision spoken to it (e.g. {@code 2025-11-25}); null (the default) negotiates. */
        public Builder protocolVersion(String version) {
            if (version != null && io.peregrine.mcp.ProtocolVersion.find(version) == null) {
                throw new IllegalArgumentException("protocolVersion : " + version + " (expected: one of "
                        + io.peregrine.mcp.ProtocolVersion.ids() + ")");
            }
            this.protocolVersion = version;
            return this;
        }

        /** How a call's endpoint is chosen. Default {@link LoadBalancing#LEAST_IN_FLIGHT}. */
        public Builder loadBalancing(LoadBalancing balancing) {
            this.loadBalancing = requireNonNull(balancing, "balancing");
            return this;
        }

        /** The weight (1 to 1000) of the endpoint at {@code hostPort} ({@code host:port} as in its URL). Default 1. */
        public Builder weight(String hostPort, int weight) {
            requireNonNull(hostPort, "hostPort");
            if (hostPort.isBlank() || hostPort.contains("/")) {
                throw new IllegalArgumentException("hostPort : \"" + hostPort + "\" (expected: host:port)");
            }
            if (weight < 1 || weight > 1000) {
                throw new IllegalArgumentException("weight : " + weight + " (expected: 1 to 1000)");
            }
            weights.put(hostPort.trim(), weight);
            return this;
        }

        /** What consistent hashing hashes: {@code principal}, {@code session} (the default) or {@code argument:<name>}. */
        public Builder hashKey(String key) {
            requireNonNull(key, "key");
            if (!key.equals("principal") && !key.equals("session")
                    && !(key.startsWith("argument:") && key.length() > "argument:".length())) {
                throw new IllegalArgumentException("hashKey : \"" + key + "\" (expected: principal, session or argument:<name>)");
            }
            this.hashKey = key;
            return this;
        }

        /** How long an endpoint that joined ramps up from a tenth of its weight to all of it. Default zero (at once). */
        public Builder slowStart(Duration window) {
            this.slowStart = nonNegative(window, "slowStart");
            return this;
        }

        /**
         * How long a 2026-07-28 client's call of a tool that this upstream, speaking a 2025 revision,
         * runs only as a task stays a plain call before the client is handed the gateway's task: what
         * the upstream's task asks meanwhile is put to the client as {@code input_required} rounds
         * (the tool gathers its input before it becomes a task, as it would on a 2026-07-28 server).
         * The task is handed over at once when the upstream's result arrives first. Through a
         * 2026-07-28 link the upstream itself says when its task begins, and this is not used.
         * Default 500 ms; zero hands the task over at once.
         */
        public Builder taskStartWait(Duration wait) {
            this.taskStartWait = nonNegative(wait, "taskStartWait");
            return this;
        }

        /**
         * Active health checks: every {@code interval} (zero: none) each connected endpoint is sent
         * {@code ping} (or {@code server/discover} in 2026-07-28), which must answer within
         * {@code timeout}; {@code unhealthy} failures in a row make it unhealthy, {@code healthy}
         * passes in a row healthy again. Default 5 s, 2 s, 2, 2.
         */
        public Builder healthChecks(Duration interval, Duration timeout, int unhealthy, int healthy) {
            nonNegative(interval, "healthInterval");
            positive(timeout, "healthTimeout");
            if (unhealthy < 1 || unhealthy > 100) {
                throw new IllegalArgumentException("unhealthyThreshold : " + unhealthy + " (expected: 1 to 100)");
            }
            if (healthy < 1 || healthy > 100) {
                throw new IllegalArgumentException("healthyThreshold : " + healthy + " (expected: 1 to 100)");
            }
            this.healthInterval = interval;
            this.healthTimeout = timeout;
            this.unhealthyThreshold = unhealthy;
            this.healthyThreshold = healthy;
            return this;
        }

        /**
         * Passive outlier detection: {@code consecutiveFailures} failed calls in a row (zero: never)
         * eject an endpoint for {@code baseEjection} times the number of its ejections, at most
         * {@code maxEjection}; at most {@code maxEjectionPercent} of the endpoints are ejected at once.
         * Default 5, 30 s, 5 min, 50.
         */
        public Builder outlierDetection(int consecutiveFailures, Duration baseEjection, Duration maxEjection,
                                        int maxEjectionPercent) {
            if (consecutiveFailures < 0) {
                throw new IllegalArgumentException("consecutiveFailures : " + consecutiveFailures + " (expected: >= 0)");
            }
            positive(baseEjection, "baseEjection");
            positive(maxEjection, "maxEjection");
            if (maxEjection.compareTo(baseEjection) < 0) {
                throw new IllegalArgumentException("maxEjection : " + maxEjection + " (expected: >= " + baseEjection + ")");
            }
            if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
                throw new IllegalArgumentException("maxEjectionPercent : " + maxEjectionPercent + " (expected: 0 to 100)");
            }
            this.outlierConsecutiveFailures = consecutiveFailures;
            this.outlierBaseEjection = baseEjection;
            this.outlierMaxEjection = maxEjection;
            this.outlierMaxEjectionPercent = maxEjectionPercent;
            return this;
        }

        /**
         * Discovers the replicas while the gateway runs ({@code discovery}: {@code dns}, {@code consul}
         * or {@code etcd}) instead of a fixed list of {@link #url}s; URLs given as well are the
         * endpoints until the first list is found. Default: none (the static list).
         */
        public Builder discovery(io.peregrine.gateway.discovery.EndpointDiscovery discovery) {
            this.discovery = requireNonNull(discovery, "discovery");
            return this;
        }

        /** Circuit breakers, retries, hedging and fallbacks. Default {@link ResilienceSpec#DEFAULTS}. */
        public Builder resilience(ResilienceSpec resilience) {
            this.resilience = requireNonNull(resilience, "resilience");
            return this;
        }

        /**
         * How its links are secured: trusted CAs, a client certificate, or (for development) no
         * verification. Applies to {@code https://} and {@code wss://}, and makes {@code tcp://}
         * speak TLS. Default: none, so TLS where the URL asks for it, verified against the JDK's
         * trusted roots with host names checked.
         */
        public Builder tls(UpstreamTls tls) {
            this.tls = requireNonNull(tls, "tls");
            return this;
        }

        /**
         * Streamable HTTP to its {@code http://} URLs over cleartext HTTP/2 with prior knowledge: one
         * connection per replica, a stream per exchange. Default: false (HTTP/1.1).
         */
        public Builder h2c(boolean enabled) {
            this.h2c = enabled;
            return this;
        }

        /**
         * Besides its first link, opens one link per I/O thread of the serving gateway to each
         * network endpoint, on that thread, so that a call forwarded from a thread goes out and
         * comes back on it without crossing to another (the first link keeps the catalog and
         * subscriptions). Default: true; a stdio command always has one link.
         */
        public Builder linkPerIoThread(boolean enabled) {
            this.linkPerIoThread = enabled;
            return this;
        }

        private static Duration nonNegative(Duration d, String what) {
            requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " : " + d + " (expected: >= 0)");
            }
            return d;
        }

        private static Duration positive(Duration d, String what) {
            requireNonNull(d, what);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " : " + d + " (expected: > 0)");
            }
            return d;
        }

        /**
         * The upstream.
         *
         * @throws IllegalStateException unless exactly one of {@link #url} and {@link #command} was given
         *         (or {@link #discovery}, with or without URLs, and no command)
         */
        public UpstreamSpec build() {
            if (discovery != null && command != null) {
                throw new IllegalStateException("upstream " + name + ": a command (stdio) cannot be discovered; give discovery(...) or command(...)");
            }
            if (discovery == null && urls.isEmpty() == (command == null)) {
                throw new IllegalStateException("upstream " + name + ": give url(...) or command(...), exactly one of them");
            }
            for (String u : urls) {
                String scheme = u.substring(0, u.indexOf("://")).toLowerCase(Locale.ROOT);
                if (h2c && !scheme.equals("http")) {
                    throw new IllegalStateException("upstream " + name + ": h2c is for http:// URLs, not " + u
                            + " (expected: http://host:port/path, or h2c off)");
                }
                if (tls != null && (scheme.equals("http") || scheme.equals("ws"))) {
                    throw new IllegalStateException("upstream " + name + ": TLS settings for the cleartext URL " + u
                            + " (expected: https://, wss:// or tcp://, or no TLS settings)");
                }
            }
            if (command != null && (tls != null || h2c)) {
                throw new IllegalStateException("upstream " + name + ": " + (h2c ? "h2c" : "TLS settings")
                        + " for a stdio command (expected: a URL)");
            }
            return new UpstreamSpec(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamSpec && ((UpstreamSpec) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }
}
