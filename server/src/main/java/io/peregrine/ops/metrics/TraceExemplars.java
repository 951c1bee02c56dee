package io.peregrine.ops.metrics;

import io.peregrine.mcp.ObservedRequest;

/**
 * Where the metrics find the trace of a request, so that an OpenMetrics scrape can show a latency
 * bucket beside a trace that landed in it (an exemplar). Tracing implements it; without it (the
 * default, {@link #NONE}) the duration histogram keeps no exemplars and pays nothing for them.
 *
 * <p>Called from {@code McpObserver.requestEnded} on the thread that ends the request, and only
 * when a series is due an exemplar (at most once per series per {@link #INTERVAL_NANOS}), so an
 * implementation may do a map lookup but must not block. It should answer from what it recorded
 * when the request started (for instance the span context of each request in flight, keyed by the
 * {@code ObservedRequest}, which stays the same object from {@code requestStarted} to
 * {@code requestEnded}), or from the request its thread ended last: {@code Peregrine} installs its
 * metrics after the observers given to its builder, so a tracer given there has just ended the
 * request on the same thread when the metrics ask ({@code TracingObserver.traceIdOf} works so).
 */
public interface TraceExemplars {

    /** How often one series may take an exemplar: 100 ms. */
    long INTERVAL_NANOS = 100_000_000L;

    /** No traces: the histogram keeps no exemplars. */
    TraceExemplars NONE = new TraceExemplars() {
        @Override
        public String traceId(ObservedRequest request) {
            return null;
        }

        @Override
        public String spanId(ObservedRequest request) {
            return null;
        }
    };

    /**
     * The trace id of {@code request}'s span as 32 lowercase hex digits, or null when the request
     * has no span that was sampled (an exemplar pointing at a dropped trace leads nowhere).
     */
    String traceId(ObservedRequest request);

    /** The span id of {@code request}'s span as 16 lowercase hex digits, or null. */
    String spanId(ObservedRequest request);
}
