package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault test of a slow replica: three replicas of one upstream, one ten times slower than the
 * others (its tool sleeps 100 ms, theirs 10 ms), called by 8 client threads through the gateway
 * for a bounded few seconds, once with round robin and once with least-in-flight. Round robin
 * gives the slow one its third whatever it costs; least-in-flight sees its calls pile up and sends
 * it much less. The assertions are on the shares the replicas executed, never on timings; the
 * latencies are printed for the record.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewaySlowReplicaTest {

    private static final int THREADS = 8;
    private static final long RUN_MILLIS = 3_000;
    private static final int MAX_CALLS_PER_THREAD = 2_000;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** What one run measured. */
    record Run(LoadBalancing balancing, int[] executed, List<Long> latencyNanos, int failed) {
        double share(int replica) {
            int total = 0;
            for (int e : executed) {
                total += e;
            }
            return executed[replica] / (double) total;
        }

        double percentileMillis(double p) {
            List<Long> sorted = new ArrayList<>(latencyNanos);
            Collections.sort(sorted);
            int at = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
            return sorted.get(Math.max(0, at)) / 1e6;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: calls %d, shares fast %.3f fast %.3f slow %.3f, p50 %.1f ms, p99 %.1f ms, "
                            + "failed %d", balancing.key(), latencyNanos.size(), share(0), share(1), share(2),
                    percentileMillis(0.50), percentileMillis(0.99), failed);
        }
    }

    private Peregrine replica(AtomicInteger executed, long sleepMillis) throws InterruptedException {
        Tool work = Tool.builder("work")
                .annotations(ToolAnnotations.builder().readOnly(true).build())
                .blocking(true)
                .handler((args, ctx) -> {
                    executed.incrementAndGet();
                    Thread.sleep(sleepMillis);
                    return ToolResult.text("done");
                })
                .build();
        Peregrine p = Peregrine.builder().tcp("127.0.0.1", 0).tool(work).drainTimeout(Duration.ZERO).build();
        closing.add(p);
        p.start();
        return p;
    }

    private Run run(LoadBalancing balancing) throws Exception {
        AtomicInteger[] executed = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        long[] sleeps = {10, 10, 100};
        UpstreamSpec.Builder spec = UpstreamSpec.builder("svc").loadBalancing(balancing);
        for (int i = 0; i < 3; i++) {
            spec.url("tcp://127.0.0.1:" + replica(executed[i], sleeps[i]).addresses().tcp().getPort());
        }
        Peregrine gateway = Peregrine.builder().tcp("127.0.0.1", 0).upstream(spec.build()).build();
        closing.add(gateway);
        gateway.start();
        List<PeregrineClient> clients = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            PeregrineClient c = PeregrineClient.builder().address(gateway.addresses().tcp()).protocolVersion("2025-11-25")
                    .requestTimeout(Duration.ofSeconds(10)).connect();
            closing.add(c);
            clients.add(c);
            c.callTool("svc_work", Map.of()); // warm the path
        }
        for (AtomicInteger e : executed) {
            e.set(0);
        }
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
            List<Future<?>> running = new ArrayList<>();
            for (PeregrineClient c : clients) {
                running.add(pool.submit(() -> {
                    for (int i = 0; i < MAX_CALLS_PER_THREAD && System.nanoTime() < end; i++) {
                        long start = System.nanoTime();
                        try {
                            c.callTool("svc_work", Map.of());
                            latencies.add(System.nanoTime() - start);
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(RUN_MILLIS + 20_000, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int[] counts = new int[3];
        for (int i = 0; i < 3; i++) {
            counts[i] = executed[i].get();
        }
        return new Run(balancing, counts, new ArrayList<>(latencies), failed.get());
    }

    @Test
    void leastInFlightShiftsTrafficAwayFromASlowReplicaThatRoundRobinKeepsFeeding() throws Exception {
        Run roundRobin = run(LoadBalancing.ROUND_ROBIN);
        close();
        closing.clear();
        Run leastInFlight = run(LoadBalancing.LEAST_IN_FLIGHT);
        System.out.println("slow replica (10x latency), " + THREADS + " client threads, " + RUN_MILLIS + " ms each:");
        System.out.println("  " + roundRobin);
        System.out.println("  " + leastInFlight);

        assertThat(roundRobin.failed()).isZero();
        assertThat(leastInFlight.failed()).isZero();
        assertThat(roundRobin.share(2)).as("round robin: the slow replica gets its third").isBetween(0.30, 0.37);
        assertThat(leastInFlight.share(2)).as("least-in-flight: the slow replica gets much less")
                .isLessThan(roundRobin.share(2) / 2);
        assertThat(leastInFlight.share(0) + leastInFlight.share(1)).isGreaterThan(0.80);
    }
}
