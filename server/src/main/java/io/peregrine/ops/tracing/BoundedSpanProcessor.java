package io.peregrine.ops.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link BatchSpanProcessor} behind a counted bound, so that a collector that is down or slow
 * costs a request nothing and the spans it loses are known.
 *
 * <p>Every ended, sampled span is counted in when it is handed to the batch processor and out when
 * the processor hands it to the exporter; a span that would take the count past the bound is
 * dropped here, before the batch processor, and counted. The batch processor's own queue is never
 * smaller than what is counted in, so it drops nothing itself and every lost span is one of the two
 * counters: {@link #droppedSpans()} (never sent) or {@link #failedSpans()} (sent, and the export
 * failed or timed out). The export itself runs on the batch processor's thread, never on a
 * request's.
 */
final class BoundedSpanProcessor implements SpanProcessor {

    private final int bound;
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final BatchSpanProcessor batch;

    BoundedSpanProcessor(SpanExporter exporter, int bound, Duration exportTimeout) {
        this.bound = bound;
        this.batch = BatchSpanProcessor.builder(new CountingExporter(exporter))
                .setMaxQueueSize(bound)
                .setMaxExportBatchSize(Math.min(512, bound))
                .setExporterTimeout(exportTimeout)
                .setScheduleDelay(1, TimeUnit.SECONDS)
                .build();
    }

    /** Spans dropped because {@link TracingSettings#queueSize()} spans were already waiting. */
    long droppedSpans() {
        return dropped.sum();
    }

    /** Spans whose export failed (collector down, refused, or too slow). */
    long failedSpans() {
        return failed.sum();
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (!span.getSpanContext().isSampled()) {
            return;
        }
        if (queued.incrementAndGet() > bound) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        batch.onEnd(span);
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return batch.forceFlush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return batch.shutdown();
    }

    /** Counts spans out of the bound as the batch processor exports them, and the ones that fail. */
    private final class CountingExporter implements SpanExporter {
        private final SpanExporter delegate;

        CountingExporter(SpanExporter delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int n = spans.size();
            queued.addAndGet(-n);
            CompletableResultCode result;
            try {
                result = delegate.export(spans);
            } catch (RuntimeException e) {
                failed.add(n);
                return CompletableResultCode.ofFailure();
            }
            result.whenComplete(() -> {
                if (!result.isSuccess()) {
                    failed.add(n);
                }
            });
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
