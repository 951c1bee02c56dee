package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Rate limits kept in Redis against the same limits kept in the process: {@code loadtest/run limits}.
 *
 * <p>This JVM starts one {@code redis-server} on a free loopback port ({@link RedisProcess}) and three
 * Peregrine servers, each the standalone server in a JVM of its own ({@link LauncherProcess}), alike
 * but for {@code redis.uri} and {@code limits.shared-mode} (local; shared, exact; shared, lease): API keys for 1,000 principals on TCP and HTTP, and one limit on
 * {@code echo} per principal ({@value #HIGH_LIMIT}) that no run reaches, so that every call is
 * admitted and what is measured is the cost of deciding. For each transport and each number of
 * principals, the same closed loop of {@code tools/call} ({@link TcpLoadGenerator}, one call in
 * flight per connection) runs against each server, the order rotating from round to round; around
 * each run the server's own metrics are read ({@code /metrics}), so that the Redis commands it sent
 * ({@code peregrine_redis_commands_total}, each a round trip) are divided by the calls its limit
 * admitted ({@code peregrine_ratelimit_decisions_total}) over the same interval.
 *
 * <p>Principals: over TCP (2025-11-25) a connection is one principal, so that with more principals
 * than connections only as many as there are connections call at a time; over Streamable HTTP the
 * calls are of the stateless era (2026-07-28, where a request may land on any replica), each
 * request authenticated alone, and each connection takes every principal's key in turn.
 *
 * <p>Then the limit itself, in each shared mode: two shared replicas with {@code echo} limited to
 * {@value #OVERSHOOT_LIMIT} calls a minute per principal, warmed up by another principal, then one
 * principal calling both at once over TCP, a duration at a time, until twice the limit has been
 * asked for; the calls they admitted together beyond the limit are the overshoot (0 when exact),
 * beside the Redis commands per decided call and the decisions made without Redis
 * ({@code peregrine_redis_fallback_decisions_total}: Redis did not answer in time).
 *
 * <p>Bounded: at most {@value #MAX_ROUNDS} rounds of 2 transports × 2 principal counts × 3 servers ×
 * (warm-up + duration), then per shared mode a warm-up and at most 30 s and a duration; loopback
 * only; every process stops at the end.
 */
final class LimitsComparison {

    static final String USAGE = "usage: loadtest/run limits [--rounds N] [--transport tcp|http|both] [--connections 64]"
            + " [--principals 1|1000|both] [--warmup 3s] [--duration 5s] [--markdown FILE] [--json FILE]";

    static final int MAX_ROUNDS = 5;
    static final int MAX_CONNECTIONS = 256;
    static final int PRINCIPALS = 1000;
    /** A limit per principal that no run reaches: every call is admitted, after a decision. */
    static final String HIGH_LIMIT = "echo=1000000000/1m";
    /** The limit of the overshoot phase, per principal and minute. */
    static final int OVERSHOOT_LIMIT = 1000;
    /** The overshoot phase loads until twice its limit has been decided, or this long at most. */
    static final Duration OVERSHOOT_MAX_LOAD = Duration.ofSeconds(30);

    /** The system property with the servers' JVM options, split at spaces. */
    static final String SERVER_JAVA_OPTS = "loadtest.limits.serverOpts";
    /** Where the servers' standard error (their logs) goes. */
    static final File SERVER_LOG = new File(System.getProperty("java.io.tmpdir"), "peregrine-loadtest-limits-servers.log");
    private static final String DEFAULT_SERVER_JAVA_OPTS = "-Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch";

    /** The servers compared, in the order of the first round: local, then the values of limits.shared-mode. */
    static final List<String> MODES = List.of("local", "exact", "lease");

    private static final List<String> OPTIONS = List.of("rounds", "transport", "connections", "principals", "warmup",
            "duration", "markdown", "json");
    private static final List<String> METRICS = List.of("throughputPerSecond", "p50Micros", "p99Micros", "errors",
            "redisCommandsPerCall");

    private LimitsComparison() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions.main("limits", USAGE, OPTIONS, args, LimitsComparison::run);
    }

    /** What to run, checked before anything starts. */
    record Plan(int rounds, List<Transport> transports, int connections, List<Integer> principals, Duration warmup,
                Duration duration) {

        static Plan of(Map<String, String> o) {
            int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
            if (rounds < 1 || rounds > MAX_ROUNDS) {
                throw new IllegalArgumentException("rounds : " + rounds + " (expected: 1-" + MAX_ROUNDS + ")");
            }
            String t = o.getOrDefault("transport", "both");
            List<Transport> transports = t.equals("both") ? List.of(Transport.TCP, Transport.HTTP) : List.of(Transport.of(t));
            if (transports.contains(Transport.WEBSOCKET)) {
                throw new IllegalArgumentException("transport : ws (expected: tcp, http or both)");
            }
            int connections = Integer.parseInt(o.getOrDefault("connections", "64"));
            if (connections < 2 || connections > MAX_CONNECTIONS) {
                throw new IllegalArgumentException("connections : " + connections + " (expected: 2-" + MAX_CONNECTIONS + ")");
            }
            String p = o.getOrDefault("principals", "both");
            List<Integer> principals;
            switch (p) {
                case "1": principals = List.of(1); break;
                case "1000": principals = List.of(PRINCIPALS); break;
                case "both": principals = List.of(1, PRINCIPALS); break;
                default: throw new IllegalArgumentException("principals : " + p + " (expected: 1, 1000 or both)");
            }
            Duration warmup = LoadOptions.parseDuration("--warmup", o.getOrDefault("warmup", "3s"));
            Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "5s"));
            if (duration.isZero() || duration.compareTo(Duration.ofMinutes(1)) > 0 || warmup.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("warmup, duration : " + warmup + ", " + duration
                        + " (expected: at most 1 minute each, a positive duration)");
            }
            return new Plan(rounds, transports, connections, principals, warmup, duration);
        }

        String command(Map<String, String> o) {
            return String.format(Locale.ROOT, "loadtest/run limits --rounds %d --transport %s --connections %d"
                            + " --principals %s --warmup %s --duration %s", rounds, o.getOrDefault("transport", "both"),
                    connections, o.getOrDefault("principals", "both"), o.getOrDefault("warmup", "3s"),
                    o.getOrDefault("duration", "5s"));
        }
    }

    /** Runs the comparison; returns the exit status (1 if any call of the comparison failed). */
    static int run(Map<String, String> o) throws Exception {
        Plan plan = Plan.of(o);
        Path dir = Files.createTempDirectory("peregrine-limits");
        List<String> credentials = new ArrayList<>();
        StringBuilder keys = new StringBuilder();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < PRINCIPALS; i++) {
            byte[] key = new byte[16];
            random.nextBytes(key);
            String hex = HexFormat.of().formatHex(key);
            keys.append(String.format(Locale.ROOT, "p%04d %s tool:echo%n", i, hex));
            credentials.add("Bearer " + hex);
        }
        Files.writeString(dir.resolve("api-keys"), keys);
        // One request-state key for every server, so that the shared replicas agree (ReplicaAgreement).
        byte[] stateKey = new byte[24];
        random.nextBytes(stateKey);
        Files.writeString(dir.resolve("limits.yaml"), "client-requests:\n  state-key: \""
                + HexFormat.of().formatHex(stateKey) + "\"\n");
        Files.deleteIfExists(SERVER_LOG.toPath());

        Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
        List<Map<String, Object>> overshoot = new ArrayList<>();
        long errors = 0;
        List<LauncherProcess> servers = new ArrayList<>();
        try (RedisProcess redis = RedisProcess.start()) {
            try {
                Map<String, LauncherProcess> byMode = new LinkedHashMap<>();
                for (String mode : MODES) {
                    byMode.put(mode, start(servers, dir, HIGH_LIMIT, mode.equals("local") ? null : redis.uri(), mode,
                            "limits"));
                }
                for (int round = 1; round <= plan.rounds(); round++) {
                    for (Transport transport : plan.transports()) {
                        for (int principals : plan.principals()) {
                            List<String> order = new ArrayList<>(MODES);
                            Collections.rotate(order, -(round - 1));
                            for (String mode : order) {
                                Map<String, Object> s = measure(byMode.get(mode), mode, transport, era(transport), plan.connections(),
                                        credentials.subList(0, principals), plan.warmup(), plan.duration(), credentials.get(0));
                                s.put("round", round);
                                s.put("principals", principals);
                                runs.computeIfAbsent(row(transport, principals, mode), k -> new ArrayList<>()).add(s);
                                errors += ((Number) s.get("errors")).longValue();
                            }
                        }
                    }
                }
                stop(servers);
                // Each mode its own principals, so that neither finds the other's bucket drawn on.
                overshoot.add(overshoot(servers, dir, redis.uri(), "exact", plan, credentials.get(0), credentials.get(1)));
                stop(servers);
                overshoot.add(overshoot(servers, dir, redis.uri(), "lease", plan, credentials.get(2), credentials.get(3)));
            } finally {
                stop(servers);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        runs.forEach((row, list) -> {
            Map<String, Double> m = GatewayComparison.medians(list, METRICS);
            m.put("decidedWithoutRedisTotal", list.stream()
                    .mapToDouble(r -> ((Number) r.get("decidedWithoutRedis")).doubleValue()).sum());
            medians.put(row, m);
        });
        String command = plan.command(o);
        String table = table(command, plan.rounds(), plan.connections(), medians, overshoot);
        System.out.print(table);
        ClientLoadMain.write(Path.of(o.getOrDefault("markdown", "loadtest/results/limits.md")), table);
        if (o.containsKey("json")) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("command", command);
            all.put("medians", medians);
            all.put("overshoot", overshoot);
            all.put("rounds", runs);
            ClientLoadMain.write(Path.of(o.get("json")), JsonTree.toJson(all) + "\n");
        }
        return errors > 0 ? 1 : 0;
    }

    /** The era of a transport's calls: a session over TCP; over HTTP the stateless era, each request its own principal's. */
    static Era era(Transport transport) {
        return transport == Transport.TCP ? Era.V2025_11_25 : Era.V2026_07_28;
    }

    /** The key of a row: {@code tcp 1000 shared}. */
    static String row(Transport transport, int principals, String mode) {
        return transport + " " + principals + " " + mode;
    }

    private static LauncherProcess start(List<LauncherProcess> servers, Path dir, String limit, String redisUri,
                                         String mode, String name) throws IOException, InterruptedException {
        LauncherProcess server = LauncherProcess.start(
                List.of(System.getProperty(SERVER_JAVA_OPTS, DEFAULT_SERVER_JAVA_OPTS).trim().split("\\s+")),
                serverArgs(dir, limit, redisUri, mode, name), SERVER_LOG);
        servers.add(server);
        return server;
    }

    /**
     * The launcher's arguments: the configuration file in {@code dir} (the request-state key of the
     * run), loopback, one I/O thread, API keys on both listeners, the limit, Redis or not, and with
     * Redis the shared mode ({@code exact} or {@code lease}, its defaults).
     */
    static List<String> serverArgs(Path dir, String limit, String redisUri, String mode, String name) throws IOException {
        Path config = dir.resolve("limits.yaml");
        List<String> sets = new ArrayList<>(List.of("tcp.host=127.0.0.1", "tcp.port=0", "http.host=127.0.0.1",
                "http.port=0", "io.threads=1", "tcp.auth=api-key", "http.auth=api-key",
                "auth.api-keys-file=" + dir.resolve("api-keys"), "demo.fs.root=" + dir, "server.name=" + name,
                "limits.per-principal-tool=" + limit, "log.level=warn", "shutdown.ready-delay=0",
                "shutdown.drain-timeout=2s"));
        if (redisUri != null) {
            sets.add("redis.uri=" + redisUri);
            sets.add("limits.shared-mode=" + mode);
        }
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return args;
    }

    /** One run against {@code server}, with the Redis commands it sent and the calls it admitted meanwhile. */
    private static Map<String, Object> measure(LauncherProcess server, String mode, Transport transport, Era era, int connections,
                                               List<String> credentials, Duration warmup, Duration duration,
                                               String scrapeCredential) throws Exception {
        System.gc();
        Counters before = Counters.scrape(server.http, scrapeCredential);
        LoadResult r = new TcpLoadGenerator(LoadSettings.builder(transport == Transport.TCP ? server.tcp : server.http)
                .transport(transport).era(era).connections(connections).depth(1).authorizations(credentials)
                .warmup(warmup).duration(duration).build()).run();
        Counters d = Counters.scrape(server.http, scrapeCredential).minus(before);
        Map<String, Object> s = new LinkedHashMap<>(Summary.json(mode, r));
        s.put("mode", mode);
        s.put("admitted", d.admitted());
        s.put("redisCommands", d.redisCommands());
        s.put("redisCommandsPerCall", d.admitted() == 0 ? 0.0 : (double) d.redisCommands() / d.admitted());
        s.put("decidedWithoutRedis", d.withoutRedis());
        System.err.printf(Locale.ROOT, "%,d principal%s: %s; %.2f Redis commands per admitted call%n", credentials.size(),
                credentials.size() == 1 ? "" : "s", Summary.line(mode, r), (double) s.get("redisCommandsPerCall"));
        return s;
    }

    /**
     * Two shared replicas in {@code mode} with a small limit, one principal calling both at once over
     * TCP (half the connections each) for the run's duration: the calls admitted between them against
     * the limit, and the Redis commands they sent for them.
     */
    private static Map<String, Object> overshoot(List<LauncherProcess> servers, Path dir, String redisUri, String mode,
                                                 Plan plan, String credential, String warmUpCredential) throws Exception {
        String limit = "echo=" + OVERSHOOT_LIMIT + "/1m";
        List<LauncherProcess> replicas = List.of(start(servers, dir, limit, redisUri, mode, "limits-overshoot"),
                start(servers, dir, limit, redisUri, mode, "limits-overshoot"));
        // Warmed up by another principal, whose bucket is another key: the same code, none of the tokens.
        loadBoth(replicas, plan.connections() / 2, warmUpCredential, plan.warmup());
        List<Counters> before = new ArrayList<>();
        for (LauncherProcess replica : replicas) {
            before.add(Counters.scrape(replica.http, credential));
        }
        long admitted = 0;
        long refused = 0;
        long withoutRedis = 0;
        long commands = 0;
        long end = System.nanoTime() + OVERSHOOT_MAX_LOAD.toNanos();
        // In steps of the run's duration until twice the limit has been asked for: on a slow machine
        // one duration may not reach the limit at all.
        while (admitted + refused < 2L * OVERSHOOT_LIMIT && System.nanoTime() < end) {
            loadBoth(replicas, plan.connections() / 2, credential, plan.duration());
            admitted = 0;
            refused = 0;
            withoutRedis = 0;
            commands = 0;
            for (int i = 0; i < replicas.size(); i++) {
                Counters d = Counters.scrape(replicas.get(i).http, credential).minus(before.get(i));
                admitted += d.admitted();
                refused += d.refused();
                withoutRedis += d.withoutRedis();
                commands += d.redisCommands();
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("replicas", replicas.size());
        m.put("limit", limit);
        m.put("admitted", admitted);
        m.put("refused", refused);
        m.put("overshoot", admitted - OVERSHOOT_LIMIT);
        m.put("decidedWithoutRedis", withoutRedis);
        m.put("redisCommandsPerCall", admitted + refused == 0 ? 0.0 : (double) commands / (admitted + refused));
        System.err.printf(Locale.ROOT, "overshoot, %s: %d calls decided by 2 replicas, %d admitted for a limit of %d, %d refused,"
                + " %d Redis commands, %d decided without Redis%n", mode, admitted + refused, admitted, OVERSHOOT_LIMIT,
                refused, commands, withoutRedis);
        return m;
    }

    /** One principal calling every replica at once over TCP for {@code duration} (nothing for zero). */
    private static void loadBoth(List<LauncherProcess> replicas, int connections, String credential, Duration duration)
            throws Exception {
        if (duration.isZero()) {
            return;
        }
        List<CompletableFuture<LoadResult>> loads = new ArrayList<>();
        for (LauncherProcess replica : replicas) {
            LoadSettings settings = LoadSettings.builder(replica.tcp).connections(connections).depth(1)
                    .authorizations(List.of(credential)).warmup(Duration.ZERO).duration(duration).build();
            loads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new TcpLoadGenerator(settings).run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<LoadResult> load : loads) {
            load.get();
        }
    }

    private static void stop(List<LauncherProcess> servers) {
        Collections.reverse(servers);
        servers.forEach(LauncherProcess::close);
        servers.clear();
    }

    /** The Markdown tables: a row per transport, principal count and server; then the overshoot per shared mode. */
    static String table(String command, int rounds, int connections, Map<String, Map<String, Double>> medians,
                        List<Map<String, Object>> overshoot) {
        StringBuilder b = new StringBuilder();
        b.append("`").append(command).append("` (medians of ").append(rounds).append(rounds == 1 ? " round" : " rounds")
                .append("; tools/call of echo, ").append(connections).append(" connections × 1 call in flight, API keys; TCP in 2025-11-25 sessions,")
                .append(" Streamable HTTP in the stateless 2026-07-28 era;")
                .append(" each server in a JVM of its own, one redis-server on loopback)\n\n");
        b.append("| transport | principals | limits | calls/s | p50 (µs) | p99 (µs) | Redis commands per admitted call"
                + " | calls | errors | decided without Redis | calls/s shared / local | p99 shared − local (µs) |\n");
        b.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
            String[] key = e.getKey().split(" ");
            Transport transport = Transport.of(key[0]);
            int principals = Integer.parseInt(key[1]);
            boolean shared = !key[2].equals("local");
            Map<String, Double> m = e.getValue();
            Map<String, Double> local = medians.get(row(transport, principals, "local"));
            String ratio = "";
            String p99 = "";
            if (shared && local != null) {
                ratio = local.get("throughputPerSecond") > 0 ? String.format(Locale.ROOT, "**%.2f**",
                        m.get("throughputPerSecond") / local.get("throughputPerSecond")) : "";
                p99 = String.format(Locale.ROOT, "%+.0f", m.get("p99Micros") - local.get("p99Micros"));
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.0f | %.0f | %s | %.0f | %.0f | %s | %s | %s |%n",
                    transport == Transport.TCP ? "TCP" : "Streamable HTTP", principals(transport, principals, connections),
                    shared ? "shared (Redis), " + key[2] : "local", m.get("throughputPerSecond"), m.get("p50Micros"),
                    m.get("p99Micros"), shared ? String.format(Locale.ROOT, "%.2f", m.get("redisCommandsPerCall")) : "0",
                    m.get("calls"), m.get("errorsTotal"),
                    shared ? String.format(Locale.ROOT, "%.0f", m.get("decidedWithoutRedisTotal")) : "–", ratio, p99));
        }
        if (!overshoot.isEmpty()) {
            b.append("\nThe limit itself: ").append(overshoot.get(0).get("replicas")).append(" replicas sharing Redis, `")
                    .append(overshoot.get(0).get("limit"))
                    .append("` per principal, one principal calling both at once over TCP\n\n");
            b.append("| limits | calls decided | admitted | limit | refused | overshoot | Redis commands per decided call"
                    + " | decided without Redis |\n");
            b.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (Map<String, Object> o : overshoot) {
                long admitted = ((Number) o.get("admitted")).longValue();
                long refused = ((Number) o.get("refused")).longValue();
                b.append(String.format(Locale.ROOT, "| shared (Redis), %s | %d | %d | %d | %d | **%s** | %.2f | %s |%n",
                        o.get("mode"), admitted + refused, admitted, OVERSHOOT_LIMIT, refused, o.get("overshoot"),
                        ((Number) o.get("redisCommandsPerCall")).doubleValue(), o.get("decidedWithoutRedis")));
            }
        }
        return b.toString();
    }

    /** How many principals call: over TCP one per connection at a time. */
    static String principals(Transport transport, int principals, int connections) {
        if (transport == Transport.TCP && principals > connections) {
            return String.format(Locale.ROOT, "%,d (%d at a time, one per connection)", principals, connections);
        }
        return String.format(Locale.ROOT, "%,d", principals);
    }

    /** What a server's {@code /metrics} counts of Redis and of its limit on {@code echo}. */
    record Counters(long redisCommands, long admitted, long refused, long withoutRedis) {

        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        /** Reads them from the server's Prometheus scrape on its HTTP listener. */
        static Counters scrape(InetSocketAddress http, String credential) throws IOException, InterruptedException {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + GatewayServeMain.hostPort(http)
                            + "/metrics")).header("Authorization", credential).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET /metrics of " + http + ": HTTP " + r.statusCode());
            }
            return parse(r.body());
        }

        /**
         * Sums {@code peregrine_redis_commands_total}, the per-principal-tool decisions and the
         * decisions made without Redis (by {@code limits.redis-failure}, Redis not answering in time)
         * of a scrape.
         */
        static Counters parse(String exposition) {
            long commands = 0;
            long admitted = 0;
            long refused = 0;
            long withoutRedis = 0;
            for (String line : exposition.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (line.startsWith("peregrine_redis_commands_total{")) {
                    commands += value;
                } else if (line.startsWith("peregrine_redis_fallback_decisions_total{")) {
                    withoutRedis += value;
                } else if (line.startsWith("peregrine_ratelimit_decisions_total{") && line.contains("limiter=\"principal_tool\"")) {
                    if (line.contains("outcome=\"admitted\"")) {
                        admitted += value;
                    } else if (line.contains("outcome=\"refused\"")) {
                        refused += value;
                    }
                }
            }
            return new Counters(commands, admitted, refused, withoutRedis);
        }

        Counters minus(Counters earlier) {
            return new Counters(redisCommands - earlier.redisCommands, admitted - earlier.admitted,
                    refused - earlier.refused, withoutRedis - earlier.withoutRedis);
        }
    }
}
