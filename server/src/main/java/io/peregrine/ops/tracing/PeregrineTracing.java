package io.peregrine.ops.tracing;

import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * OpenTelemetry tracing of the requests Peregrine serves, exported over OTLP/HTTP: one SERVER span
 * per request, as {@link TracingObserver} describes. Started only when {@code tracing.enabled} is
 * true; otherwise nothing of OpenTelemetry is loaded and the core keeps {@code McpObserver.NONE}.
 *
 * <p>A collector that is down or slow never fails or slows a request: spans wait in a bounded
 * queue and are exported from a thread of their own; what cannot be queued or exported is counted
 * ({@link #droppedSpans()}, {@link #failedSpans()}).
 *
 * <p>Tool handlers reach the span of the call they serve with {@link #currentSpan()}, and a
 * request Peregrine sends carries the current context with {@link #injectInto(Map)}.
 */
public final class PeregrineTracing implements AutoCloseable {

    private static final TextMapPropagator META_PROPAGATOR = TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

    private final SdkTracerProvider provider;
    private final BoundedSpanProcessor processor;
    private final TracingObserver observer;

    private PeregrineTracing(SdkTracerProvider provider, BoundedSpanProcessor processor, TracingObserver observer) {
        this.provider = provider;
        this.processor = processor;
        this.observer = observer;
    }

    /** Starts exporting to {@link TracingSettings#endpoint()}; nothing is sent until a span ends. */
    public static PeregrineTracing start(TracingSettings settings) {
        requireNonNull(settings, "settings");
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint())
                .setTimeout(settings.exportTimeout())
                .build();
        BoundedSpanProcessor processor = new BoundedSpanProcessor(exporter, settings.queueSize(),
                settings.exportTimeout());
        AttributesBuilder resource = Attributes.builder()
                .put(AttributeKey.stringKey("service.name"), settings.serviceName());
        if (settings.serviceVersion() != null) {
            resource.put(AttributeKey.stringKey("service.version"), settings.serviceVersion());
        }
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
                .addSpanProcessor(processor)
                .build();
        TracingObserver observer = new TracingObserver(provider.get("io.peregrine"), META_PROPAGATOR,
                W3CTraceContextPropagator.getInstance(), settings.recordArguments());
        return new PeregrineTracing(provider, processor, observer);
    }

    /** The observer to hand the server ({@code Peregrine.builder().observer(...)}). */
    public TracingObserver observer() {
        return observer;
    }

    /**
     * Spans lost because the export queue was full ({@link TracingSettings#queueSize()}): the
     * collector is down or slower than the traffic. A counter, for metrics.
     */
    public long droppedSpans() {
        return processor.droppedSpans();
    }

    /** Spans whose export failed or timed out. A counter, for metrics. */
    public long failedSpans() {
        return processor.failedSpans();
    }

    /** Exports what has ended so far and waits up to {@code timeoutMillis} for it; true when all went out. */
    public boolean flush(long timeoutMillis) {
        return provider.forceFlush().join(timeoutMillis, TimeUnit.MILLISECONDS).isSuccess();
    }

    /** Exports what is queued (waiting up to the export timeout) and stops. */
    @Override
    public void close() {
        provider.close();
    }

    /**
     * The span of the request this thread is serving: inside a tool, prompt or resource handler,
     * the request's SERVER span, to add events or attributes to or to parent spans of its own. An
     * invalid, non-recording span when tracing is off or outside a request.
     */
    public static Span currentSpan() {
        return Span.current();
    }

    /**
     * Writes the current context as {@code traceparent}, {@code tracestate} and {@code baggage} into
     * {@code meta}, the {@code params._meta} of a request about to be sent. Writes nothing when no
     * span is current.
     */
    public static void injectInto(Map<String, Object> meta) {
        requireNonNull(meta, "meta");
        META_PROPAGATOR.inject(Context.current(), meta, (carrier, key, value) -> carrier.put(key, value));
    }

    /** {@link #injectInto(Map)} for a writer: {@code writer.accept(key, value)} per entry (a JsonGenerator's field). */
    public static void injectInto(BiConsumer<String, String> writer) {
        requireNonNull(writer, "writer");
        META_PROPAGATOR.inject(Context.current(), writer, (carrier, key, value) -> carrier.accept(key, value));
    }
}
