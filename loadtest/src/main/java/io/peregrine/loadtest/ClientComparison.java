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
 * warm-up, duration), the order alternating from round to round; the report gives every round and
 * each client's median, and the medians' ratios (Peregrine / SDK).
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
        long errors = 0;
        try (Target target = Target.start(o.getOrDefault("target", "peregrine"), Transport.HTTP, Era.V2025_11_25, payload)) {
            String url = ClientLoadMain.url(target, Transport.HTTP);
            String base = url.substring(0, url.length() - Transport.PATH.length());
            for (int round = 1; round <= rounds; round++) {
                List<String> order = round % 2 == 1 ? List.of("peregrine", "sdk") : List.of("sdk", "peregrine");
                for (String client : order) {
                    System.gc();
                    try (EchoCaller caller = client.equals("peregrine")
                            ? PeregrineEchoCaller.connect(url, Era.V2025_11_25, payload, concurrency)
                            : SdkEchoCaller.connect(base)) {
                        Map<String, Object> s = new ClosedLoop(caller, payload, concurrency)
                                .run(concurrency, warmup, duration, clientThreads);
                        s.put("round", round);
                        runs.get(client).add(s);
                        errors += ((Number) s.get("errors")).longValue();
                        System.err.printf(Locale.ROOT, "round %d %-9s %8.0f calls/s  p50 %8.1f us  p99 %8.1f us  %8.0f B/call  %d errors%n",
                                round, client, s.get("callsPerSecond"), s.get("p50Micros"), s.get("p99Micros"),
                                s.get("allocatedBytesPerCall"), s.get("errors"));
                    }
                }
            }
        }
        Map<String, Object> peregrine = medians(runs.get("peregrine"));
        Map<String, Object> sdk = medians(runs.get("sdk"));
        String command = String.format(Locale.ROOT, "loadtest/run client --rounds %d --concurrency %d --payload %d"
                + " --warmup %s --duration %s", rounds, concurrency, payload, o.getOrDefault("warmup", "5s"),
                o.getOrDefault("duration", "5s"));
        String table = table(command, rounds, peregrine, sdk);
        System.out.print(table);
        if (o.containsKey("markdown")) {
            ClientLoadMain.write(Path.of(o.get("markdown")), table);
        }
        if (o.containsKey("json")) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("command", command);
            all.put("peregrine", peregrine);
            all.put("sdk", sdk);
            all.put("rounds", runs);
            ClientLoadMain.write(Path.of(o.get("json")), JsonTree.toJson(all) + "\n");
        }
        return errors > 0 ? 1 : 0;
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

    static String table(String command, int rounds, Map<String, Object> peregrine, Map<String, Object> sdk) {
        StringBuilder b = new StringBuilder();
        b.append("`").append(command).append("` (medians of ").append(rounds).append(rounds == 1 ? " round" : " rounds")
                .append("; echo over Streamable HTTP, 2025-11-25, to one in-process Peregrine)\n\n");
        b.append("| Client | calls/s | p50 (us) | p99 (us) | bytes allocated per call |\n");
        b.append("| --- | ---: | ---: | ---: | ---: |\n");
        b.append(row("PeregrineClient", peregrine));
        b.append(row("MCP Java SDK McpAsyncClient", sdk));
        b.append(String.format(Locale.ROOT, "| Peregrine / SDK | %.2fx | %.2fx | %.2fx | %.2fx |%n",
                ratio(peregrine, sdk, "callsPerSecond"), ratio(peregrine, sdk, "p50Micros"),
                ratio(peregrine, sdk, "p99Micros"), ratio(peregrine, sdk, "allocatedBytesPerCall")));
        return b.toString();
    }

    private static String row(String name, Map<String, Object> m) {
        return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f |%n", name, m.get("callsPerSecond"),
                m.get("p50Micros"), m.get("p99Micros"), m.get("allocatedBytesPerCall"));
    }

    private static double ratio(Map<String, Object> a, Map<String, Object> b, String metric) {
        double d = ((Number) b.get(metric)).doubleValue();
        return d == 0 ? Double.NaN : ((Number) a.get(metric)).doubleValue() / d;
    }
}
