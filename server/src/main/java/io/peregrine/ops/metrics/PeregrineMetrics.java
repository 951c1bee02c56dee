package io.peregrine.ops.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The metrics of one server: its registry, the {@link MetricsObserver} the core calls, the
 * callbacks read at scrape time (tool executor, Netty, build), and the {@link MetricsExposition}
 * that answers scrapes, with the process-wide {@code jvm_*} metrics beside them.
 *
 * <pre>{@code
 * PeregrineMetrics metrics = PeregrineMetrics.builder()
 *         .toolExecutor(running::get, refused::sum, 64)   // read when scraped
 *         .eventLoops(() -> loops.workers())
 *         .build();
 * Peregrine.builder().observer(metrics.observer())...;
 * }</pre>
 */
public final class PeregrineMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MetricsObserver observer;
    private final MetricsExposition exposition;

    private PeregrineMetrics(Builder b) {
        this.observer = new MetricsObserver(registry, b.traces);
        if (b.executorActive != null) {
            IntSupplier active = b.executorActive;
            LongSupplier rejected = b.executorRejected;
            int limit = b.executorLimit;
            GaugeWithCallback.builder()
                    .name("peregrine_tool_executor_active")
                    .help("Blocking tool calls running on the tool executor")
                    .callback(callback -> callback.call(active.getAsInt()))
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("peregrine_tool_executor_limit")
                    .help("Blocking tool calls the executor runs at once (exec.max-concurrency); beyond it calls are refused")
                    .callback(callback -> callback.call(limit))
                    .register(registry);
            CounterWithCallback.builder()
                    .name("peregrine_tool_executor_rejected_total")
                    .help("Blocking tool calls refused because the executor was at its limit")
                    .callback(callback -> callback.call(rejected.getAsLong()))
                    .register(registry);
        }
        NettyMetrics.register(registry, b.allocator, b.eventLoops);
        b.buildInfo.register(registry);
        List<PrometheusRegistry> exposed = new ArrayList<>();
        exposed.add(registry);
        if (b.jvm) {
            exposed.add(JvmRegistry.get());
        }
        this.exposition = new MetricsExposition(exposed);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The observer to hand to the core; it records every request, connection, session and refusal. */
    public MetricsObserver observer() {
        return observer;
    }

    /** Answers scrapes of this server's metrics (and the JVM's, unless turned off). */
    public MetricsExposition exposition() {
        return exposition;
    }

    /** This server's registry, where an embedding application may register metrics of its own. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Builds {@link PeregrineMetrics}; every setting has a default. */
    public static final class Builder {
        private TraceExemplars traces = TraceExemplars.NONE;
        private IntSupplier executorActive;
        private LongSupplier executorRejected;
        private int executorLimit;
        private Supplier<? extends Iterable<EventExecutor>> eventLoops = () -> null;
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        private BuildInfo buildInfo = BuildInfo.fromManifest();
        private boolean jvm = true;

        private Builder() {
        }

        /** Where exemplars find a request's trace; default none (no exemplars). */
        public Builder traceExemplars(TraceExemplars traces) {
            this.traces = Objects.requireNonNull(traces, "traces");
            return this;
        }

        /**
         * The tool executor's state, read at scrape time: calls running, calls refused so far, and
         * its limit. Default: the executor metrics are absent.
         */
        public Builder toolExecutor(IntSupplier active, LongSupplier rejected, int limit) {
            this.executorActive = Objects.requireNonNull(active, "active");
            this.executorRejected = Objects.requireNonNull(rejected, "rejected");
            if (limit <= 0) {
                throw new IllegalArgumentException("limit : " + limit + " (expected: > 0)");
            }
            this.executorLimit = limit;
            return this;
        }

        /** The I/O event loops whose backlog is reported; the supplier may return null (none yet). Default none. */
        public Builder eventLoops(Supplier<? extends Iterable<EventExecutor>> loops) {
            this.eventLoops = Objects.requireNonNull(loops, "loops");
            return this;
        }

        /** The buffer allocator whose memory is reported; default {@code ByteBufAllocator.DEFAULT}. */
        public Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /** The build reported by {@code peregrine_build_info}; default what the jar's manifest says. */
        public Builder buildInfo(BuildInfo info) {
            this.buildInfo = Objects.requireNonNull(info, "info");
            return this;
        }

        /** Expose the process's {@code jvm_*} and {@code process_*} metrics beside the server's; default true. */
        public Builder jvm(boolean enabled) {
            this.jvm = enabled;
            return this;
        }

        public PeregrineMetrics build() {
            return new PeregrineMetrics(this);
        }
    }
}
