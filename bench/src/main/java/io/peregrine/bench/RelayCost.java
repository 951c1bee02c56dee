package io.peregrine.bench;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.PeregrineClient;
import io.peregrine.demo.EchoTool;
import io.peregrine.gateway.UpstreamSpec;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway's own threads spend on one relayed {@code tools/call}: CPU time and bytes
 * allocated, read from the JVM's per-thread counters ({@code com.sun.management.ThreadMXBean})
 * around a run of calls, beside what the upstream's threads spend on the same call and on a
 * direct one. The setup is {@link GatewayRelayBenchmark}'s (an upstream Peregrine serving
 * {@code echo}, a gateway Peregrine federating it as {@code up} over the link in the first
 * argument, a {@link PeregrineClient} over TCP to each, all in this JVM on loopback), so the
 * gateway's figures are its relay path alone: the client's and the upstream's threads are
 * counted apart. The gateway's threads are those that appear when it starts (its I/O and accept
 * threads, its links' event loop, timer and workers).
 *
 * <p>Each mode runs {@code calls} calls after as many for warm-up: {@code sequential}, one call
 * in flight (every call wakes each thread on its path), and {@code window}, 32 in flight from one
 * client (wake-ups shared by the calls of one read). CPU time includes the system calls the
 * threads make; it is what the relay costs the machine, not its latency.
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar io.peregrine.bench.RelayCost tcp|ws|http|h2c 50000 [sequential,window]}</pre>
 */
public final class RelayCost {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WINDOW = 32;

    private RelayCost() {
    }

    public static void main(String[] args) throws Exception {
        String link = args.length > 0 ? args[0] : "tcp";
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        List<String> modes = args.length > 2 ? List.of(args[2].split(",")) : List.of("sequential", "window");
        Set<Long> before = threadIds();
        Peregrine upstream = Peregrine.builder().tool(EchoTool.create()).ioThreads(1)
                .tcp("127.0.0.1", 0).http("127.0.0.1", 0).build();
        Peregrine.BoundAddresses up = upstream.start();
        PeregrineClient direct = PeregrineClient.builder().address(up.tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(10)).connect();
        Set<Long> upstreamThreads = threadIds();
        upstreamThreads.removeAll(before);
        String host = up.http().getAddress().getHostAddress();
        String url = switch (link) {
            case "tcp" -> "tcp://" + up.tcp().getAddress().getHostAddress() + ":" + up.tcp().getPort();
            case "ws" -> "ws://" + host + ":" + up.http().getPort() + "/mcp";
            case "http", "h2c" -> "http://" + host + ":" + up.http().getPort() + "/mcp";
            default -> throw new IllegalArgumentException("link : " + link + " (expected: tcp, ws, http or h2c)");
        };
        Set<Long> beforeGateway = threadIds();
        Peregrine gateway = Peregrine.builder().ioThreads(1).tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("up").url(url).h2c(link.equals("h2c")).build()).build();
        Peregrine.BoundAddresses gw = gateway.start();
        PeregrineClient through = PeregrineClient.builder().address(gw.tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(10)).connect();
        String message = AbstractBenchmark.message(100);
        Map<String, Object> arguments = Map.of("message", message);
        check(through.callTool("up_echo", arguments), message);
        Set<Long> gatewayThreads = threadIds();
        gatewayThreads.removeAll(beforeGateway);
        // The client's threads are neither the upstream's nor the gateway's.
        gatewayThreads.removeIf(id -> name(id).startsWith("peregrine-client"));
        upstreamThreads.removeIf(id -> name(id).startsWith("peregrine-client"));

        System.out.printf(Locale.ROOT, "link %s, %,d calls a row, echo of %d B; per call:%n", link, calls, message.length());
        System.out.printf(Locale.ROOT, "%-10s %-16s %12s %12s %12s %12s%n", "mode", "path",
                "gateway µs", "gateway B", "upstream µs", "upstream B");
        for (String mode : modes) {
            for (int round = 0; round < 2; round++) {
                boolean warm = round == 1;
                for (String path : List.of("direct", "through gateway")) {
                    PeregrineClient c = path.equals("direct") ? direct : through;
                    String tool = path.equals("direct") ? "echo" : "up_echo";
                    Snapshot g0 = Snapshot.of(gatewayThreads);
                    Snapshot u0 = Snapshot.of(upstreamThreads);
                    run(c, tool, arguments, message, calls, mode.equals("window"));
                    Snapshot g = Snapshot.of(gatewayThreads).minus(g0);
                    Snapshot u = Snapshot.of(upstreamThreads).minus(u0);
                    if (warm) {
                        System.out.printf(Locale.ROOT, "%-10s %-16s %12.2f %,12d %12.2f %,12d%n", mode, path,
                                g.cpuNanos / 1e3 / calls, g.bytes / calls, u.cpuNanos / 1e3 / calls, u.bytes / calls);
                    }
                }
            }
        }
        through.close();
        direct.close();
        gateway.close();
        upstream.close();
    }

    private static void run(PeregrineClient c, String tool, Map<String, Object> arguments, String message, int calls,
                            boolean window) throws Exception {
        if (!window) {
            for (int i = 0; i < calls; i++) {
                check(c.callTool(tool, arguments), message);
            }
            return;
        }
        Semaphore slots = new Semaphore(WINDOW);
        List<CompletableFuture<CallToolResult>> last = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            slots.acquire();
            CompletableFuture<CallToolResult> f = c.callToolAsync(tool, arguments, null).result();
            f.whenComplete((r, failure) -> slots.release());
            if (i >= calls - WINDOW) {
                last.add(f);
            }
        }
        if (!slots.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("calls still in flight after 30 s");
        }
        for (CompletableFuture<CallToolResult> f : last) {
            check(f.join(), message);
        }
    }

    private static void check(CallToolResult result, String message) {
        if (result.isError() || !result.text().equals(message)) {
            throw new IllegalStateException("echo answered " + result.text());
        }
    }

    private static Set<Long> threadIds() {
        Set<Long> ids = new HashSet<>();
        for (long id : THREADS.getAllThreadIds()) {
            ids.add(id);
        }
        return ids;
    }

    private static String name(long id) {
        java.lang.management.ThreadInfo info = THREADS.getThreadInfo(id);
        return info != null ? info.getThreadName() : "";
    }

    /** CPU time and allocated bytes of a set of threads, summed (threads that ended count zero). */
    private record Snapshot(long cpuNanos, long bytes) {
        static Snapshot of(Set<Long> threads) {
            long[] ids = threads.stream().mapToLong(Long::longValue).toArray();
            long[] cpu = THREADS.getThreadCpuTime(ids);
            long[] bytes = THREADS.getThreadAllocatedBytes(ids);
            long c = 0;
            long b = 0;
            for (int i = 0; i < ids.length; i++) {
                c += Math.max(0, cpu[i]);
                b += Math.max(0, bytes[i]);
            }
            return new Snapshot(c, b);
        }

        Snapshot minus(Snapshot earlier) {
            return new Snapshot(cpuNanos - earlier.cpuNanos, bytes - earlier.bytes);
        }
    }
}
