package io.peregrine;

import io.peregrine.exec.ToolExecutor;
import io.peregrine.mcp.ClientRequestSettings;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.PromptRegistry;
import io.peregrine.mcp.ResourceRegistry;
import io.peregrine.prompt.Prompt;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.mcp.ServerInfo;
import io.peregrine.mcp.ToolRegistry;
import io.peregrine.rpc.Json;
import io.peregrine.tool.Tool;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.stdio.StdioTransport;
import io.peregrine.mcp.ProtocolVersion;
import io.peregrine.transport.http.HttpProtocolVersions;
import io.peregrine.transport.http.StreamableHttpEndpoint;
import io.peregrine.transport.http.StreamableHttpSettings;
import io.peregrine.transport.tcp.TcpServer;
import io.peregrine.transport.ws.WebSocketServer;
import io.peregrine.transport.ws.WebSocketSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * {@link #close()} stops accepting, lets running calls finish for up to the drain timeout, answers
 * whatever is left with a shutting-down error, and then stops the threads.
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

    private final Builder config;
    private final McpServer core;
    private final ToolExecutor executor;
    private EventLoops loops;
    private TcpServer tcp;
    private WebSocketServer http;
    private StreamableHttpEndpoint streamableHttp;
    private StdioTransport stdio;
    private volatile BoundAddresses addresses;
    private volatile boolean closed;
    /** The server's metrics, or null when {@code metrics.enabled} is off. */
    private final io.peregrine.ops.metrics.PeregrineMetrics metrics;
    /** {@code GET metrics.path} for the HTTP listener's pipeline, after its authentication; null when metrics are off. */
    private final io.peregrine.ops.metrics.MetricsHttpHandler metricsRoute;
    private io.peregrine.ops.metrics.AdminServer admin;

    private Peregrine(Builder b) {
        this.config = b;
        this.executor = new ToolExecutor(b.maxConcurrency, b.virtualThreads);
        this.core = new McpServer(new Json(b.maxNestingDepth, b.maxStringLength),
                new ServerInfo(b.name, b.version, b.instructions), executor,
                new McpServer.Settings(b.maxInFlight, b.pageSize, b.defaultTimeout.toMillis(), b.validateArguments),
                new ClientRequestSettings(b.clientRequestTimeout.toMillis(), b.requestStateKey,
                        b.requestStateTtl.toMillis(), b.taskTtl.toMillis(), b.maxTasks));
        for (Tool t : b.tools) {
            core.tools().add(t);
        }
        for (Resource r : b.resources) {
            core.resources().add(r);
        }
        for (ResourceTemplate t : b.templates) {
            core.resources().add(t);
        }
        for (Prompt p : b.prompts) {
            core.prompts().add(p);
        }
        for (io.peregrine.mcp.McpObserver o : b.observers) {
            core.observer(o);
        }
        if (b.metricsEnabled) {
            // After the builder's observers: a tracer among them has ended a request's span, and
            // can name it for an exemplar, when the metrics see the request end.
            // Event loops exist from start() on; until then the backlog gauge has no samples.
            this.metrics = io.peregrine.ops.metrics.PeregrineMetrics.builder()
                    .eventLoops(() -> loops == null ? null : loops.workers())
                    .traceExemplars(b.metricsExemplars)
                    .build();
            core.observer(metrics.observer());
            this.metricsRoute = new io.peregrine.ops.metrics.MetricsHttpHandler(b.metricsPath, metrics.exposition());
        } else {
            this.metrics = null;
            this.metricsRoute = null;
        }
        core.policy(b.policy);
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
        checkExposure("tcp", config.tcpEnabled, config.tcpHost, "tcp");
        checkExposure("http", config.httpEnabled, config.httpHost, "ws");
        loops = new EventLoops(config.ioThreads, "peregrine");
        try {
            InetSocketAddress tcpAddress = null;
            if (config.tcpEnabled) {
                tcp = TcpServer.bind(loops, config.tcpHost, config.tcpPort, config.maxLineLength, core,
                        config.security(config.tcpTls));
                tcpAddress = tcp.localAddress();
                log.info("MCP over TCP (newline-delimited JSON-RPC) on {}", tcpAddress);
            }
            InetSocketAddress httpAddress = null;
            if (config.httpEnabled) {
                streamableHttp = new StreamableHttpEndpoint(core, config.streamableHttp(),
                        new HttpProtocolVersions(ProtocolVersion.ids(), ProtocolVersion.modernIds()));
                http = WebSocketServer.bind(loops, config.httpHost, config.httpPort, config.webSocket, streamableHttp, core,
                        config.security(config.httpTls));
                httpAddress = http.localAddress();
                String scheme = config.httpTls != null ? "s" : "";
                log.info("MCP over Streamable HTTP on http{}://{}:{}{} and WebSocket on ws{}://{}:{}{}",
                        scheme, httpAddress.getHostString(), httpAddress.getPort(), config.webSocketPath,
                        scheme, httpAddress.getHostString(), httpAddress.getPort(), config.webSocketPath);
            }
            if (config.stdin != null) {
                stdio = StdioTransport.start(config.stdin, config.stdout, config.maxLineLength, core);
                log.info("MCP over stdio (newline-delimited JSON-RPC on stdin and stdout)");
            }
            if (config.adminEnabled) {
                admin = io.peregrine.ops.metrics.AdminServer.bind(config.adminHost, config.adminPort,
                        metrics != null ? metrics.exposition() : new io.peregrine.ops.metrics.MetricsExposition(List.of()),
                        () -> "{\"status\":\"up\"}", this::isReady);
                log.info("Admin listener (/metrics, /health, /ready) on http://{}:{}",
                        admin.localAddress().getHostString(), admin.localAddress().getPort());
            }
            addresses = new BoundAddresses(tcpAddress, httpAddress);
            return addresses;
        } catch (InterruptedException | RuntimeException e) {
            closeListeners();
            if (admin != null) {
                admin.close();
            }
            loops.shutdown(1_000);
            throw e;
        }
    }

    /**
     * A listener without authentication is for this machine only: on any other address it would
     * hand every tool to the network. Opting in is explicit.
     */
    private void checkExposure(String listener, boolean enabled, String host, String transport) {
        if (!enabled || config.allowAnonymousRemote || config.policy.authenticator(transport).requiresCredentials()
                || isLoopback(host)) {
            return;
        }
        throw new IllegalArgumentException(listener + ".host : " + host + " with " + listener + ".auth none (expected: "
                + "a loopback address, or authentication on this listener, or auth.allow-anonymous-remote=true)");
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The server's Prometheus metrics (register your own in its registry); null when metrics are off. */
    public io.peregrine.ops.metrics.PeregrineMetrics metrics() {
        return metrics;
    }

    /**
     * The scrape route of the HTTP listener ({@code metrics.path}), to add to its pipeline after the
     * authentication handler; null when metrics are off.
     */
    io.peregrine.ops.metrics.MetricsHttpHandler metricsRoute() {
        return metricsRoute;
    }

    /** The admin listener's address; null when it is off or the server has not started. */
    public synchronized InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    /** The policy in front of dispatch: authentication, authorization, limits, result cache, audit. */
    public io.peregrine.policy.PolicyChain policy() {
        return config.policy;
    }

    /** Ready for traffic: started, and not draining for shutdown. */
    public boolean isReady() {
        return addresses != null && !closed && !core.isDraining();
    }

    /** The bound addresses; null before {@link #start()}. */
    public synchronized BoundAddresses addresses() {
        return addresses;
    }

    /**
     * Completes when the stdio session ends (the client closed stdin); null when stdio is not
     * served or the server has not started.
     */
    public synchronized io.netty.util.concurrent.Future<Void> stdioClosed() {
        return stdio == null ? null : stdio.closeFuture();
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

    /** The protocol core, for transports and tests that drive it directly. */
    public McpServer core() {
        return core;
    }

    /** Drains and stops. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeListeners();
        try {
            if (!core.drain(config.drainTimeout.toMillis())) {
                log.warn("calls still running after the drain timeout of {} were answered with a shutdown error",
                        config.drainTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (streamableHttp != null) {
            streamableHttp.close();
        }
        executor.shutdown(1_000);
        if (stdio != null) {
            stdio.shutdown();
        }
        if (loops != null) {
            // Let the shutdown answers reach the wire before the connections go.
            loops.shutdown(2_000);
        }
        if (admin != null) {
            // Last: /ready answers 503 while the server drains.
            admin.close();
        }
    }

    private void closeListeners() {
        if (tcp != null) {
            tcp.close();
        }
        if (http != null) {
            http.close();
        }
    }

    /** Builds a {@link Peregrine}; every setting has a safe default. */
    public static final class Builder {
        /** The largest message any transport accepts: 256 MiB (offsets within a message are kept in 28 bits). */
        public static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

        private static final List<String> DEFAULT_ORIGINS = List.of("http://localhost:*", "https://localhost:*",
                "http://127.0.0.1:*", "https://127.0.0.1:*");

        private final List<Tool> tools = new ArrayList<>();
        private final List<Resource> resources = new ArrayList<>();
        private final List<ResourceTemplate> templates = new ArrayList<>();
        private final List<Prompt> prompts = new ArrayList<>();
        private String name = "peregrine";
        private String version = "0.1.0";
        private String instructions;
        private boolean tcpEnabled = true;
        private String tcpHost = "127.0.0.1";
        private int tcpPort = 7400;
        private int maxLineLength = 4 * 1024 * 1024;
        private int maxNestingDepth = 64;
        private int maxStringLength = 4 * 1024 * 1024;
        private int maxInFlight = 256;
        private int maxConcurrency = 64;
        private boolean virtualThreads = true;
        private int ioThreads;
        private Duration defaultTimeout = Duration.ofSeconds(30);
        private boolean validateArguments = true;
        private int pageSize = 100;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration clientRequestTimeout = Duration.ofSeconds(60);
        private byte[] requestStateKey;
        private Duration requestStateTtl = Duration.ofMinutes(10);
        private Duration taskTtl = Duration.ofHours(1);
        private int maxTasks = 10_000;
        private boolean httpEnabled;
        private String httpHost = "127.0.0.1";
        private int httpPort = 7401;
        private String webSocketPath = "/mcp";
        private int maxFrameBytes = 4 * 1024 * 1024;
        private Duration webSocketIdleTimeout = Duration.ofMinutes(5);
        private Duration webSocketPingInterval = Duration.ofSeconds(30);
        private boolean webSocketCompression;
        private List<String> allowedOrigins = DEFAULT_ORIGINS;
        private WebSocketSettings webSocket;
        private int maxBodyBytes = 4 * 1024 * 1024;
        private Duration requestReadTimeout = Duration.ofSeconds(30);
        private Duration httpKeepAliveTimeout = Duration.ofSeconds(60);
        private Duration sseKeepAlive = Duration.ofSeconds(15);
        private int maxSessions = 10_000;
        private Duration sessionIdleTimeout = Duration.ofMinutes(30);
        private int replayEvents = 256;
        private boolean httpSessions = true;
        private boolean h2c = true;
        private java.io.InputStream stdin;
        private java.io.OutputStream stdout;
        private io.peregrine.policy.PolicyChain policy = io.peregrine.policy.PolicyChain.defaults();
        private io.peregrine.transport.tls.TlsContext tcpTls;
        private io.peregrine.transport.tls.TlsContext httpTls;
        private io.peregrine.policy.ClientCertificates clientCertificates;
        private boolean allowAnonymousRemote;
        private final List<io.peregrine.mcp.McpObserver> observers = new ArrayList<>();
        private boolean metricsEnabled = true;
        private String metricsPath = "/metrics";
        private io.peregrine.ops.metrics.TraceExemplars metricsExemplars = io.peregrine.ops.metrics.TraceExemplars.NONE;
        private boolean adminEnabled;
        private String adminHost = io.peregrine.ops.metrics.AdminServer.DEFAULT_HOST;
        private int adminPort = io.peregrine.ops.metrics.AdminServer.DEFAULT_PORT;

        /**
         * Record Prometheus metrics ({@link Peregrine#metrics()}) and serve them at
         * {@link #metricsPath} on the HTTP listener, behind its authentication; default true.
         */
        public Builder metrics(boolean enabled) {
            this.metricsEnabled = enabled;
            return this;
        }

        /**
         * Where the metrics find a request's trace for the exemplars of OpenMetrics scrapes (tracing
         * implements it); default none. The metrics observe after the observers given to
         * {@link #observer}, so a tracer among them has ended the request's span by then.
         */
        public Builder metricsExemplars(io.peregrine.ops.metrics.TraceExemplars traces) {
            this.metricsExemplars = Objects.requireNonNull(traces, "traces");
            return this;
        }

        /** The path of the Prometheus scrape on the HTTP listener; default {@code /metrics}. */
        public Builder metricsPath(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("metricsPath : " + path + " (expected: starting with /)");
            }
            this.metricsPath = path;
            return this;
        }

        /**
         * Serves the admin listener on {@code host:port}: {@code /metrics}, {@code /health} and
         * {@code /ready}, without authentication. Off by default; the defaults are 127.0.0.1:7402.
         * Port 0 picks a free port ({@link Peregrine#adminAddress()}).
         */
        public Builder admin(String host, int port) {
            this.adminHost = Objects.requireNonNull(host, "host");
            this.adminPort = checkRange("port", port, 0, 65535);
            this.adminEnabled = true;
            return this;
        }

        /**
         * Adds an observer of every request, connection, session, refusal and policy decision
         * (metrics, traces); several observers all see every event, in the order added. Default none.
         */
        public Builder observer(io.peregrine.mcp.McpObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        private Builder() {
        }

        /**
         * Authentication (per listener), authorization, rate limits, the result cache and the
         * audit log, run before dispatch. Default: no authentication (loopback listeners only),
         * no limits, a 10,000-entry cache for tools declared cacheable.
         */
        public Builder policy(io.peregrine.policy.PolicyChain policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** TLS on the TCP listener; default none. */
        public Builder tcpTls(io.peregrine.transport.tls.TlsContext tls) {
            this.tcpTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** TLS on the HTTP listener (wss:// and https://); default none. */
        public Builder httpTls(io.peregrine.transport.tls.TlsContext tls) {
            this.httpTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** How verified TLS client certificates (mTLS) map to principals; default: they authenticate no one. */
        public Builder clientCertificates(io.peregrine.policy.ClientCertificates mapping) {
            this.clientCertificates = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /** Allow listeners without authentication on non-loopback addresses; default false. */
        public Builder allowAnonymousRemote(boolean allow) {
            this.allowAnonymousRemote = allow;
            return this;
        }

        io.peregrine.transport.ListenerSecurity security(io.peregrine.transport.tls.TlsContext tls) {
            return new io.peregrine.transport.ListenerSecurity(tls,
                    clientCertificates == null ? null : clientCertificates::principal, policy);
        }

        /**
         * Also serves one MCP session over these streams, one JSON-RPC message per line (the MCP
         * stdio transport: pass {@code System.in} and {@code System.out}, and keep logs on stderr).
         */
        public Builder stdio(java.io.InputStream in, java.io.OutputStream out) {
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

        /** Serves {@code prompt} ({@code prompts/list}, {@code prompts/get}, {@code completion/complete}). */
        public Builder prompt(Prompt prompt) {
            prompts.add(Objects.requireNonNull(prompt, "prompt"));
            return this;
        }

        /** The server's name and version, as {@code serverInfo} reports them. */
        public Builder serverInfo(String name, String version) {
            this.name = Objects.requireNonNull(name, "name");
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Guidance for models on how to use this server; default none. */
        public Builder instructions(String instructions) {
            this.instructions = instructions;
            return this;
        }

        /** Listens for newline-delimited JSON-RPC on TCP; default 127.0.0.1:7400. Port 0 picks a free port. */
        public Builder tcp(String host, int port) {
            this.tcpHost = Objects.requireNonNull(host, "host");
            this.tcpPort = checkRange("port", port, 0, 65535);
            this.tcpEnabled = true;
            return this;
        }

        /**
         * Listens for HTTP and serves MCP over WebSocket at {@link #webSocketPath} (default
         * {@code /mcp}, also {@code /mcp/ws}); off by default. Port 0 picks a free port.
         */
        public Builder http(String host, int port) {
            this.httpHost = Objects.requireNonNull(host, "host");
            this.httpPort = checkRange("port", port, 0, 65535);
            this.httpEnabled = true;
            return this;
        }

        /** Where WebSocket clients upgrade; default {@code /mcp}. */
        public Builder webSocketPath(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("webSocketPath : " + path + " (expected: starting with /)");
            }
            this.webSocketPath = path;
            return this;
        }

        /** The largest WebSocket frame; default 4 MiB. Messages are limited by {@link #maxLineLength}. */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = checkRange("maxFrameBytes", bytes, 1, MAX_MESSAGE_BYTES);
            return this;
        }

        /** Close a WebSocket after this long without anything read (zero: never); default 5 minutes. */
        public Builder webSocketIdleTimeout(Duration timeout) {
            this.webSocketIdleTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Ping a WebSocket after this long without anything written (zero: never); default 30 s. */
        public Builder webSocketPingInterval(Duration interval) {
            this.webSocketPingInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Origins browsers may connect from, as {@code scheme://host} with an exact port or
         * {@code :*} for any; others get 403. Default: localhost and 127.0.0.1 over http and https.
         */
        public Builder allowedOrigins(List<String> origins) {
            this.allowedOrigins = List.copyOf(Objects.requireNonNull(origins, "origins"));
            return this;
        }

        /** The largest Streamable HTTP POST body; larger ones get 413. Default 4 MiB. */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = checkRange("maxBodyBytes", bytes, 1, MAX_MESSAGE_BYTES);
            return this;
        }

        /** How long one HTTP request may take to arrive whole (slower ones get 408, slow-loris); default 30 s. */
        public Builder requestReadTimeout(Duration timeout) {
            this.requestReadTimeout = positive("requestReadTimeout", timeout);
            return this;
        }

        /** Close an idle HTTP keep-alive connection after this long (zero: never); default 60 s. */
        public Builder httpKeepAliveTimeout(Duration timeout) {
            this.httpKeepAliveTimeout = notNegative("httpKeepAliveTimeout", timeout);
            return this;
        }

        /** Write an SSE comment on an open stream after this long without an event (zero: never); default 15 s. */
        public Builder sseKeepAlive(Duration interval) {
            this.sseKeepAlive = notNegative("sseKeepAlive", interval);
            return this;
        }

        /** 2025-era Streamable HTTP sessions held at once; default 10,000. */
        public Builder maxSessions(int sessions) {
            this.maxSessions = checkRange("maxSessions", sessions, 1, 10_000_000);
            return this;
        }

        /** End a Streamable HTTP session unused for this long; default 30 minutes. */
        public Builder sessionIdleTimeout(Duration timeout) {
            this.sessionIdleTimeout = positive("sessionIdleTimeout", timeout);
            return this;
        }

        /** SSE events kept per stream for {@code Last-Event-ID} resumption (zero: none); default 256. */
        public Builder replayEvents(int events) {
            this.replayEvents = checkRange("replayEvents", events, 0, 1_000_000);
            return this;
        }

        /** Serve the 2025 revisions (initialize, sessions) over Streamable HTTP; default true. */
        public Builder httpSessions(boolean enabled) {
            this.httpSessions = enabled;
            return this;
        }

        /** Serve HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on the HTTP port; default true. */
        public Builder h2c(boolean enabled) {
            this.h2c = enabled;
            return this;
        }

        StreamableHttpSettings streamableHttp() {
            return new StreamableHttpSettings(webSocketPath, maxBodyBytes, requestReadTimeout.toMillis(),
                    httpKeepAliveTimeout.toMillis(), sseKeepAlive.toMillis(), maxSessions, sessionIdleTimeout.toMillis(),
                    replayEvents, httpSessions, h2c);
        }

        /** Offer permessage-deflate; default off. */
        public Builder webSocketCompression(boolean enabled) {
            this.webSocketCompression = enabled;
            return this;
        }

        /** Turns the TCP listener off. */
        public Builder noTcp() {
            this.tcpEnabled = false;
            return this;
        }

        /** The longest message accepted (a line on TCP and stdio, a whole message on WebSocket); default 4 MiB, at most 256 MiB. */
        public Builder maxLineLength(int bytes) {
            this.maxLineLength = checkRange("maxLineLength", bytes, 1, MAX_MESSAGE_BYTES);
            return this;
        }

        /** How deeply JSON may nest; default 64. */
        public Builder maxNestingDepth(int depth) {
            this.maxNestingDepth = checkRange("maxNestingDepth", depth, 1, 100_000);
            return this;
        }

        /** The longest JSON string value accepted; default 4 MiB. */
        public Builder maxStringLength(int chars) {
            this.maxStringLength = checkRange("maxStringLength", chars, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Blocking calls one connection may have running before reading from it pauses; default 256. */
        public Builder maxInFlightPerConnection(int calls) {
            this.maxInFlight = checkRange("maxInFlightPerConnection", calls, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Blocking calls running at once, over all connections; beyond it calls are refused; default 64. */
        public Builder maxConcurrency(int calls) {
            this.maxConcurrency = checkRange("maxConcurrency", calls, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Run blocking tools on virtual threads when the JDK has them; default true. */
        public Builder virtualThreads(boolean enabled) {
            this.virtualThreads = enabled;
            return this;
        }

        /** I/O threads; 0 (the default) means twice the number of cores. */
        public Builder ioThreads(int threads) {
            this.ioThreads = checkRange("ioThreads", threads, 0, 1024);
            return this;
        }

        /** How long a blocking call may run unless its tool says otherwise; default 30 s. */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = positive("defaultTimeout", timeout);
            return this;
        }

        /** Check arguments against input schemas (tools may still opt out); default true. */
        public Builder validateArguments(boolean validate) {
            this.validateArguments = validate;
            return this;
        }

        /** Tools per {@code tools/list} page; default 100. */
        public Builder pageSize(int size) {
            this.pageSize = checkRange("pageSize", size, 1, 100_000);
            return this;
        }

        /** How long {@link Peregrine#close()} waits for running calls; default 10 s. */
        public Builder drainTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout : " + timeout + " (expected: >= 0)");
            }
            this.drainTimeout = timeout;
            return this;
        }

        /**
         * How long a request to the client (2025 era: sampling, elicitation, roots) waits for its
         * answer before the asking tool gets a {@code ClientRequestException}; default 60 s. A
         * blocking tool's own timeout still bounds the whole call.
         */
        public Builder clientRequestTimeout(Duration timeout) {
            this.clientRequestTimeout = positive("clientRequestTimeout", timeout);
            return this;
        }

        /**
         * The HMAC-SHA256 key that signs 2026-07-28 request states, at least 16 bytes; default a
         * random key per process. Replicas behind one load balancer must share a key, or a retry
         * that reaches another replica is refused.
         */
        public Builder requestStateKey(byte[] key) {
            Objects.requireNonNull(key, "key");
            if (key.length < 16) {
                throw new IllegalArgumentException("requestStateKey : " + key.length + " bytes (expected: >= 16)");
            }
            this.requestStateKey = key.clone();
            return this;
        }

        /** How long a 2026-07-28 request state stays valid after it is issued; default 10 minutes. */
        public Builder requestStateTtl(Duration ttl) {
            this.requestStateTtl = positive("requestStateTtl", ttl);
            return this;
        }

        /** How long a task and its result are kept after it was created; default 1 hour. */
        public Builder taskTtl(Duration ttl) {
            this.taskTtl = positive("taskTtl", ttl);
            return this;
        }

        /** The most tasks kept at once (the oldest are forgotten first); default 10,000. */
        public Builder maxTasks(int tasks) {
            this.maxTasks = checkRange("maxTasks", tasks, 1, 10_000_000);
            return this;
        }

        public Peregrine build() {
            Peregrine[] built = new Peregrine[1];
            webSocket = new WebSocketSettings(webSocketPath, maxFrameBytes, maxLineLength,
                    webSocketIdleTimeout.toMillis(), webSocketPingInterval.toMillis(), webSocketCompression,
                    () -> built[0].isReady(), allowedOrigins);
            built[0] = new Peregrine(this);
            return built[0];
        }

        private static int checkRange(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " : " + value + " (expected: " + min + " to " + max + ")");
            }
            return value;
        }

        private static Duration notNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " : " + d + " (expected: >= 0)");
            }
            return d;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " : " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
