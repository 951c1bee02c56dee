package io.peregrine.loadtest;

import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A closed loop of calls through one client: {@code concurrency} calls in flight, each completion
 * recording its latency and sending the next from the thread that completed it, for
 * {@code warmup} then {@code duration}; always bounded in time. Reports calls/s, latency
 * percentiles (from sending a call to its completion) and the bytes the threads that
 * {@code allocating} accepts allocated per call (ThreadMXBean, per thread, so a thread that ends
 * within the measured window takes its count with it).
 */
final class ClosedLoop {

    private final EchoCaller caller;
    private final Map<String, Object> arguments;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean measuring;
    private volatile boolean stopping;
    private final CountDownLatch drained;
    private volatile Throwable firstError;

    ClosedLoop(EchoCaller caller, int payload, int concurrency) {
        this.caller = caller;
        this.arguments = Map.of("message", "x".repeat(payload));
        this.drained = new CountDownLatch(concurrency);
    }

    /** Runs the loop; the summary's keys are {@code calls, callsPerSecond, p50Micros, p99Micros, p999Micros, errors, allocatedBytesPerCall}. */
    Map<String, Object> run(int concurrency, java.time.Duration warmup, java.time.Duration duration,
                            Predicate<String> allocating) throws InterruptedException {
        for (int i = 0; i < concurrency; i++) {
            next();
        }
        Thread.sleep(warmup.toMillis());
        Map<Long, Long> allocatedBefore = allocatedBytes(allocating);
        long start = System.nanoTime();
        measuring = true;
        Thread.sleep(duration.toMillis());
        measuring = false;
        long elapsed = System.nanoTime() - start;
        long allocated = allocatedSince(allocatedBefore, allocating);
        stopping = true;
        if (!drained.await(30, TimeUnit.SECONDS)) {
            System.err.println("client load: " + caller.name() + ": calls still in flight 30 s after the run");
        }
        Map<String, Object> s = new LinkedHashMap<>();
        long n = calls.get();
        synchronized (latency) {
            s.put("calls", n);
            s.put("callsPerSecond", n / (elapsed / 1e9));
            s.put("p50Micros", latency.getValueAtPercentile(50) / 1e3);
            s.put("p99Micros", latency.getValueAtPercentile(99) / 1e3);
            s.put("p999Micros", latency.getValueAtPercentile(99.9) / 1e3);
        }
        s.put("errors", errors.get());
        s.put("allocatedBytesPerCall", n == 0 ? 0.0 : (double) allocated / n);
        if (firstError != null) {
            System.err.println("client load: " + caller.name() + ": first failure: " + firstError);
        }
        return s;
    }

    /** Sends one call; its completion records it and sends the next, until the run stops. */
    private void next() {
        if (stopping) {
            drained.countDown();
            return;
        }
        long sent = System.nanoTime();
        caller.call(arguments, failure -> {
            if (measuring) {
                long took = System.nanoTime() - sent;
                synchronized (latency) {
                    latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
                }
                calls.incrementAndGet();
                if (failure != null) {
                    errors.incrementAndGet();
                }
            }
            if (failure != null && firstError == null) {
                firstError = failure;
            }
            next();
        });
    }

    private static Map<Long, Long> allocatedBytes(Predicate<String> allocating) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Long, Long> bytes = new HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && allocating.test(info.getThreadName())) {
                long b = threads.getThreadAllocatedBytes(info.getThreadId());
                if (b >= 0) {
                    bytes.put(info.getThreadId(), b);
                }
            }
        }
        return bytes;
    }

    private static long allocatedSince(Map<Long, Long> before, Predicate<String> allocating) {
        long total = 0;
        for (Map.Entry<Long, Long> now : allocatedBytes(allocating).entrySet()) {
            total += now.getValue() - before.getOrDefault(now.getKey(), 0L);
        }
        return total;
    }
}
