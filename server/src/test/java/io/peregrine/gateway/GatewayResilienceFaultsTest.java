package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's resilience under real faults, with numbers printed for docs/gateway-resilience.md:
 * a replica process killed with SIGKILL under load, an upstream that accepts connections and never
 * answers, an upstream down from the start, and hedging around a slow replica. Timings are
 * reported, not asserted (two shared cores); what is asserted is what must hold on any machine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayResilienceFaultsTest {

    private final GatewayFixture fixture = new GatewayFixture();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        fixture.close();
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Peregrine gateway(UpstreamSpec... specs) throws InterruptedException {
        return fixture.gateway(Peregrine.builder().tcp("127.0.0.1", 0).metrics(true), specs);
    }

    private PeregrineClient client(Peregrine gateway) throws Exception {
        return fixture.connect(PeregrineClient.builder().address(gateway.addresses().tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(30)));
    }

    private Peregrine replica(String id, long delayMillis) throws InterruptedException {
        Peregrine p = ResilienceReplica.start(id, delayMillis, null);
        fixture.closeLater(p);
        return p;
    }

    /** A replica in a JVM of its own; gives its TCP port. */
    private int spawn(String id, long delayMillis, Path ledger, List<Process> into) throws Exception {
        Path target = Path.of("target");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:-HeapDumpOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), ResilienceReplica.class.getName(),
                id, Long.toString(delayMillis), ledger.toString());
        Process p = new ProcessBuilder(command).redirectError(target.resolve("resilience-replica-" + id + ".log").toFile()).start();
        processes.add(p);
        into.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the replica's first line (stderr in target/resilience-replica-" + id + ".log)").isNotNull();
        Matcher m = Pattern.compile("tcp=(\\d+)").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String url(int port) {
        return "tcp://127.0.0.1:" + port;
    }

    private static String url(Peregrine p) {
        return url(p.addresses().tcp().getPort());
    }

    private static String scrape(Peregrine p) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.metrics().exposition().write("text/plain", out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Latencies (ms) and failures of calls made by some threads for a bounded time. */
    static final class Run {
        final List<Long> millis = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = new CopyOnWriteArrayList<>();

        interface Call {
            void call(int thread, int n) throws Exception;
        }

        static Run of(int threads, long forMillis, int maxCallsPerThread, Call call) throws InterruptedException {
            Run run = new Run();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMillis);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    for (int n = 0; n < maxCallsPerThread && System.nanoTime() < end; n++) {
                        long t0 = System.nanoTime();
                        try {
                            call.call(thread, n);
                            run.millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        } catch (Exception | AssertionError e) {
                            run.failures.add(thread + "/" + n + ": " + e);
                        }
                    }
                });
                th.start();
                ts.add(th);
            }
            for (Thread th : ts) {
                th.join(forMillis + 30_000);
            }
            return run;
        }

        long percentile(double p) {
            List<Long> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return sorted.isEmpty() ? -1 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * p) - 1));
        }

        @Override
        public String toString() {
            return millis.size() + " ok, " + failures.size() + " failed, p50 " + percentile(0.5) + " ms, p99 "
                    + percentile(0.99) + " ms";
        }
    }

    @Test
    void aReplicaKilledWithSigkillUnderLoadFailsNoReadAndRunsNoWriteTwice() throws Exception {
        Path dir = Files.createTempDirectory("peregrine-sigkill");
        List<Process> mine = new ArrayList<>();
        int a = spawn("a", 20, dir.resolve("a.ledger"), mine);
        int b = spawn("b", 20, dir.resolve("b.ledger"), mine);
        Peregrine gateway = gateway(UpstreamSpec.builder("svc").url(url(a)).url(url(b))
                .callTimeout(Duration.ofSeconds(5)).reconnect(Duration.ofMillis(100), Duration.ofMillis(500)).build());
        PeregrineClient client = client(gateway);
        Await.until(() -> gateway.gateway().upstreams().getOrDefault("svc", false), "svc is federated");

        Map<String, String> writes = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(1_500);
                mine.get(0).destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        List<String> writeFailures = new CopyOnWriteArrayList<>();
        Run reads = Run.of(8, 4_000, 2_000, (t, n) -> {
            calls.incrementAndGet();
            if (t < 6) {
                String who = client.callTool("svc_read", Map.of()).text();
                if (!who.equals("a") && !who.equals("b")) {
                    throw new IllegalStateException("answered " + who);
                }
                return;
            }
            String key = t + "-" + n;
            try {
                writes.put(key, client.callTool("svc_write", Map.of("key", key)).text());
            } catch (McpClientException e) {
                writeFailures.add(key + " " + e.code() + " " + e.getMessage());
                assertThat(e.code()).isEqualTo(JsonRpcError.UPSTREAM_UNAVAILABLE);
                assertThat(e.getMessage()).contains("Upstream svc");
            }
        });
        killer.join();

        Map<String, Integer> executed = new HashMap<>();
        for (String ledger : List.of("a.ledger", "b.ledger")) {
            Path f = dir.resolve(ledger);
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f)) {
                    executed.merge(line.substring(line.indexOf(' ') + 1), 1, Integer::sum);
                }
            }
        }
        System.out.println("[sigkill] 8 threads for 4 s, replica a killed at 1.5 s: reads+writes " + reads
                + "; writes ok " + writes.size() + ", writes failed " + writeFailures.size() + " " + writeFailures);
        assertThat(reads.failures).as("no read (or unexpected write failure) failed").isEmpty();
        assertThat(executed.values()).as("no write ran twice").allMatch(c -> c == 1);
        assertThat(executed.keySet()).as("every write that succeeded ran").containsAll(writes.keySet());
        assertThat(writeFailures.size()).as("only writes in flight on the killed replica may fail").isLessThanOrEqualTo(2);
        assertThat(reads.millis.size()).isGreaterThan(100);
    }

    @Test
    void anUpstreamThatNeverAnswersTimesOutOpensItsBreakerAndLeavesTheOthersAlone() throws Exception {
        SilentUpstream silent = new SilentUpstream();
        fixture.closeLater(silent);
        Peregrine healthy = replica("h", 2);
        Peregrine gateway = gateway(
                UpstreamSpec.builder("silent").url(url(silent.port())).callTimeout(Duration.ofMillis(300))
                        .resilience(ResilienceSpec.builder().circuitBreaker(true, 10, 5, 50, Duration.ofSeconds(30), 1).build())
                        .build(),
                UpstreamSpec.builder("ok").url(url(healthy)).build());
        PeregrineClient client = client(gateway);
        Await.until(() -> gateway.gateway().upstreams().getOrDefault("silent", false), "silent is federated");

        Run.of(2, 300, 200, (t, n) -> client.callTool("ok_read", Map.of()));
        Run alone = Run.of(4, 2_000, 2_000, (t, n) -> client.callTool("ok_read", Map.of()));

        List<Integer> codes = new CopyOnWriteArrayList<>();
        List<Long> retryAfter = new CopyOnWriteArrayList<>();
        List<Long> timeouts = new CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            try {
                Run.of(4, 2_000, 200, (t, n) -> {
                    long t0 = System.nanoTime();
                    try {
                        client.callTool("silent_lookup", Map.of());
                    } catch (McpClientException e) {
                        codes.add(e.code());
                        if (e.code() == JsonRpcError.UPSTREAM_TIMEOUT) {
                            timeouts.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        } else if (e.data() instanceof Map && ((Map<?, ?>) e.data()).get("retryAfterMs") != null) {
                            retryAfter.add(((Number) ((Map<?, ?>) e.data()).get("retryAfterMs")).longValue());
                        }
                        Thread.sleep(10);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        load.start();
        Run beside = Run.of(4, 2_000, 2_000, (t, n) -> client.callTool("ok_read", Map.of()));
        load.join();

        System.out.println("[silent] healthy upstream alone: " + alone + "; beside the silent one: " + beside
                + "; silent calls: " + timeouts.size() + " timed out (ms " + timeouts + "), " + retryAfter.size()
                + " refused at once by the open breaker; silent upstream swallowed " + silent.swallowed.get()
                + " requests, heard " + silent.cancelled.get() + " cancellations");
        assertThat(beside.failures).isEmpty();
        assertThat(alone.failures).isEmpty();
        assertThat(timeouts).as("calls end at their deadline with a timeout").isNotEmpty()
                .allMatch(ms -> ms >= 250 && ms < 5_000);
        assertThat(retryAfter).as("then the breaker refuses at once, saying when to retry").isNotEmpty();
        assertThat(codes).containsOnly(JsonRpcError.UPSTREAM_TIMEOUT, JsonRpcError.UPSTREAM_UNAVAILABLE);
        assertThat(gateway.gateway().circuitStates("silent")).containsValue(1);
        assertThat(gateway.gateway().circuitStates("ok")).doesNotContainValue(1);
        Await.until(() -> silent.cancelled.get() >= timeouts.size(), "each timed-out request was cancelled upstream");
        assertThat(scrape(gateway)).contains("peregrine_circuit_state{name=\"" + url(silent.port())
                + "\",scope=\"endpoint\",upstream=\"silent\"} 1.0");
    }

    @Test
    void anUpstreamDownFromTheStartIsServedWhenItAppears() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Peregrine healthy = replica("h", 0);
        Peregrine gateway = gateway(
                UpstreamSpec.builder("late").url(url(port)).connectTimeout(Duration.ofSeconds(1))
                        .reconnect(Duration.ofMillis(100), Duration.ofMillis(300))
                        .resilience(ResilienceSpec.builder().circuitBreaker(true, 4, 2, 50, Duration.ofSeconds(30), 1).build())
                        .build(),
                UpstreamSpec.builder("ok").url(url(healthy)).build());
        PeregrineClient client = client(gateway);
        assertThat(client.callTool("ok_read", Map.of()).text()).isEqualTo("h");
        assertThat(client.tools()).noneMatch(t -> t.name().startsWith("late_"));
        for (int i = 0; i < 5; i++) {
            try {
                client.callTool("late_read", Map.of());
            } catch (McpClientException e) {
                assertThat(e.getMessage()).contains("late_read");
            }
        }

        Peregrine late = ResilienceReplica.start("late", 0, null, port);
        fixture.closeLater(late);
        Await.until(() -> client.tools().stream().anyMatch(t -> t.name().equals("late_read")), "late's tools arrived");
        assertThat(client.callTool("late_read", Map.of()).text())
                .as("calls refused while it was down did not open a breaker that keeps it away now").isEqualTo("late");
        assertThat(gateway.gateway().circuitStates("late")).doesNotContainValue(1);
    }

    @Test
    void hedgingAroundASlowReplicaBringsTheReadP99Down() throws Exception {
        Peregrine fast = replica("fast", 5);
        Peregrine slow = replica("slow", 250);
        // Round robin, so that half the calls meet the slow replica whatever least-in-flight would learn.
        Peregrine plain = gateway(UpstreamSpec.builder("svc").url(url(fast)).url(url(slow))
                .loadBalancing(LoadBalancing.ROUND_ROBIN).build());
        Peregrine hedged = gateway(UpstreamSpec.builder("svc").url(url(fast)).url(url(slow))
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .resilience(ResilienceSpec.builder().hedge(true, Duration.ofMillis(40)).retryBudget(100, 100, Duration.ofSeconds(10)).build())
                .build());
        PeregrineClient withoutHedging = client(plain);
        PeregrineClient withHedging = client(hedged);

        Run without = Run.of(2, 2_500, 60, (t, n) -> {
            String who = withoutHedging.callTool("svc_read", Map.of()).text();
            assertThat(who).isIn("fast", "slow");
        });
        Run with = Run.of(2, 2_500, 60, (t, n) -> {
            String who = withHedging.callTool("svc_read", Map.of()).text();
            assertThat(who).isIn("fast", "slow");
        });
        String metrics = scrape(hedged);
        Matcher m = Pattern.compile("peregrine_gateway_hedges_total\\{mcp_method_name=\"tools/call\",upstream=\"svc\"} (\\d+)").matcher(metrics);
        assertThat(m.find()).as("hedges were counted").isTrue();
        long hedges = (long) Double.parseDouble(m.group(1));
        System.out.println("[hedge] replicas of 5 ms and 250 ms, 2 threads: without hedging " + without
                + "; hedging after 40 ms " + with + " (" + hedges + " hedges)");
        assertThat(without.failures).isEmpty();
        assertThat(with.failures).isEmpty();
        assertThat(hedges).isGreaterThan(0);
    }
}
