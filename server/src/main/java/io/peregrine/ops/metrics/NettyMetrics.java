package io.peregrine.ops.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Netty's memory and event-loop backlog, read when scraped (callbacks; nothing on the hot path):
 * what the buffer allocator holds, Netty's own count of direct memory, and the tasks waiting in
 * each I/O event loop's queue, which grows when a loop cannot keep up.
 */
final class NettyMetrics {

    private NettyMetrics() {
    }

    /**
     * @param allocator the allocator the channels use ({@code ByteBufAllocator.DEFAULT} unless configured)
     * @param loops the I/O event loops, or null while there are none (before start, after close)
     */
    static void register(PrometheusRegistry registry, ByteBufAllocator allocator,
                         Supplier<? extends Iterable<EventExecutor>> loops) {
        String name = allocatorName(allocator);
        if (allocator instanceof ByteBufAllocatorMetricProvider) {
            ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) allocator).metric();
            GaugeWithCallback.builder()
                    .name("peregrine_netty_allocator_used_bytes")
                    .help("Memory the Netty buffer allocator holds, by kind (heap or direct)")
                    .unit(Unit.BYTES)
                    .labelNames("allocator", "memory")
                    .callback(callback -> {
                        callback.call(metric.usedHeapMemory(), name, "heap");
                        callback.call(metric.usedDirectMemory(), name, "direct");
                    })
                    .register(registry);
        }
        if (allocator instanceof PooledByteBufAllocator) {
            PooledByteBufAllocatorMetric pooled = ((PooledByteBufAllocator) allocator).metric();
            GaugeWithCallback.builder()
                    .name("peregrine_netty_allocator_arenas")
                    .help("Arenas of the pooled Netty allocator, by kind (heap or direct)")
                    .labelNames("memory")
                    .callback(callback -> {
                        callback.call(pooled.numHeapArenas(), "heap");
                        callback.call(pooled.numDirectArenas(), "direct");
                    })
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("peregrine_netty_allocator_thread_local_caches")
                    .help("Thread-local caches of the pooled Netty allocator")
                    .callback(callback -> callback.call(pooled.numThreadLocalCaches()))
                    .register(registry);
        }
        GaugeWithCallback.builder()
                .name("peregrine_netty_direct_memory_used_bytes")
                .help("Direct memory Netty counts itself (absent when the JDK's own accounting is used)")
                .unit(Unit.BYTES)
                .callback(callback -> {
                    long used = PlatformDependent.usedDirectMemory();
                    if (used >= 0) {
                        callback.call(used);
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("peregrine_netty_eventloop_pending_tasks")
                .help("Tasks waiting in each I/O event loop's queue; a queue that keeps growing is a loop that cannot keep up")
                .labelNames("loop")
                .callback(callback -> {
                    Iterable<EventExecutor> group = loops.get();
                    if (group == null) {
                        return;
                    }
                    int i = 0;
                    for (EventExecutor loop : group) {
                        if (loop instanceof SingleThreadEventExecutor) {
                            callback.call(((SingleThreadEventExecutor) loop).pendingTasks(), Integer.toString(i));
                        }
                        i++;
                    }
                })
                .register(registry);
    }

    /** pooled, adaptive, unpooled: the allocator's kind, from its class name. */
    static String allocatorName(ByteBufAllocator allocator) {
        String simple = allocator.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        int end = simple.indexOf("bytebufallocator");
        return end > 0 ? simple.substring(0, end) : simple;
    }
}
