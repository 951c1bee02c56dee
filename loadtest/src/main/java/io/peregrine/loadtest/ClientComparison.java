package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Peregrine's Java client against the official MCP Java SDK's asynchronous client, calling the same
 * Peregrine server ({@code echo} over Streamable HTTP, 2025-11-25, the newest revision the SDK
 * speaks) in one run: {@code loadtest/run client --rounds N}. Each round runs both clients one after
 * the other in this JVM, each a new client with the same {@link ClosedLoop} (concurrency, payload,
 * warm-up, duration), and beside them Peregrine's own load generator ({@link TcpLoadGenerator}, as
 * many connections as calls in flight, one call each: no client library, the ceiling), the order
 * rotating from round to round; the report gives every round and each one's median, and the
 * medians' ratios (Peregrine / SDK, Peregrine / generator). The generator's allocation is not
 * measured (its warm-up and window are its own).
 *
 * <p>Allocation per call counts every thread of this JVM but the in-process server's
 * ({@code peregrine-*} other than {@code peregrine-client*}) and the one driving the run: the
 * client's I/O thread for Peregrine; for the SDK, the JDK HttpClient's, Reactor's and the common
 * pool's threads, which is where its work runs. A thread that ends inside the measured window
 * takes its count with it, which can only flatter the client that starts and ends threads.
 * Bounded: rounds x 2 x (warm-up + duration), at most 20 rounds, loopback only.
 */
final class ClientComparison {

    private static final int MAX_ROUNDS = 20;

    private ClientComparison() {
    }

    /** Runs the comparison; returns the exit status (1 if any call failed). */
    static int run(Map<String, String> o) throws Exception {
        int rounds = Integer.parseInt(o.get("rounds"));
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds : " + rounds + " (expected: 1-" + MAX_ROUNDS + ")");
        }
        if (!o.getOrDefault("transport", "http").equals("http") || !o.getOrDefault("era", "2025-11-25").equals("2025-11-25")) {
            throw new IllegalArgumentException("--rounds compares over --transport http --era 2025-11-25 only"
                    + " (the SDK's client speaks Streamable HTTP up to 2025-11-25)");
        }
        int concurrency = ClientLoadMain.concurrency(o);
        int payload = Integer.parseInt(o.getOrDefault("payload", "100"));
        Duration warmup = LoadOptions.parseDuration("--warmup", o.getOrDefault("warmup", "5s"));
        Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "5s"));
        String driver = Thread.currentThread().getName();
        Predicate<String> clientThreads = name -> !name.equals(driver)
                && !(name.startsWith("peregrine-") && !name.startsWith("peregrine-client"));

        Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
        runs.put("peregrine", new ArrayList<>());
        runs.put("sdk", new ArrayList<>());
        runs.put("generator", new ArrayList<>());
        long errors = 0;
        try (Target target = Target.start(o.getOrDefault("target", "peregrine"), Transport.HTTP, Era.V2025_11_25, payload)) {
            String url = ClientLoadMain.url(target, Transport.HTTP);
            String base = url.substring(0, url.length() - Transport.PATH.length());
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(runs.keySet());
                java.util.Collections.rotate(order, -(round - 1));
                for (String client : order) {
                    System.gc();
                    Map<String, Object> s;
                    if (client.equals("generator")) {
                        s = generator(target, concurrency, payload, warmup, duration);
                    } else {
                        try (EchoCaller caller = client.equals("peregrine")
                                ? PeregrineEchoCaller.connect(url, Era.V2025_11_25, payload, concurrency)
                                : SdkEchoCaller.connect(base)) {
                            s = new ClosedLoop(caller, payload, concurrency).run(concurrency, warmup, duration, clientThreads);
                        }
                    }
                    s.put("round", round);
                    runs.get(client).add(s);
                    errors += ((Number) s.get("errors")).longValue();
                    System.err.printf(Locale.ROOT, "round %d %-9s %8.0f calls/s  p50 %8.1f us  p99 %8.1f us  %8s B/call  %d errors%n",
                            round, client, s.get("callsPerSecond"), s.get("p50Micros"), s.get("p99Micros"),
                            figure(((Number) s.get("allocatedBytesPerCall")).doubleValue(), "%.0f"), s.get("errors"));
                }
            }
        }
        Map<String, Object> peregrine = medians(runs.get("peregrine"));
        Map<String, Object> sdk = medians(runs.get("sdk"));
        Map<String, Object> generator = medians(runs.get("generator"));
        String command = String.format(Locale.ROOT, "loadtest/run client --rounds %d --concurrency %d --payload %d"
                + " --warmup %s --duration %s", rounds, concurrency, payload, o.getOrDefault("warmup", "5s"),
                o.getOrDefault("duration", "5s"));
        String table = table(command, rounds, peregrine, sdk, generator);
        System.out.print(table);
        if (o.containsKey("markdown")) {
            ClientLoadMain.write(Path.of(o.get("markdown")), table);
        }
        if (o.containsKey("json")) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("command", command);
            all.put("peregrine", peregrine);
            all.put("sdk", sdk);
            all.put("generator", generator);
            all.put("rounds", runs);
            ClientLoadMain.write(Path.of(o.get("json")), JsonTree.toJson(all) + "\n");
        }
        return errors > 0 ? 1 : 0;
    }

    /** The generator's closed loop: a connection per call in flight, no pipelining. */
    private static Map<String, Object> generator(Target target, int concurrency, int payload, Duration warmup,
                                                 Duration duration) throws InterruptedException {
        LoadResult r = new TcpLoadGenerator(LoadSettings.builder(target.address()).transport(Transport.HTTP)
                .era(Era.V2025_11_25).connections(concurrency).depth(1).payloadBytes(payload)
                .warmup(warmup).duration(duration).build()).run();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("calls", r.requests());
        s.put("callsPerSecond", r.throughput());
        s.put("p50Micros", (double) r.percentileMicros(50));
        s.put("p99Micros", (double) r.percentileMicros(99));
        s.put("p999Micros", (double) r.percentileMicros(99.9));
        s.put("errors", r.errors().total());
        s.put("allocatedBytesPerCall", Double.NaN);
        return s;
    }

    private static final List<String> METRICS = List.of("callsPerSecond", "p50Micros", "p99Micros", "allocatedBytesPerCall");

    static Map<String, Object> medians(List<Map<String, Object>> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String metric : METRICS) {
            double[] v = runs.stream().mapToDouble(r -> ((Number) r.get(metric)).doubleValue()).sorted().toArray();
            m.put(metric, v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
        }
        return m;
    }

    static String table(String command, int rounds, Map<String, Object> peregrine, Map<String, Object> sdk,
                        Map<String, Object> generator) {
        StringBuilder b = new StringBuilder();
        b.append("`").append(command).append("` (medians of ").append(rounds).append(rounds == 1 ? " round" : " rounds")
                .append("; echo over Streamable HTTP, 2025-11-25, to one in-process Peregrine)\n\n");
        b.append("| Client | calls/s | p50 (us) | p99 (us) | bytes allocated per call |\n");
        b.append("| --- | ---: | ---: | ---: | ---: |\n");
        b.append(row("PeregrineClient", peregrine));
        b.append(row("MCP Java SDK McpAsyncClient", sdk));
        b.append(row("Peregrine's load generator (no client library)", generator));
        b.append(ratios("PeregrineClient / SDK", peregrine, sdk));
        b.append(ratios("PeregrineClient / generator", peregrine, generator));
        return b.toString();
    }

    private static String row(String name, Map<String, Object> m) {
        return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %s |%n", name, m.get("callsPerSecond"),
                m.get("p50Micros"), m.get("p99Micros"), figure(((Number) m.get("allocatedBytesPerCall")).doubleValue(), "%.0f"));
    }

    private static String ratios(String name, Map<String, Object> a, Map<String, Object> b) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", name,
                figure(ratio(a, b, "callsPerSecond"), "%.2fx"), figure(ratio(a, b, "p50Micros"), "%.2fx"),
                figure(ratio(a, b, "p99Micros"), "%.2fx"), figure(ratio(a, b, "allocatedBytesPerCall"), "%.2fx"));
    }

    private static String figure(double value, String format) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
    }

    private static double ratio(Map<String, Object> a, Map<String, Object> b, String metric) {
        double d = ((Number) b.get(metric)).doubleValue();
        return d == 0 ? Double.NaN : ((Number) a.get(metric)).doubleValue() / d;
    }
}
