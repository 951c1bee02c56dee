package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Peregrine against the raw reference over Streamable HTTP, loaded by generators that are not
 * Peregrine's own: {@code loadtest/run external}.
 *
 * <p>{@code wrk} drives HTTP/1.1 (keep-alive, one request in flight per connection) with
 * {@code loadtest/wrk/echo.lua}, which checks every answer (status 200 and the echoed text);
 * {@code h2load} drives HTTP/2 with prior knowledge (h2c), streams multiplexed on a few
 * connections, and checks only the status (it reads no body), so its rows call in the stateless
 * era, where a request needs neither a session nor an id of its own. Each server runs in a JVM of
 * its own ({@link ServeMain}: one I/O thread, as in {@code loadtest/run compare}) and each generator
 * on one thread of a native process: on two cores, one for each. Beside each row the CPU the
 * generator and the server used, in % of one core: a generator near 100% measured itself, not the
 * server. For each row the servers take turns, the order rotating from round to round, after a
 * warm-up run of their own; the table gives each row's medians.
 *
 * <p>Bounded: at most {@value #MAX_ROUNDS} rounds of 3 rows × 2 servers × (warm-up + duration),
 * each generator killed 30 s after its duration; loopback only; every process stops at the end.
 */
final class ExternalComparison {

    static final String USAGE = "usage: loadtest/run external [--rounds 3] [--only http|h2c] [--connections 64]"
            + " [--h2-connections 4] [--streams 16] [--payload 100] [--warmup 3s] [--duration 5s] [--markdown FILE]"
            + " [--json FILE]";

    static final int MAX_ROUNDS = 5;
    static final int MAX_CONNECTIONS = 1000;
    /** The servers compared, in the order of the first round. */
    static final List<String> SERVERS = List.of("raw", "peregrine");
    /** The system property with the servers' JVM options, split at spaces. */
    static final String SERVER_JAVA_OPTS = "loadtest.external.serverOpts";
    static final File SERVER_LOG = new File(System.getProperty("java.io.tmpdir"), "peregrine-loadtest-external-servers.log");
    private static final String DEFAULT_SERVER_JAVA_OPTS = "-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch";
    /** How long a generator may run beyond its duration before it is killed. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private static final List<String> OPTIONS = List.of("rounds", "only", "connections", "h2-connections", "streams",
            "payload", "warmup", "duration", "markdown", "json");
    private static final List<String> METRICS = List.of("throughputPerSecond", "p50Micros", "p99Micros", "p999Micros",
            "errors", "generatorCpuPercent", "serverCpuPercent");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ExternalComparison() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions.main("external", USAGE, OPTIONS, args, ExternalComparison::run);
    }

    /** How one row loads a server: the generator, and the era its calls are of. */
    enum Row {
        WRK_2025("wrk", "HTTP/1.1", Era.V2025_11_25),
        WRK_2026("wrk", "HTTP/1.1", Era.V2026_07_28),
        H2LOAD_2026("h2load", "h2c", Era.V2026_07_28);

        final String generator;
        final String protocol;
        final Era era;

        Row(String generator, String protocol, Era era) {
            this.generator = generator;
            this.protocol = protocol;
            this.era = era;
        }

        String key() {
            return generator + " " + era.version();
        }
    }

    /** What to run, checked before anything starts. */
    record Plan(int rounds, List<Row> rows, int connections, int h2Connections, int streams, int payload,
                Duration warmup, Duration duration) {

        static Plan of(Map<String, String> o) {
            int rounds = bounded(o, "rounds", 3, 1, MAX_ROUNDS);
            String only = o.getOrDefault("only", "both");
            List<Row> rows;
            switch (only) {
                case "http": rows = List.of(Row.WRK_2025, Row.WRK_2026); break;
                case "h2c": rows = List.of(Row.H2LOAD_2026); break;
                case "both": rows = List.of(Row.values()); break;
                default: throw new IllegalArgumentException("only : " + only + " (expected: http or h2c)");
            }
            int connections = bounded(o, "connections", 64, 1, MAX_CONNECTIONS);
            int h2Connections = bounded(o, "h2-connections", 4, 1, MAX_CONNECTIONS);
            int streams = bounded(o, "streams", 16, 1, 1000);
            int payload = bounded(o, "payload", 100, 1, 1 << 20);
            Duration warmup = LoadOptions.parseDuration("--warmup", o.getOrDefault("warmup", "3s"));
            Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "5s"));
            // Both generators count whole seconds.
            if (duration.toSeconds() < 1 || duration.toMinutes() > 5 || warmup.toMinutes() > 5
                    || duration.toMillis() % 1000 != 0 || warmup.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("--warmup " + o.getOrDefault("warmup", "3s") + " --duration "
                        + o.getOrDefault("duration", "5s") + " (expected: whole seconds, a duration of 1s to 5m, a warm-up"
                        + " of 0s to 5m)");
            }
            return new Plan(rounds, rows, connections, h2Connections, streams, payload, warmup, duration);
        }

        private static int bounded(Map<String, String> o, String name, int fallback, int min, int max) {
            String text = o.getOrDefault(name, Integer.toString(fallback));
            int v;
            try {
                v = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                v = min - 1;
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " : " + text + " (expected: " + min + "-" + max + ")");
            }
            return v;
        }

        /** In flight at once: connections for wrk, connections × streams for h2load. */
        String load(Row row) {
            return row.generator.equals("wrk") ? connections + " connections × 1"
                    : h2Connections + " connections × " + streams + " streams";
        }

        String command() {
            return String.format(Locale.ROOT, "loadtest/run external --rounds %d --connections %d --h2-connections %d"
                    + " --streams %d --payload %d --warmup %ds --duration %ds", rounds, connections, h2Connections,
                    streams, payload, warmup.toSeconds(), duration.toSeconds());
        }
    }

    static int run(Map<String, String> o) throws Exception {
        Plan plan = Plan.of(o);
        for (String tool : new String[] {"wrk", "h2load"}) {
            if (plan.rows.stream().anyMatch(r -> r.generator.equals(tool)) && !onPath(tool)) {
                throw new IllegalStateException(tool + " is not installed (Debian: apt-get install "
                        + (tool.equals("wrk") ? "wrk" : "nghttp2-client") + ")");
            }
        }
        Path dir = Files.createTempDirectory("peregrine-external");
        Files.deleteIfExists(SERVER_LOG.toPath());
        List<String> javaOptions = Arrays.asList(System.getProperty(SERVER_JAVA_OPTS, DEFAULT_SERVER_JAVA_OPTS).trim().split("\\s+"));
        Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
        long errors = 0;
        Map<String, LauncherProcess> servers = new LinkedHashMap<>();
        try {
            for (int round = 1; round <= plan.rounds; round++) {
                for (Row row : plan.rows) {
                    List<String> order = new ArrayList<>(SERVERS);
                    Collections.rotate(order, -(round - 1));
                    for (String server : order) {
                        // The raw reference's answers are canned for one era: a server per era; Peregrine serves both.
                        String name = server.equals("raw") ? "raw " + row.era.version() : server;
                        LauncherProcess p = servers.get(name);
                        if (p == null) {
                            p = LauncherProcess.start(javaOptions, ServeMain.class, List.of(server, "http", row.era.version()),
                                    SERVER_LOG);
                            servers.put(name, p);
                        }
                        load(plan, row, p, plan.warmup, dir);
                        Map<String, Object> s = load(plan, row, p, plan.duration, dir);
                        s.put("round", round);
                        System.out.printf(Locale.ROOT, "round %d, %s, %s: %.0f calls/s, p50 %d µs, p99 %d µs, errors %d,"
                                        + " generator CPU %.0f%%, server CPU %.0f%%%n", round, row.key(), server,
                                s.get("throughputPerSecond"), s.get("p50Micros"), s.get("p99Micros"), s.get("errors"),
                                s.get("generatorCpuPercent"), s.get("serverCpuPercent"));
                        runs.computeIfAbsent(row.key() + " " + server, k -> new ArrayList<>()).add(s);
                        errors += ((Number) s.get("errors")).longValue();
                    }
                }
            }
        } finally {
            servers.values().forEach(LauncherProcess::close);
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        runs.forEach((key, list) -> medians.put(key, GatewayComparison.medians(list, METRICS)));
        String table = table(plan, medians);
        System.out.print(table);
        ClientLoadMain.write(Path.of(o.getOrDefault("markdown", "loadtest/results/external.md")), table);
        if (o.containsKey("json")) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("command", plan.command());
            all.put("medians", medians);
            all.put("rounds", runs);
            ClientLoadMain.write(Path.of(o.get("json")), JsonTree.toJson(all) + "\n");
        }
        return errors > 0 ? 1 : 0;
    }

    /** One run of the row's generator against {@code server} for {@code duration}; its figures. */
    private static Map<String, Object> load(Plan plan, Row row, LauncherProcess server, Duration duration, Path dir)
            throws IOException, InterruptedException {
        if (duration.isZero()) {
            return Map.of();
        }
        URI uri = endpoint(server.http);
        String seconds = duration.toSeconds() + "s";
        List<String> command;
        Path log = dir.resolve("h2load.log");
        if (row.generator.equals("wrk")) {
            String session = row.era.handshake() ? openSession(uri, row.era) : "-";
            // "--": a session id may start with "-", which wrk would otherwise take for an option of its own.
            command = List.of("wrk", "-t1", "-c" + plan.connections, "-d" + seconds, "--timeout", "10s",
                    "-s", script().toString(), "--", uri.toString(),
                    row.era.version(), session, Integer.toString(plan.payload));
        } else {
            Path body = dir.resolve("call.json");
            Files.writeString(body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"" + "x".repeat(plan.payload) + "\"}" + row.era.requestMeta("") + "}}");
            Files.deleteIfExists(log);
            command = List.of("h2load", "-t1", "-c" + plan.h2Connections, "-m" + plan.streams, "-D" + seconds,
                    "-d", body.toString(), "-H", "content-type: application/json",
                    "-H", "accept: application/json, text/event-stream", "-H", "mcp-protocol-version: " + row.era.version(),
                    "-H", "mcp-method: tools/call", "-H", "mcp-name: echo", "--log-file=" + log, uri.toString());
        }
        server.cpuPercent();
        Generated g = generate(command, duration.plus(GRACE));
        double serverCpu = server.cpuPercent();
        Map<String, Object> s = row.generator.equals("wrk") ? wrkFigures(g.output) : h2loadFigures(g.output, Files.readAllLines(log));
        s.put("generatorCpuPercent", g.cpuSeconds / ((Number) s.get("seconds")).doubleValue() * 100);
        s.put("serverCpuPercent", serverCpu);
        return s;
    }

    /**
     * {@code loadtest/wrk/echo.lua}, from the repository's root ({@code loadtest/run}) or from the
     * module's directory (its tests).
     */
    static Path script() {
        Path fromRoot = Path.of("loadtest", "wrk", "echo.lua");
        return (Files.exists(fromRoot) ? fromRoot : Path.of("wrk", "echo.lua")).toAbsolutePath();
    }

    /** What a generator printed, and the CPU time it used (user and system). */
    record Generated(String output, double cpuSeconds) {
    }

    /**
     * Runs {@code command} under bash, which prints its children's CPU time once it has exited
     * ({@code times}); kills it when it runs longer than {@code limit}.
     */
    static Generated generate(List<String> command, Duration limit) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("bash", "-c", "\"$@\"; status=$?; times; exit $status", "generator"));
        c.addAll(command);
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new IOException(command.get(0) + " did not end within " + limit.toSeconds() + " s");
        }
        String output = out.join();
        if (p.exitValue() != 0) {
            throw new IOException(command.get(0) + " exited with " + p.exitValue() + ":\n" + output);
        }
        return new Generated(output, childrenCpuSeconds(output));
    }

    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s");

    /** The children's user + system seconds: the last of the two lines of bash's {@code times}. */
    static double childrenCpuSeconds(String output) {
        Matcher m = TIMES.matcher(output);
        double seconds = -1;
        while (m.find()) {
            seconds = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                    + Integer.parseInt(m.group(3)) * 60 + Double.parseDouble(m.group(4));
        }
        if (seconds < 0) {
            throw new IllegalArgumentException("no CPU times in the generator's output:\n" + output);
        }
        return seconds;
    }

    /** The figures of {@code echo.lua}'s {@code wrk-result} line. */
    static Map<String, Object> wrkFigures(String output) {
        String line = output.lines().filter(l -> l.startsWith("wrk-result ")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no wrk-result line in wrk's output:\n" + output));
        Map<String, Long> v = new LinkedHashMap<>();
        for (String pair : line.substring("wrk-result ".length()).trim().split(" ")) {
            int eq = pair.indexOf('=');
            v.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
        }
        double seconds = v.get("micros") / 1e6;
        long errors = v.get("bad") + v.get("connect") + v.get("read") + v.get("write") + v.get("timeout");
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("requests", v.get("requests"));
        s.put("seconds", seconds);
        s.put("throughputPerSecond", v.get("requests") / seconds);
        s.put("p50Micros", v.get("p50"));
        s.put("p99Micros", v.get("p99"));
        s.put("p999Micros", v.get("p999"));
        s.put("errors", errors);
        return s;
    }

    private static final Pattern FINISHED = Pattern.compile("finished in ([\\d.]+)s, ([\\d.]+) req/s");
    private static final Pattern REQUESTS = Pattern.compile("requests: (\\d+) total, (\\d+) started, (\\d+) done,"
            + " (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");
    private static final Pattern STATUS = Pattern.compile("status codes: (\\d+) 2xx");

    /**
     * The figures of h2load's summary, and the latencies of its log ({@code --log-file}: a line per
     * request done, its start, its status and its duration in microseconds). A request done
     * without a 2xx status, or timed out, is an error; those still in flight when the duration
     * ends (h2load's "started" beyond "done") are not counted.
     */
    static Map<String, Object> h2loadFigures(String output, List<String> log) {
        Matcher f = FINISHED.matcher(output);
        Matcher r = REQUESTS.matcher(output);
        Matcher st = STATUS.matcher(output);
        if (!f.find() || !r.find() || !st.find()) {
            throw new IllegalArgumentException("no summary in h2load's output:\n" + output);
        }
        long[] durations = log.stream().map(l -> l.trim().split("\\s+")).filter(cells -> cells.length >= 3)
                .mapToLong(cells -> Long.parseLong(cells[2])).sorted().toArray();
        long done = Long.parseLong(r.group(3));
        double seconds = Double.parseDouble(f.group(1));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("requests", done);
        s.put("seconds", seconds);
        s.put("throughputPerSecond", done / seconds);
        s.put("p50Micros", percentile(durations, 50));
        s.put("p99Micros", percentile(durations, 99));
        s.put("p999Micros", percentile(durations, 99.9));
        s.put("errors", done - Long.parseLong(st.group(1)) + Long.parseLong(r.group(7)));
        return s;
    }

    /** The nearest-rank percentile of sorted values; 0 for none. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /**
     * Opens a 2025-11-25 session, {@code initialize} then {@code notifications/initialized}, as
     * every connection of the generator will share it; returns its {@code Mcp-Session-Id}.
     */
    static String openSession(URI uri, Era era) throws IOException, InterruptedException {
        HttpResponse<String> init = HTTP.send(post(uri, era, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"" + era.version() + "\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"peregrine-external\",\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("mcp-session-id").orElse(null);
        if (init.statusCode() != 200 || session == null) {
            throw new IOException("initialize at " + uri + ": HTTP " + init.statusCode() + ", no session (" + init.body() + ")");
        }
        HttpResponse<String> initialized = HTTP.send(post(uri, era, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.ofString());
        if (initialized.statusCode() != 202) {
            throw new IOException("notifications/initialized at " + uri + ": HTTP " + initialized.statusCode()
                    + " (expected: 202)");
        }
        return session;
    }

    private static HttpRequest post(URI uri, Era era, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", era.version());
        }
        return b.build();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** The Markdown table: a row per generator, era and server, Peregrine's with its ratio to the reference's. */
    static String table(Plan plan, Map<String, Map<String, Double>> medians) {
        StringBuilder b = new StringBuilder();
        b.append("`").append(plan.command()).append("` (medians of ").append(plan.rounds)
                .append(plan.rounds == 1 ? " round" : " rounds")
                .append("; tools/call of echo, ").append(plan.payload).append(" B; each server in a JVM of its own,"
                        + " one I/O thread; each generator one thread; CPU in % of one core)\n\n");
        b.append("| generator | protocol | era | in flight | server | calls/s | p50 (µs) | p99 (µs) | p99.9 (µs) | errors"
                + " | generator CPU | server CPU | Peregrine / raw |\n");
        b.append("| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row row : plan.rows) {
            Map<String, Double> raw = medians.get(row.key() + " raw");
            for (String server : SERVERS) {
                Map<String, Double> m = medians.get(row.key() + " " + server);
                if (m == null) {
                    continue;
                }
                String ratio = server.equals("peregrine") && raw != null && raw.get("throughputPerSecond") > 0
                        ? String.format(Locale.ROOT, "**%.2f**", m.get("throughputPerSecond") / raw.get("throughputPerSecond"))
                        : "";
                b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f%% | %.0f%% | %s |%n",
                        row.generator, row.protocol, row.era.version(), plan.load(row),
                        server.equals("raw") ? "raw Netty reference" : "Peregrine", m.get("throughputPerSecond"),
                        m.get("p50Micros"), m.get("p99Micros"), m.get("p999Micros"), m.get("errorsTotal"),
                        m.get("generatorCpuPercent"), m.get("serverCpuPercent"), ratio));
            }
        }
        return b.toString();
    }

    /** The MCP endpoint of a server listening at {@code http}. */
    static URI endpoint(InetSocketAddress http) {
        return URI.create("http://" + http.getAddress().getHostAddress() + ":" + http.getPort() + HttpClientFraming.PATH);
    }
}
