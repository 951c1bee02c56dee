package io.peregrine;

import io.peregrine.config.ConfigKey;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.PromptRegistry;
import io.peregrine.mcp.ResourceRegistry;
import io.peregrine.mcp.ServerClock;
import io.peregrine.mcp.ToolRegistry;
import io.peregrine.ops.health.Dependencies;
import io.peregrine.ops.metrics.AdminServer;
import io.peregrine.ops.metrics.MetricsExposition;
import io.peregrine.ops.metrics.MetricsHttpHandler;
import io.peregrine.ops.metrics.PeregrineMetrics;
import io.peregrine.ops.metrics.TraceExemplars;
import io.peregrine.policy.ClientCertificates;
import io.peregrine.policy.PolicyChain;
import io.peregrine.prompt.Prompt;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.tool.Tool;
import io.peregrine.transport.HealthReport;
import io.peregrine.transport.http.HttpRoute;
import io.peregrine.transport.tls.TlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An embeddable Peregrine MCP server.
 *
 * <pre>{@code
 * try (Peregrine server = Peregrine.builder()
 *         .tool(Tool.builder("echo")
 *                 .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}")
 *                 .blocking(false)
 *                 .handler((args, ctx) -> ToolResult.text(args.string("message")))
 *                 .build())
 *         .tcp("127.0.0.1", 0)
 *         .build()) {
 *     InetSocketAddress address = server.start().tcp();
 *     ...
 * }
 * }</pre>
 *
 * <p>The {@link Builder} collects settings; {@link Builder#build()} takes an immutable snapshot of
 * them ({@link #settings()}), so a builder changed or reused afterwards changes no running server.
 *
 * <p>{@link #close()} makes the server not ready ({@code /ready} answers 503) at once, keeps serving
 * for {@code shutdown.ready-delay} (0 unless set, embedded) so that load balancers stop sending,
 * then stops accepting, lets running calls finish for up to {@code shutdown.drain-timeout},
 * answers whatever is left with a shutting-down error, and stops the threads.
 *
 * <p>This file is longer than most: the builder stays nested so that {@code Peregrine.Builder}
 * remains the embedding API it has always been, and it is one short setter per setting. The
 * transports live in {@code Listeners}, the settings in {@link ServerSettings}.
 */
public final class Peregrine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Peregrine.class);

    /** The addresses the listeners are bound to. */
    public static final class BoundAddresses {
        private final InetSocketAddress tcp;
        private final InetSocketAddress http;

        BoundAddresses(InetSocketAddress tcp, InetSocketAddress http) {
            this.tcp = tcp;
            this.http = http;
        }

        /** The HTTP listener's address (WebSocket at the MCP path), or null when it is off. */
        public InetSocketAddress http() {
            return http;
        }

        /** The TCP listener's address, or null when TCP is off. */
        public InetSocketAddress tcp() {
            return tcp;
        }

        @Override
        public String toString() {
            return "tcp=" + tcp + ", http=" + http;
        }
    }

    private final ServerSettings settings;
    private final ServerParts parts;
    private final McpServer core;
    private final ToolExecutor executor;
    private final Dependencies dependencies = new Dependencies();
    private final LiveCounts counts = new LiveCounts();
    private final ServerHealth health;
    private volatile Listeners listeners;
    private volatile BoundAddresses addresses;
    private boolean closed;
    /** The server's metrics, or null when {@code metrics.enabled} is off. */
    private final PeregrineMetrics metrics;
    /** {@code GET metrics.path} on the HTTP listener, behind its authentication; null when metrics are off. */
    private final MetricsHttpHandler metricsRoute;
    private AdminServer admin;
    /** The upstream servers federated into the registries; null when none is configured. */
    private final io.peregrine.gateway.Gateway gateway;
    /** Where this server enters itself once it listens (Consul, etcd), and leaves first on close. */
    private final List<io.peregrine.gateway.discovery.Registration> registrations;

    private Peregrine(ServerSettings settings, ServerParts parts, List<io.peregrine.gateway.UpstreamSpec> upstreams,
                      List<io.peregrine.gateway.discovery.Registration> registrations) {
        this.registrations = registrations;
        this.settings = settings;
        this.parts = parts;
        this.executor = new ToolExecutor(settings.get(ConfigKey.EXEC_MAX_CONCURRENCY),
                settings.get(ConfigKey.EXEC_VIRTUAL_THREADS), settings.get(ConfigKey.EXEC_MAX_STRAY_CALLS));
        this.core = new McpServer(settings.json(), settings.serverInfo(), executor, settings.core(),
                settings.clientRequests(parts.clock()));
        parts.tools().forEach(core.tools()::add);
        parts.resources().forEach(core.resources()::add);
        parts.templates().forEach(core.resources()::add);
        parts.prompts().forEach(core.prompts()::add);
        core.observer(counts);
        parts.observers().forEach(core::observer);
        if (settings.get(ConfigKey.METRICS_ENABLED)) {
            // After the builder's observers: a tracer among them has ended a request's span, and
            // can name it for an exemplar, when the metrics see the request end. The event loops
            // exist from start() on; until then the backlog gauge has no samples.
            this.metrics = PeregrineMetrics.builder()
                    .eventLoops(() -> listeners == null ? null : listeners.workers())
                    .traceExemplars(parts.metricsExemplars())
                    .toolExecutor(executor::activeCount, executor::rejectedCount, executor.maxConcurrency())
                    .build();
            core.observer(metrics.observer());
            this.metricsRoute = new MetricsHttpHandler(settings.get(ConfigKey.METRICS_PATH), metrics.exposition());
        } else {
            this.metrics = null;
            this.metricsRoute = null;
        }
        core.policy(parts.policy());
        this.health = new ServerHealth(core, dependencies, counts, System::nanoTime);
        this.gateway = upstreams.isEmpty() ? null
                : new io.peregrine.gateway.Gateway(upstreams, core.tools(), core.resources(), core.prompts(),
                        settings.get(ConfigKey.GATEWAY_LINKED_RESOURCES));
        if (gateway != null && metrics != null) {
            gateway.events(new io.peregrine.ops.metrics.ResilienceMetrics(metrics.registry()));
        }
        if (gateway != null) {
            for (io.peregrine.mcp.McpObserver o : parts.observers()) {
                if (o instanceof io.peregrine.ops.tracing.TracingObserver) {
                    gateway.tracer(((io.peregrine.ops.tracing.TracingObserver) o).tracer());
                }
            }
        }
        if (gateway != null) {
            // Optional: an upstream that is away costs its part of the catalog, not the server's readiness.
            for (io.peregrine.gateway.UpstreamSpec u : upstreams) {
                io.peregrine.gateway.Gateway g = gateway;
                dependencies.optional("upstream " + u.name(), () -> {
                    String failure = g.failure(u.name());
                    // Each endpoint's state: ready, connecting, unhealthy, ejected until when, draining.
                    String endpoints = g.endpointStates(u.name());
                    return failure == null ? io.peregrine.ops.health.DependencyStatus.up(endpoints)
                            : io.peregrine.ops.health.DependencyStatus.down(failure + "; endpoints: " + endpoints);
                });
            }
            if (metrics != null) {
                io.peregrine.gateway.Gateway g = gateway;
                io.peregrine.ops.metrics.GatewayMetrics.register(metrics.registry(), () -> gatewayMetrics(g));
            }
        }
    }

    /** The gateway's endpoints as its metrics read them. */
    private static List<io.peregrine.ops.metrics.GatewayMetrics.Upstream> gatewayMetrics(io.peregrine.gateway.Gateway g) {
        List<io.peregrine.ops.metrics.GatewayMetrics.Upstream> out = new java.util.ArrayList<>();
        for (io.peregrine.gateway.UpstreamStatus u : g.endpoints()) {
            List<io.peregrine.ops.metrics.GatewayMetrics.Endpoint> endpoints = new java.util.ArrayList<>();
            for (io.peregrine.gateway.EndpointStatus e : u.endpoints()) {
                endpoints.add(new io.peregrine.ops.metrics.GatewayMetrics.Endpoint(e.target(),
                        e.state() == io.peregrine.gateway.EndpointStatus.State.READY, e.inFlight()));
            }
            out.add(new io.peregrine.ops.metrics.GatewayMetrics.Upstream(u.name(), endpoints, u.ejections(),
                    u.healthChecksPassed(), u.healthChecksFailed()));
        }
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the configured listeners and starts serving; returns where they listen. */
    public synchronized BoundAddresses start() throws InterruptedException {
        if (addresses != null) {
            return addresses;
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (gateway != null) {
            // Before the listeners: the first clients find the upstreams' part of the catalog.
            gateway.start();
        }
        Listeners bound = Listeners.bind(settings, parts, core, health,
                metricsRoute == null ? List.of() : List.of(new HttpRoute(settings.get(ConfigKey.METRICS_PATH), metricsRoute)));
        listeners = bound;
        if (gateway != null) {
            gateway.serveOn(bound.workers());
        }
        if (settings.get(ConfigKey.ADMIN_ENABLED)) {
            try {
                admin = AdminServer.bind(settings.get(ConfigKey.ADMIN_HOST), settings.get(ConfigKey.ADMIN_PORT),
                        metrics != null ? metrics.exposition() : new MetricsExposition(List.of()), health::details, health::ready, health::readiness);
            } catch (InterruptedException | RuntimeException e) {
                bound.stopAccepting();
                bound.shutdown();
                listeners = null;
                throw e;
            }
            log.info("Admin listener (/metrics, /health, /ready) on http://{}:{}",
                    admin.localAddress().getHostString(), admin.localAddress().getPort());
        }
        addresses = bound.addresses();
        health.serving();
        register();
        return addresses;
    }

    /** Enters this server in each registry; one that refuses stops start-up (the server is closed). */
    private void register() {
        if (registrations.isEmpty()) {
            return;
        }
        InetSocketAddress a = addresses.http() != null ? addresses.http() : addresses.tcp();
        String url = null;
        if (a != null) {
            String host = advertisedHost(a);
            url = addresses.http() != null
                    ? (parts.httpTls() != null ? "https://" : "http://") + host + ":" + a.getPort() + settings.get(ConfigKey.WS_PATH)
                    : "tcp://" + host + ":" + a.getPort();
        }
        InetSocketAddress h = admin != null ? admin.localAddress() : addresses.http();
        String healthUrl = h == null ? null : (admin == null && parts.httpTls() != null ? "https://" : "http://")
                + advertisedHost(h) + ":" + h.getPort() + "/health";
        for (io.peregrine.gateway.discovery.Registration r : registrations) {
            try {
                r.register(url, healthUrl);
            } catch (Exception e) {
                close();
                throw new IllegalStateException("could not register this server (" + e.getMessage() + ")", e);
            }
        }
    }

    /** The address others reach a listener at: its own, or this host's when it listens on every address. */
    private static String advertisedHost(InetSocketAddress a) {
        java.net.InetAddress ip = a.getAddress();
        String host;
        if (ip != null && ip.isAnyLocalAddress()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostAddress();
            } catch (java.net.UnknownHostException e) {
                host = "127.0.0.1";
            }
        } else {
            host = a.getHostString();
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** The settings this server was built with. */
    public ServerSettings settings() {
        return settings;
    }

    /** The server's Prometheus metrics (register your own in its registry); null when {@code metrics.enabled} is off. */
    public PeregrineMetrics metrics() {
        return metrics;
    }

    /** The admin listener's address; null when it is off or the server has not started. */
    public synchronized InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    /** The policy in front of dispatch: authentication, authorization, limits, result cache, audit. */
    public PolicyChain policy() {
        return parts.policy();
    }

    /**
     * Ready for traffic: started, not shutting down, and every required dependency up. This is what
     * {@code GET /ready} answers.
     */
    public boolean isReady() {
        return health.ready();
    }

    /**
     * What this server reports to probes ({@code /ready}, {@code /health?verbose}), for a program
     * that serves its own health endpoint.
     */
    public HealthReport health() {
        return health;
    }

    /**
     * The things this server depends on, for readiness and the verbose health report: register a
     * check with {@link Dependencies#required} (while it is down the server is not ready) or
     * {@link Dependencies#optional}.
     */
    public Dependencies dependencies() {
        return dependencies;
    }

    /** The bound addresses; null before {@link #start()}. */
    public BoundAddresses addresses() {
        return addresses;
    }

    /**
     * Completes when the stdio session ends (the client closed stdin); null when stdio is not
     * served or the server has not started.
     */
    public io.netty.util.concurrent.Future<Void> stdioClosed() {
        Listeners l = listeners;
        return l == null ? null : l.stdioClosed();
    }

    /**
     * The server's I/O event loops, for a {@code PeregrineClient} embedded beside it
     * ({@code PeregrineClient.builder().eventLoopGroup(server.eventLoopGroup())}), so that its
     * upstream connections share the server's threads instead of starting their own; null before
     * {@link #start()}. The server shuts them down when it closes: close such clients first.
     */
    public io.netty.channel.EventLoopGroup eventLoopGroup() {
        Listeners l = listeners;
        return l == null ? null : l.workers();
    }

    /** The tools served; tools can be added and removed while the server runs. */
    public ToolRegistry tools() {
        return core.tools();
    }

    /**
     * The resources and resource templates served; they can be added and removed while the server
     * runs, and {@link ResourceRegistry#updated(String)} tells subscribers a resource changed.
     */
    public ResourceRegistry resources() {
        return core.resources();
    }

    /** The prompts served; prompts can be added and removed while the server runs. */
    public PromptRegistry prompts() {
        return core.prompts();
    }

    /** The gateway federating the upstreams given to {@link Builder#upstream}, or null when there are none. */
    public io.peregrine.gateway.Gateway gateway() {
        return gateway;
    }

    /** The protocol core, for transports and tests that drive it directly. */
    public McpServer core() {
        return core;
    }

    /**
     * Shuts down: not ready at once, still serving for the ready-delay, then drains and stops. Safe
     * to call more than once; a second caller waits for the first to finish. Interrupting the
     * closing thread cuts the ready-delay short; the drain still runs.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.draining();
        // First: gateways and clients stop sending here while the server still serves what comes.
        for (io.peregrine.gateway.discovery.Registration r : registrations) {
            r.close();
        }
        Listeners l = listeners;
        boolean interrupted = false;
        if (l != null) {
            interrupted = awaitReadyDelay();
            l.stopAccepting();
        }
        try {
            if (!core.drain(settings.drainTimeout().toMillis())) {
                log.warn("calls still running after the drain timeout of {} were answered with a shutdown error",
                        ConfigKey.SHUTDOWN_DRAIN_TIMEOUT.format(settings.drainTimeout()));
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        executor.shutdown(1_000);
        if (gateway != null) {
            gateway.close();
        }
        parts.policy().close();
        if (l != null) {
            l.shutdown();
        }
        if (admin != null) {
            // Last: /ready answers 503 on it while the server drains.
            admin.close();
        }
        health.stopped();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Keeps serving while load balancers notice {@code /ready} is 503; true when interrupted. */
    private boolean awaitReadyDelay() {
        Duration delay = settings.readyDelay();
        if (delay.isZero()) {
            return false;
        }
        log.info("shutting down: not ready, still serving for {} (shutdown.ready-delay), then draining for up to {}",
                ConfigKey.SHUTDOWN_READY_DELAY.format(delay), ConfigKey.SHUTDOWN_DRAIN_TIMEOUT.format(settings.drainTimeout()));
        try {
            Thread.sleep(delay.toMillis());
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    /**
     * Builds a {@link Peregrine}. Every setting has a safe default: a {@link ConfigKey} of scope
     * {@link ConfigKey.Scope#SERVER SERVER} gives its default ({@link ConfigKey#builderDefault()}),
     * its bounds and its meaning, and {@code docs/configuration.md} lists them all. Every setter
     * checks its value at once; {@link #build()} copies what was set, so the builder can be changed
     * or reused afterwards without touching a server it built.
     */
    public static final class Builder {
        /** The largest message any transport accepts: 256 MiB (offsets within a message are kept in 28 bits). */
        public static final int MAX_MESSAGE_BYTES = Math.toIntExact(ConfigKey.TCP_MAX_LINE_LENGTH.max());

        private final Map<ConfigKey<?>, Object> values = new HashMap<>();
        private final List<Tool> tools = new ArrayList<>();
        private final List<Resource> resources = new ArrayList<>();
        private final List<ResourceTemplate> templates = new ArrayList<>();
        private final List<Prompt> prompts = new ArrayList<>();
        private final List<McpObserver> observers = new ArrayList<>();
        private final List<io.peregrine.gateway.UpstreamSpec> upstreams = new ArrayList<>();
        private final List<io.peregrine.gateway.discovery.Registration> registrations = new ArrayList<>();
        private byte[] requestStateKey;
        private InputStream stdin;
        private OutputStream stdout;
        private PolicyChain policy = PolicyChain.defaults();
        private TlsContext tcpTls;
        private TlsContext httpTls;
        private ClientCertificates clientCertificates;
        private ServerClock clock = ServerClock.SYSTEM;
        private TraceExemplars metricsExemplars = TraceExemplars.NONE;

        private Builder() {
        }

        /**
         * Sets a server key as a configuration file would: {@code set(ConfigKey.WS_IDLE_TIMEOUT, Duration.ZERO)}.
         * The named setters below are shorthands for the same.
         *
         * @throws IllegalArgumentException when {@code value} is out of the key's bounds, or the key
         *                                  is not a server key (policy keys are objects given to
         *                                  {@link #policy}, launcher keys belong to the standalone server)
         */
        public <T> Builder set(ConfigKey<T> key, T value) {
            Objects.requireNonNull(key, "key");
            if (key.scope() != ConfigKey.Scope.SERVER) {
                throw new IllegalArgumentException(key + " : a " + key.scope().name().toLowerCase(java.util.Locale.ROOT)
                        + " key (expected: a key of scope SERVER; policy is given as objects to policy(), tcpTls(), httpTls())");
            }
            values.put(key, key.checkAny(value));
            if (key == ConfigKey.CLIENT_REQUESTS_STATE_KEY) {
                String text = (String) value;
                requestStateKey = text.isEmpty() ? null : ServerSettings.utf8(text);
            }
            return this;
        }

        /**
         * Authentication (per listener), authorization, rate limits, the result cache and the
         * audit log, run before dispatch. Default: no authentication (loopback listeners only),
         * no limits, a 10,000-entry cache for tools declared cacheable.
         */
        public Builder policy(PolicyChain policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** TLS on the TCP listener; default none. */
        public Builder tcpTls(TlsContext tls) {
            this.tcpTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** TLS on the HTTP listener (wss:// and https://); default none. */
        public Builder httpTls(TlsContext tls) {
            this.httpTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** How verified TLS client certificates (mTLS) map to principals; default: they authenticate no one. */
        public Builder clientCertificates(ClientCertificates mapping) {
            this.clientCertificates = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /** Allow listeners without authentication on non-loopback addresses ({@code auth.allow-anonymous-remote}); default false. */
        public Builder allowAnonymousRemote(boolean allow) {
            return set(ConfigKey.AUTH_ALLOW_ANONYMOUS_REMOTE, allow);
        }

        /**
         * Also serves one MCP session over these streams, one JSON-RPC message per line (the MCP
         * stdio transport: pass {@code System.in} and {@code System.out}, and keep logs on stderr).
         */
        public Builder stdio(InputStream in, OutputStream out) {
            this.stdin = Objects.requireNonNull(in, "in");
            this.stdout = Objects.requireNonNull(out, "out");
            return this;
        }

        public Builder tool(Tool tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        /** Serves {@code resource} ({@code resources/list}, {@code resources/read}). */
        public Builder resource(Resource resource) {
            resources.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /** Serves the resources {@code template} names ({@code resources/templates/list}, {@code resources/read}). */
        public Builder resourceTemplate(ResourceTemplate template) {
            templates.add(Objects.requireNonNull(template, "template"));
            return this;
        }

        /**
         * Federates an upstream MCP server: its tools, resources, resource templates and prompts are
         * served beside the local ones, named as its {@link io.peregrine.gateway.UpstreamSpec} says,
         * and calls to them are forwarded ({@code gateway.upstreams.<name>.*} in the standalone
         * server; see docs/gateway.md). {@link Peregrine#start()} connects to every upstream first,
         * waiting at most each one's connect timeout. Default: none.
         */
        public Builder upstream(io.peregrine.gateway.UpstreamSpec upstream) {
            upstreams.add(Objects.requireNonNull(upstream, "upstream"));
            return this;
        }

        /**
         * Enters this server in a registry once it listens, and removes it first thing on close
         * ({@code registration.consul.*}, {@code registration.etcd.*} in the standalone server; see
         * docs/gateway-discovery.md): {@link io.peregrine.gateway.discovery.ConsulRegistration} or
         * {@link io.peregrine.gateway.discovery.EtcdRegistration}. A registry that refuses stops
         * {@link Peregrine#start()}. Default: none.
         */
        public Builder registration(io.peregrine.gateway.discovery.Registration registration) {
            registrations.add(Objects.requireNonNull(registration, "registration"));
            return this;
        }

        /** Serves {@code prompt} ({@code prompts/list}, {@code prompts/get}, {@code completion/complete}). */
        public Builder prompt(Prompt prompt) {
            prompts.add(Objects.requireNonNull(prompt, "prompt"));
            return this;
        }

        /**
         * Adds an observer of every request, connection, session, refusal and policy decision
         * (metrics, traces); several observers all see every event, in the order added. Default none.
         */
        public Builder observer(McpObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * Record Prometheus metrics ({@link Peregrine#metrics()}) and serve them at
         * {@link #metricsPath} on the HTTP listener, behind its authentication ({@code metrics.enabled});
         * default true.
         */
        public Builder metrics(boolean enabled) {
            return set(ConfigKey.METRICS_ENABLED, enabled);
        }

        /** The path of the Prometheus scrape on the HTTP listener ({@code metrics.path}); default {@code /metrics}. */
        public Builder metricsPath(String path) {
            return set(ConfigKey.METRICS_PATH, path);
        }

        /**
         * Where the metrics find a request's trace for the exemplars of OpenMetrics scrapes (tracing
         * implements it); default none. The metrics observe after the observers given to
         * {@link #observer}, so a tracer among them has ended the request's span by then.
         */
        public Builder metricsExemplars(TraceExemplars traces) {
            this.metricsExemplars = Objects.requireNonNull(traces, "traces");
            return this;
        }

        /**
         * Serves the admin listener on {@code host:port} ({@code admin.*}): {@code /metrics},
         * {@code /health} and {@code /ready}, without authentication. Off by default; the defaults
         * are 127.0.0.1:7402. Port 0 picks a free port ({@link Peregrine#adminAddress()}).
         */
        public Builder admin(String host, int port) {
            ConfigKey.ADMIN_HOST.check(host);
            set(ConfigKey.ADMIN_PORT, port);
            set(ConfigKey.ADMIN_HOST, host);
            return set(ConfigKey.ADMIN_ENABLED, true);
        }

        /** The server's name and version, as {@code serverInfo} reports them ({@code server.name}, {@code server.version}). */
        public Builder serverInfo(String name, String version) {
            ConfigKey.SERVER_VERSION.check(version);
            set(ConfigKey.SERVER_NAME, name);
            return set(ConfigKey.SERVER_VERSION, version);
        }

        /** Guidance for models on how to use this server ({@code server.instructions}); default none. */
        public Builder instructions(String instructions) {
            return set(ConfigKey.SERVER_INSTRUCTIONS, instructions == null ? "" : instructions);
        }

        /** Listens for newline-delimited JSON-RPC on TCP; default 127.0.0.1:7400. Port 0 picks a free port. */
        public Builder tcp(String host, int port) {
            ConfigKey.TCP_HOST.check(host);
            set(ConfigKey.TCP_PORT, port);
            set(ConfigKey.TCP_HOST, host);
            return set(ConfigKey.TCP_ENABLED, true);
        }

        /** Turns the TCP listener off. */
        public Builder noTcp() {
            return set(ConfigKey.TCP_ENABLED, false);
        }

        /**
         * Listens for HTTP and serves MCP over Streamable HTTP and WebSocket at {@link #webSocketPath}
         * (default {@code /mcp}, also {@code /mcp/ws}), with {@code /health} and {@code /ready}; off
         * by default. Port 0 picks a free port.
         */
        public Builder http(String host, int port) {
            ConfigKey.HTTP_HOST.check(host);
            set(ConfigKey.HTTP_PORT, port);
            set(ConfigKey.HTTP_HOST, host);
            return set(ConfigKey.HTTP_ENABLED, true);
        }

        /** Where WebSocket clients upgrade and Streamable HTTP is served ({@code ws.path}); default {@code /mcp}. */
        public Builder webSocketPath(String path) {
            return set(ConfigKey.WS_PATH, path);
        }

        /** The largest WebSocket frame ({@code ws.max-frame-size}); default 4 MiB. Messages are limited by {@link #maxLineLength}. */
        public Builder maxFrameBytes(int bytes) {
            return set(ConfigKey.WS_MAX_FRAME_SIZE, (long) bytes);
        }

        /** Close a WebSocket after this long without anything read ({@code ws.idle-timeout}; zero: never); default 5 minutes. */
        public Builder webSocketIdleTimeout(Duration timeout) {
            return set(ConfigKey.WS_IDLE_TIMEOUT, timeout);
        }

        /** Ping a WebSocket after this long without anything written ({@code ws.ping-interval}; zero: never); default 30 s. */
        public Builder webSocketPingInterval(Duration interval) {
            return set(ConfigKey.WS_PING_INTERVAL, interval);
        }

        /** Offer permessage-deflate ({@code ws.compression}); default off. */
        public Builder webSocketCompression(boolean enabled) {
            return set(ConfigKey.WS_COMPRESSION, enabled);
        }

        /**
         * Origins browsers may connect from, as {@code scheme://host} with an exact port or
         * {@code :*} for any; others get 403 ({@code http.allowed-origins}). Default: localhost and
         * 127.0.0.1 over http and https.
         */
        public Builder allowedOrigins(List<String> origins) {
            for (String o : List.copyOf(Objects.requireNonNull(origins, "origins"))) {
                if (o.contains(",")) {
                    throw new IllegalArgumentException("http.allowed-origins : " + o + " (expected: one origin, without commas)");
                }
            }
            return set(ConfigKey.HTTP_ALLOWED_ORIGINS, String.join(",", origins));
        }

        /** The largest Streamable HTTP POST body; larger ones get 413 ({@code http.max-body-size}). Default 4 MiB. */
        public Builder maxBodyBytes(int bytes) {
            return set(ConfigKey.HTTP_MAX_BODY_SIZE, (long) bytes);
        }

        /** How long one HTTP request may take to arrive whole (slower ones get 408; {@code http.request-read-timeout}); default 30 s. */
        public Builder requestReadTimeout(Duration timeout) {
            return set(ConfigKey.HTTP_REQUEST_READ_TIMEOUT, timeout);
        }

        /** Close an idle HTTP keep-alive connection after this long ({@code http.keep-alive-timeout}; zero: never); default 60 s. */
        public Builder httpKeepAliveTimeout(Duration timeout) {
            return set(ConfigKey.HTTP_KEEP_ALIVE_TIMEOUT, timeout);
        }

        /** Write an SSE comment on an open stream after this long without an event ({@code http.sse-keep-alive}; zero: never); default 15 s. */
        public Builder sseKeepAlive(Duration interval) {
            return set(ConfigKey.HTTP_SSE_KEEP_ALIVE, interval);
        }

        /** 2025-era Streamable HTTP sessions held at once ({@code http.max-sessions}); default 10,000. */
        public Builder maxSessions(int sessions) {
            return set(ConfigKey.HTTP_MAX_SESSIONS, sessions);
        }

        /** End a Streamable HTTP session unused for this long ({@code http.session-idle-timeout}); default 30 minutes. */
        public Builder sessionIdleTimeout(Duration timeout) {
            return set(ConfigKey.HTTP_SESSION_IDLE_TIMEOUT, timeout);
        }

        /**
         * Seals Streamable HTTP session ids under {@code secret}, at least 16 characters
         * ({@code gateway.session-key}): any replica given the same secret serves a 2025-era
         * session another one started, without shared storage; empty, the default, keeps ids
         * random and held by one process.
         */
        public Builder sessionKey(String secret) {
            return set(ConfigKey.GATEWAY_SESSION_KEY, secret);
        }

        /** How long after {@code initialize} a sealed session id is still served ({@code gateway.session-max-age}); default 24 hours. */
        public Builder sessionMaxAge(Duration maxAge) {
            return set(ConfigKey.GATEWAY_SESSION_MAX_AGE, maxAge);
        }

        /**
         * How many resource URIs that upstreams keeping their URIs point at (links, embedded
         * resources, contents) the gateway remembers, so that clients can read them through it
         * although the upstream does not list them ({@code gateway.linked-resources}); default
         * 10,000, 0 for none.
         */
        public Builder linkedResources(int uris) {
            return set(ConfigKey.GATEWAY_LINKED_RESOURCES, uris);
        }

        /** SSE events kept per stream for {@code Last-Event-ID} resumption ({@code http.replay-events}; zero: none); default 256. */
        public Builder replayEvents(int events) {
            return set(ConfigKey.HTTP_REPLAY_EVENTS, events);
        }

        /** Serve the 2025 revisions (initialize, sessions) over Streamable HTTP ({@code http.sessions}); default true. */
        public Builder httpSessions(boolean enabled) {
            return set(ConfigKey.HTTP_SESSIONS, enabled);
        }

        /** Serve HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the HTTP port ({@code http.h2c}); default true. */
        public Builder h2c(boolean enabled) {
            return set(ConfigKey.HTTP_H2C, enabled);
        }

        /**
         * The longest message accepted: a line on TCP and stdio, a whole message on WebSocket
         * ({@code tcp.max-line-length}); default 4 MiB, at least 1 KiB, at most 256 MiB.
         */
        public Builder maxLineLength(int bytes) {
            return set(ConfigKey.TCP_MAX_LINE_LENGTH, (long) bytes);
        }

        /** How deeply JSON may nest ({@code json.max-nesting-depth}); default 64. */
        public Builder maxNestingDepth(int depth) {
            return set(ConfigKey.JSON_MAX_NESTING_DEPTH, depth);
        }

        /** The longest JSON string value accepted ({@code json.max-string-length}); default 4 MiB. */
        public Builder maxStringLength(int chars) {
            return set(ConfigKey.JSON_MAX_STRING_LENGTH, (long) chars);
        }

        /** Blocking calls one connection may have running before reading from it pauses ({@code connection.max-in-flight}); default 256. */
        public Builder maxInFlightPerConnection(int calls) {
            return set(ConfigKey.CONNECTION_MAX_IN_FLIGHT, calls);
        }

        /** Blocking calls running at once, over all connections; beyond it calls are refused ({@code exec.max-concurrency}); default 64. */
        public Builder maxConcurrency(int calls) {
            return set(ConfigKey.EXEC_MAX_CONCURRENCY, calls);
        }

        /**
         * Ended calls whose handler ignores the interrupt that may give their slot back
         * ({@code exec.max-stray-calls}); default 16.
         */
        public Builder maxStrayCalls(int calls) {
            return set(ConfigKey.EXEC_MAX_STRAY_CALLS, calls);
        }

        /** Run blocking tools on virtual threads when the JDK has them ({@code exec.virtual-threads}); default true. */
        public Builder virtualThreads(boolean enabled) {
            return set(ConfigKey.EXEC_VIRTUAL_THREADS, enabled);
        }

        /** I/O threads ({@code io.threads}); 0 (the default) means twice the number of cores. */
        public Builder ioThreads(int threads) {
            return set(ConfigKey.IO_THREADS, threads);
        }

        /** How long a blocking call may run unless its tool says otherwise ({@code tools.default-timeout}); default 30 s. */
        public Builder defaultTimeout(Duration timeout) {
            return set(ConfigKey.TOOLS_DEFAULT_TIMEOUT, timeout);
        }

        /** Check arguments against input schemas, though tools may opt out ({@code tools.validate-arguments}); default true. */
        public Builder validateArguments(boolean validate) {
            return set(ConfigKey.TOOLS_VALIDATE_ARGUMENTS, validate);
        }

        /** Tools per {@code tools/list} page ({@code tools.page-size}); default 100. */
        public Builder pageSize(int size) {
            return set(ConfigKey.TOOLS_PAGE_SIZE, size);
        }

        /**
         * On {@link Peregrine#close()}, how long the server stays not ready but still serving before it
         * drains ({@code shutdown.ready-delay}), so that load balancers watching {@code /ready}
         * stop sending first; default 0 (the standalone server: 5 s).
         */
        public Builder readyDelay(Duration delay) {
            return set(ConfigKey.SHUTDOWN_READY_DELAY, delay);
        }

        /** How long {@link Peregrine#close()} waits for running calls ({@code shutdown.drain-timeout}); default 10 s. */
        public Builder drainTimeout(Duration timeout) {
            return set(ConfigKey.SHUTDOWN_DRAIN_TIMEOUT, timeout);
        }

        /**
         * How long a request to the client (2025 era: sampling, elicitation, roots) waits for its
         * answer before the asking tool gets a {@code ClientRequestException}
         * ({@code client-requests.timeout}); default 60 s. A blocking tool's own timeout still
         * bounds the whole call.
         */
        public Builder clientRequestTimeout(Duration timeout) {
            return set(ConfigKey.CLIENT_REQUESTS_TIMEOUT, timeout);
        }

        /**
         * The HMAC-SHA256 key that signs 2026-07-28 request states, at least 16 bytes; default a
         * random key per process. Replicas behind one load balancer must share a key, or a retry
         * that reaches another replica is refused. ({@code client-requests.state-key} is the same as text.)
         */
        public Builder requestStateKey(byte[] key) {
            Objects.requireNonNull(key, "key");
            if (key.length < 16) {
                throw new IllegalArgumentException("client-requests.state-key : " + key.length + " bytes (expected: >= 16)");
            }
            this.requestStateKey = key.clone();
            return this;
        }

        /** How long a 2026-07-28 request state stays valid after it is issued ({@code client-requests.state-ttl}); default 10 minutes. */
        public Builder requestStateTtl(Duration ttl) {
            return set(ConfigKey.CLIENT_REQUESTS_STATE_TTL, ttl);
        }

        /** How long a task and its result are kept after it was created ({@code tasks.ttl}); default 1 hour. */
        public Builder taskTtl(Duration ttl) {
            return set(ConfigKey.TASKS_TTL, ttl);
        }

        /** The most tasks kept at once, the oldest forgotten first ({@code tasks.max}); default 10,000. */
        public Builder maxTasks(int tasks) {
            return set(ConfigKey.TASKS_MAX, tasks);
        }

        /**
         * The clock that request-state expiry, task lifetimes and requests to the client are
         * measured by; default {@link ServerClock#SYSTEM}. Tests pass one they move themselves.
         */
        public Builder clock(ServerClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A server with a snapshot of this builder's settings and contents.
         *
         * @throws IllegalArgumentException when a listener without authentication would listen on
         *                                  a non-loopback address (see {@code auth.allow-anonymous-remote})
         */
        public Peregrine build() {
            ServerSettings settings = new ServerSettings(values, requestStateKey);
            ServerParts parts = new ServerParts(tools, resources, templates, prompts, observers, policy, tcpTls,
                    httpTls, clientCertificates, stdin, stdout, clock, metricsExemplars);
            Listeners.checkExposure(settings, parts);
            return new Peregrine(settings, parts, List.copyOf(upstreams), List.copyOf(registrations));
        }
    }
}
