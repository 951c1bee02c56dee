package io.peregrine.ops.metrics;

import io.peregrine.gateway.ResilienceEvents;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of the gateway's calls to its upstreams: each attempt's duration as
 * {@code mcp_client_operation_duration_seconds} (the OpenTelemetry MCP client convention's
 * {@code mcp.client.operation.duration}, labelled {@code mcp_method_name}, {@code error_type} and
 * the {@code upstream}), retries, hedges, retry budgets spent, circuit breaker states and
 * transitions, and fallbacks. Registered in the server's registry when the server has upstreams;
 * labels are bounded by the configuration (upstreams, their endpoints and tools) and by
 * {@link OperationDurations#METHODS}.
 */
public final class ResilienceMetrics implements ResilienceEvents {

    static final String NAME = "mcp_client_operation_duration_seconds";

    private final ClassicHistogram durations;
    /** The attempts' points by upstream, method and error type ({@code ""} for none): found without building a key. */
    private final Map<String, Map<String, Map<String, ClassicHistogram.Point>>> points = new ConcurrentHashMap<>();
    private final Counter retries;
    private final Counter hedges;
    private final Counter budgetSpent;
    private final Gauge circuitState;
    private final Counter transitions;
    private final Counter rejected;
    private final Counter fallbacks;

    public ResilienceMetrics(PrometheusRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        this.durations = new ClassicHistogram(NAME, "Time from sending a request to an upstream to its answer, per attempt, "
                + "by method, upstream and error type (empty when it succeeded)", Unit.SECONDS, OperationDurations.BUCKETS,
                "mcp_method_name", "upstream", "error_type");
        registry.register(durations);
        this.retries = Counter.builder().name("peregrine_gateway_retries_total")
                .help("Calls sent to an upstream again after a failed attempt").labelNames("upstream", "mcp_method_name")
                .withoutExemplars().register(registry);
        this.hedges = Counter.builder().name("peregrine_gateway_hedges_total")
                .help("Second attempts of idempotent calls sent while the first had not answered")
                .labelNames("upstream", "mcp_method_name").withoutExemplars().register(registry);
        this.budgetSpent = Counter.builder().name("peregrine_gateway_retry_budget_exhausted_total")
                .help("Retries and hedges not sent because the upstream's retry budget was spent").labelNames("upstream")
                .withoutExemplars().register(registry);
        this.circuitState = Gauge.builder().name("peregrine_circuit_state")
                .help("State of each circuit breaker: 0 closed, 1 open, 2 half-open; scope endpoint or tool")
                .labelNames("upstream", "scope", "name").withoutExemplars().register(registry);
        this.transitions = Counter.builder().name("peregrine_circuit_transitions_total")
                .help("Circuit breakers entering a state (closed, open, half_open)").labelNames("upstream", "scope", "state")
                .withoutExemplars().register(registry);
        this.rejected = Counter.builder().name("peregrine_circuit_rejected_total")
                .help("Calls or attempts a circuit breaker refused at once").labelNames("upstream", "scope")
                .withoutExemplars().register(registry);
        this.fallbacks = Counter.builder().name("peregrine_gateway_fallbacks_total")
                .help("Tool calls answered by their configured fallback, by why (circuit_open, unavailable, timeout, failed)")
                .labelNames("upstream", "tool", "reason").withoutExemplars().register(registry);
    }

    private static final List<String> STATES = List.of("closed", "open", "half_open");

    @Override
    public void attempt(String upstream, String method, String errorType, double seconds) {
        String m = OperationDurations.METHODS.contains(method) ? method : MetricsObserver.OTHER;
        String e = errorType == null ? "" : errorType;
        Map<String, ClassicHistogram.Point> byError = in(in(points, upstream), m);
        ClassicHistogram.Point point = byError.get(e);
        if (point == null) {
            point = byError.computeIfAbsent(e, k -> durations.point(m, upstream, e));
        }
        point.observe(seconds);
    }

    /** The map under {@code key}, made when it is the first. */
    private static <V> Map<String, V> in(Map<String, Map<String, V>> maps, String key) {
        Map<String, V> map = maps.get(key);
        return map != null ? map : maps.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    }

    @Override
    public void retried(String upstream, String method) {
        retries.labelValues(upstream, method).inc();
    }

    @Override
    public void hedged(String upstream, String method) {
        hedges.labelValues(upstream, method).inc();
    }

    @Override
    public void budgetExhausted(String upstream) {
        budgetSpent.labelValues(upstream).inc();
    }

    @Override
    public void breakerState(String upstream, String scope, String name, int state) {
        circuitState.labelValues(upstream, scope, name).set(state);
        transitions.labelValues(upstream, scope, STATES.get(state)).inc();
    }

    @Override
    public void breakerCreated(String upstream, String scope, String name) {
        circuitState.labelValues(upstream, scope, name).set(0);
    }

    @Override
    public void breakerRejected(String upstream, String scope) {
        rejected.labelValues(upstream, scope).inc();
    }

    @Override
    public void fallback(String upstream, String tool, String reason) {
        fallbacks.labelValues(upstream, tool, reason).inc();
    }
}
