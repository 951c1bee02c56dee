package io.peregrine.loadtest;

import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonTree;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load through Peregrine's own Java client ({@code loadtest/run client ...}): a closed loop of
 * {@code --concurrency} calls of {@code echo} in flight on one client, each answer sending the
 * next from the client's I/O thread, for {@code --warmup} then {@code --duration}; always bounded
 * in time. Reports calls/s, latency percentiles (from sending a call to its completed future) and
 * the bytes the client's I/O thread allocated per call; the target's work is not in that figure
 * (an in-process Peregrine runs on threads of its own).
 *
 * <pre>{@code
 *   loadtest/run client --transport ws --era 2026-07-28 --concurrency 16 --duration 10s
 *   loadtest/run client --target 127.0.0.1:7400 --transport tcp
 * }</pre>
 */
public final class ClientLoadMain {

    static final String USAGE = "usage: loadtest/run client [--target peregrine|HOST:PORT] [--transport tcp|ws|http]"
            + " [--era 2025-11-25|2026-07-28] [--concurrency 16] [--payload 100] [--warmup 5s] [--duration 10s]"
            + " [--json FILE]";

    private final PeregrineClient client;
    private final Map<String, Object> arguments;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean measuring;
    private volatile boolean stopping;
    private final CountDownLatch drained;

    private ClientLoadMain(PeregrineClient client, int payload, int concurrency) {
        this.client = client;
        this.arguments = Map.of("message", "x".repeat(payload));
        this.drained = new CountDownLatch(concurrency);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("client load: " + args[i] + " (expected: --name value)");
                System.err.println(USAGE);
                System.exit(64);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        Transport transport = Transport.of(o.getOrDefault("transport", "tcp"));
        Era era = Era.of(o.getOrDefault("era", "2025-11-25"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "16"));
        int payload = Integer.parseInt(o.getOrDefault("payload", "100"));
        Duration warmup = LoadOptions.parseDuration("--warmup", o.getOrDefault("warmup", "5s"));
        Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "10s"));
        if (concurrency <= 0 || concurrency > 4096) {
            throw new IllegalArgumentException("concurrency : " + concurrency + " (expected: 1-4096)");
        }
        try (Target target = Target.start(o.getOrDefault("target", "peregrine"), transport, era, payload)) {
            String host = target.address().getAddress().getHostAddress();
            String url;
            switch (transport) {
                case TCP:
                    url = "tcp://" + host + ":" + target.address().getPort();
                    break;
                case WEBSOCKET:
                    url = "ws://" + host + ":" + target.address().getPort() + Transport.PATH;
                    break;
                default:
                    url = "http://" + host + ":" + target.address().getPort() + Transport.PATH;
                    break;
            }
            try (PeregrineClient client = PeregrineClient.builder().url(url).protocolVersion(era.version())
                    .maxLineLength(LoadSettings.maxMessageBytes(payload)).maxCallsInFlight(concurrency, Duration.ZERO)
                    .requestTimeout(Duration.ofSeconds(30)).connect()) {
                Map<String, Object> summary = new ClientLoadMain(client, payload, concurrency)
                        .run(concurrency, warmup, duration);
                summary.put("target", target.name());
                summary.put("transport", transport.toString());
                summary.put("era", era.version());
                summary.put("payload", payload);
                System.out.printf("client -> %s %s %s: %.0f calls/s, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, "
                                + "%d errors, %.0f B allocated per call on the client's I/O thread%n",
                        target.name(), transport, era.version(), summary.get("callsPerSecond"), summary.get("p50Micros"),
                        summary.get("p99Micros"), summary.get("p999Micros"), summary.get("errors"),
                        summary.get("allocatedBytesPerCall"));
                if (o.containsKey("json")) {
                    Path file = Path.of(o.get("json"));
                    if (file.toAbsolutePath().getParent() != null) {
                        Files.createDirectories(file.toAbsolutePath().getParent());
                    }
                    Files.writeString(file, JsonTree.toJson(summary) + "\n");
                }
                System.exit(((Number) summary.get("errors")).longValue() > 0 ? 1 : 0);
            }
        }
    }

    private Map<String, Object> run(int concurrency, Duration warmup, Duration duration) throws InterruptedException {
        for (int i = 0; i < concurrency; i++) {
            next();
        }
        Thread.sleep(warmup.toMillis());
        long allocatedBefore = clientThreadAllocatedBytes();
        long start = System.nanoTime();
        measuring = true;
        Thread.sleep(duration.toMillis());
        measuring = false;
        long elapsed = System.nanoTime() - start;
        long allocated = clientThreadAllocatedBytes() - allocatedBefore;
        stopping = true;
        drained.await(30, TimeUnit.SECONDS);
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
        return s;
    }

    /** Sends one call; its completion records it and sends the next, until the run stops. */
    private void next() {
        if (stopping) {
            drained.countDown();
            return;
        }
        long sent = System.nanoTime();
        client.callToolAsync("echo", arguments, null).result().whenComplete((r, failure) -> {
            if (measuring) {
                long took = System.nanoTime() - sent;
                synchronized (latency) {
                    latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
                }
                calls.incrementAndGet();
                if (failure != null || r.isError()) {
                    errors.incrementAndGet();
                }
            }
            if (failure instanceof McpClientException && !measuring && !stopping) {
                System.err.println("client load: " + failure.getMessage());
            }
            next();
        });
    }

    /** What the client's I/O threads ({@code peregrine-client-*}) have allocated so far. */
    private static long clientThreadAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("peregrine-client")) {
                total += threads.getThreadAllocatedBytes(info.getThreadId());
            }
        }
        return total;
    }
}
