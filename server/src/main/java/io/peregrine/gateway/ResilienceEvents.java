package io.peregrine.gateway;

/**
 * Hears what the gateway's resilience does, for metrics: each attempt sent to an upstream, retries,
 * hedges, circuit breakers changing state, fallbacks used. Called on hot paths and on the client's
 * I/O threads: implementations must be quick and never block.
 */
public interface ResilienceEvents {

    /** Hears nothing. */
    ResilienceEvents NONE = new ResilienceEvents() {
    };

    /**
     * One attempt of {@code method} on an endpoint of {@code upstream} ended after {@code seconds}.
     *
     * @param errorType null when it succeeded; else {@code tool_error}, a JSON-RPC code, {@code timeout},
     *                  {@code connection_lost}, {@code not_sent} or {@code cancelled}
     */
    default void attempt(String upstream, String method, String errorType, double seconds) {
    }

    /** A call to {@code upstream} was sent again after a failed attempt. */
    default void retried(String upstream, String method) {
    }

    /** A second attempt of an idempotent call was sent while the first had not answered. */
    default void hedged(String upstream, String method) {
    }

    /** A retry or a hedge was not sent because the upstream's retry budget was spent. */
    default void budgetExhausted(String upstream) {
    }

    /**
     * A circuit breaker changed state.
     *
     * @param scope {@code endpoint} or {@code tool}
     * @param name  the endpoint's target, or the tool's name
     * @param state 0 closed, 1 open, 2 half-open
     */
    default void breakerState(String upstream, String scope, String name, int state) {
    }

    /** A circuit breaker came to be (closed), for an endpoint or a tool seen for the first time. */
    default void breakerCreated(String upstream, String scope, String name) {
    }

    /** A breaker refused a call at once (open, or half-open with its probes taken). */
    default void breakerRejected(String upstream, String scope) {
    }

    /** A fallback answered a call of {@code tool}; {@code reason} says why ({@code circuit_open}, {@code failed}). */
    default void fallback(String upstream, String tool, String reason) {
    }
}
