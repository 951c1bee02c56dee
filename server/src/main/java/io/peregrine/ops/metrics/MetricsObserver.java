package io.peregrine.ops.metrics;

import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.ObservedRequest;
import io.peregrine.transport.Transport;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The server's traffic as Prometheus metrics: an {@link McpObserver} that the core calls at the
 * edges of each request, connection and session, and at each refusal and policy decision.
 *
 * <p>Every event lands on a data point resolved before (at construction, or the first time its
 * label values occur) and held in a table keyed by constants and registered names, so an event
 * costs a lookup and an add, and allocates nothing. Label values are bounded by construction:
 * methods are the MCP methods, tools and prompts only registered ones (else {@value #OTHER}),
 * error types the JSON-RPC codes seen (at most {@value ErrorTypes#MAX_CODES}), limiter and cache
 * names at most {@value BoundedLabels#MAX_NAMES}. Session ids, request ids, URIs and principals
 * never become labels.
 *
 * <p>A label that does not apply (no tool on {@code tools/list}, no protocol name on raw TCP, no
 * error on success) has the empty value, which Prometheus stores as an absent label: the label
 * set of a Prometheus metric is fixed, and an empty value is how a series goes without one.
 */
public final class MetricsObserver implements McpObserver {

    /** The label value of a name that is not registered (or not known). */
    public static final String OTHER = "_OTHER";

    /** The limiter scopes of {@code peregrine_ratelimit_decisions_total}, shown from the start. */
    static final String[] LIMITERS = {"global", "principal", "tool", "principal_tool", "connection"};

    /** Semantic-convention buckets, then hours: a session lives far longer than a request. */
    static final double[] SESSION_BUCKETS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
            900, 1800, 3600, 7200, 14400, 28800, 86400};

    private static final Transport[] TRANSPORTS = Transport.values();

    private final OperationDurations operations;
    private final TraceExemplars traces;
    private final ClassicHistogram.Point[] sessionDurations = new ClassicHistogram.Point[TRANSPORTS.length];
    private final TransportGauge activeRequests;
    private final TransportGauge activeSessions;
    private final TransportGauge connections;
    private final CounterDataPoint[] rejections = new CounterDataPoint[Rejection.values().length];
    private final BoundedLabels rateLimitDecisions;
    private final BoundedLabels cacheRequests;

    /**
     * Registers the traffic metrics in {@code registry}.
     *
     * @param traces where exemplars find the trace of a request; {@link TraceExemplars#NONE} keeps none
     */
    public MetricsObserver(PrometheusRegistry registry, TraceExemplars traces) {
        this.traces = traces;
        this.operations = new OperationDurations(traces != TraceExemplars.NONE);
        registry.register(operations.histogram());

        ClassicHistogram sessions = new ClassicHistogram("mcp_server_session_duration_seconds",
                "Duration of MCP sessions: 2025-era sessions (HTTP, after initialize) and WebSocket and socket connections",
                Unit.SECONDS, SESSION_BUCKETS, "network_transport", "network_protocol_name");
        registry.register(sessions);
        for (Transport t : TRANSPORTS) {
            String protocol = t.networkProtocolName();
            sessionDurations[t.ordinal()] = sessions.point(t.networkTransport(), protocol == null ? "" : protocol);
        }

        this.activeRequests = new TransportGauge(registry, "peregrine_mcp_server_active_requests",
                "Requests being handled: dispatched and not yet answered (the autoscaling signal)");
        this.activeSessions = new TransportGauge(registry, "peregrine_mcp_server_active_sessions",
                "2025-era sessions open (HTTP sessions, initialized sockets and WebSockets)");
        this.connections = new TransportGauge(registry, "peregrine_connections",
                "Open client connections (sockets, WebSockets, HTTP connections, the stdio pipe)");

        Counter rejected = Counter.builder()
                .name("peregrine_messages_rejected_total")
                .help("Messages refused before they reached a method handler, or requests refused by policy, by reason")
                .labelNames("reason")
                .withoutExemplars()
                .register(registry);
        for (Rejection r : Rejection.values()) {
            rejections[r.ordinal()] = rejected.labelValues(r.label());
        }

        this.rateLimitDecisions = new BoundedLabels(Counter.builder()
                .name("peregrine_ratelimit_decisions_total")
                .help("Rate-limit decisions by limiter scope and outcome (admitted or refused)")
                .labelNames("limiter", "outcome")
                .withoutExemplars()
                .register(registry), "admitted", "refused");
        for (String limiter : LIMITERS) {
            rateLimitDecisions.declare(limiter);
        }
        this.cacheRequests = new BoundedLabels(Counter.builder()
                .name("peregrine_cache_requests_total")
                .help("Cache lookups by cache and result (hit or miss)")
                .labelNames("cache", "result")
                .withoutExemplars()
                .register(registry), "hit", "miss");
        cacheRequests.declare("result");
    }

    @Override
    public boolean observesStart() {
        // The in-flight gauge goes up at the start.
        return true;
    }

    @Override
    public Object requestStarted(ObservedRequest request) {
        activeRequests.increment(request.transport());
        return null;
    }

    @Override
    public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                             boolean answered, long durationNanos) {
        activeRequests.decrement(request.transport());
        operations.record(request, errorCode, toolError, answered, durationNanos, traces);
    }

    @Override
    public void connectionOpened(Transport transport) {
        connections.increment(transport);
    }

    @Override
    public void connectionClosed(Transport transport) {
        connections.decrement(transport);
    }

    @Override
    public void sessionStarted(Transport transport) {
        activeSessions.increment(transport);
    }

    @Override
    public void sessionEnded(Transport transport, long durationNanos) {
        activeSessions.decrement(transport);
        sessionDurations[transport.ordinal()].observe(durationNanos / 1e9);
    }

    @Override
    public void messageRejected(Transport transport, Rejection reason) {
        rejections[reason.ordinal()].inc();
    }

    @Override
    public void rateLimitDecision(String limiter, boolean admitted) {
        rateLimitDecisions.increment(limiter, admitted);
    }

    @Override
    public void cacheLookup(String cache, boolean hit) {
        cacheRequests.increment(cache, hit);
    }

    /** Requests in flight on {@code transport}, as the gauge reports them. */
    public long activeRequests(Transport transport) {
        return activeRequests.get(transport);
    }
}
