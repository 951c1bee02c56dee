package io.peregrine.ops.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A request's span made current on one thread, with its ids in the logging MDC as
 * {@code trace_id} and {@code span_id}; closing it restores what the thread had before. Close it
 * on the thread that opened it (try-with-resources).
 */
public final class HandlerScope implements AutoCloseable {

    /** The MDC key of the current trace id (32 hex digits). */
    public static final String TRACE_ID = "trace_id";
    /** The MDC key of the current span id (16 hex digits). */
    public static final String SPAN_ID = "span_id";

    /** Makes nothing current. */
    static final HandlerScope NONE = new HandlerScope(null, null, null);

    private final Scope scope;
    private final String previousTraceId;
    private final String previousSpanId;

    private HandlerScope(Scope scope, String previousTraceId, String previousSpanId) {
        this.scope = scope;
        this.previousTraceId = previousTraceId;
        this.previousSpanId = previousSpanId;
    }

    static HandlerScope enter(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid()) {
            return new HandlerScope(context.makeCurrent(), null, null);
        }
        String previousTraceId = MDC.get(TRACE_ID);
        String previousSpanId = MDC.get(SPAN_ID);
        MDC.put(TRACE_ID, span.getTraceId());
        MDC.put(SPAN_ID, span.getSpanId());
        return new HandlerScope(context.makeCurrent(), previousTraceId == null ? "" : previousTraceId,
                previousSpanId);
    }

    @Override
    public void close() {
        if (scope == null) {
            return;
        }
        scope.close();
        if (previousTraceId != null) {
            restore(TRACE_ID, previousTraceId.isEmpty() ? null : previousTraceId);
            restore(SPAN_ID, previousSpanId);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
