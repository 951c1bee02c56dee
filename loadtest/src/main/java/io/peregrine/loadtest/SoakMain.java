package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code loadtest/run soak}: Peregrine (the standalone server with its demo tools, in a JVM of its
 * own, {@link SoakServeMain}) under a steady mixed workload ({@link SoakWorkload}) for a long
 * time, sampled every {@code --sample}: heap after full collections, resident set, file
 * descriptors, threads, Netty's pooled direct memory, and the window's latency, operations served
 * and errors. The run fails (exit status 1) on a leak, a lost answer, an unexpected error or a
 * latency drift ({@link SoakVerdict}); it writes a Markdown table and an SVG chart of the samples
 * ({@link SoakReport}).
 *
 * <p>The operations are due at a fixed rate, {@code start + n / rate}, whatever the server
 * answers: an answer that comes late is measured from when its operation was due. Bounded:
 * at most {@value #MAX_HOURS} hours, {@value #MAX_RATE} operations a second, loopback only; the
 * server stops when this JVM closes its standard input, or is killed 10 s later.
 */
final class SoakMain {

    static final String USAGE = "usage: loadtest/run soak [--duration 10m] [--sample 10s] [--rate 200 | --fraction 0.3]"
            + " [--tolerance 0.1] [--p99-factor 3] [--leak BYTES] [--json FILE] [--markdown FILE] [--svg FILE]";
    static final int MAX_HOURS = 24;
    static final int MAX_RATE = 1000;
    static final String SERVER_JAVA_OPTS = "loadtest.soak.serverOpts";
    static final String DEFAULT_SERVER_JAVA_OPTS = "-Xms256m -Xmx256m -XX:+UseParallelGC -XX:+AlwaysPreTouch";
    static final File SERVER_LOG = new File(System.getProperty("java.io.tmpdir"), "peregrine-loadtest-soak-server.log");

    private static final List<String> OPTIONS = List.of("duration", "sample", "rate", "fraction", "tolerance",
            "p99-factor", "leak", "json", "markdown", "svg");

    private SoakMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadtest/run soak: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(64);
            return;
        }
        if (o == null) {
            System.out.println(USAGE);
            return;
        }
        System.exit(run(o));
    }

    /** The options, checked; null for {@code --help}. */
    static Map<String, String> parse(String... args) {
        Map<String, String> o = LoadOptions.named(args, OPTIONS);
        if (o == null) {
            return null;
        }
        Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "10m"));
        Duration sample = LoadOptions.parseDuration("--sample", o.getOrDefault("sample", "10s"));
        if (duration.compareTo(Duration.ofHours(MAX_HOURS)) > 0 || sample.toMillis() < 1000
                || duration.toMillis() < 4 * sample.toMillis()) {
            throw new IllegalArgumentException("duration, sample : " + duration + ", " + sample + " (expected: at most "
                    + MAX_HOURS + " h, a sample every 1 s or more, at least 4 samples)");
        }
        if (o.containsKey("rate") && o.containsKey("fraction")) {
            throw new IllegalArgumentException("--rate and --fraction : both given (expected: one)");
        }
        double rate = Double.parseDouble(o.getOrDefault("rate", "200"));
        double fraction = Double.parseDouble(o.getOrDefault("fraction", "0.3"));
        if (!(rate >= 1 && rate <= MAX_RATE) || !(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("rate, fraction : " + rate + ", " + fraction + " (expected: 1 to " + MAX_RATE
                    + " operations a second, a fraction in (0, 1])");
        }
        tolerances(o);
        if (Integer.parseInt(o.getOrDefault("leak", "0")) < 0) {
            throw new IllegalArgumentException("leak : " + o.get("leak") + " (expected: bytes >= 0)");
        }
        return o;
    }

    static SoakVerdict.Tolerances tolerances(Map<String, String> o) {
        SoakVerdict.Tolerances d = SoakVerdict.Tolerances.defaults();
        return new SoakVerdict.Tolerances(Double.parseDouble(o.getOrDefault("tolerance", Double.toString(d.relative))),
                Double.parseDouble(o.getOrDefault("p99-factor", Double.toString(d.p99Factor))), d.p99FloorMicros);
    }

    static int run(Map<String, String> o) throws Exception {
        Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "10m"));
        Duration sampleEvery = LoadOptions.parseDuration("--sample", o.getOrDefault("sample", "10s"));
        int leak = Integer.parseInt(o.getOrDefault("leak", "0"));
        SoakVerdict.Tolerances tolerances = tolerances(o);
        Path dir = Files.createTempDirectory("peregrine-soak");
        String soakKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        String limitedKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        List<String> serverArgs = serverArgs(dir, soakKey, limitedKey);
        Files.deleteIfExists(SERVER_LOG.toPath());
        List<String> javaOptions = new ArrayList<>(List.of(System.getProperty(SERVER_JAVA_OPTS, DEFAULT_SERVER_JAVA_OPTS)
                .trim().split("\\s+")));
        if (leak > 0) {
            javaOptions.add("-D" + SoakRetainExtension.PROPERTY + "=" + leak);
        }
        try (LauncherProcess server = LauncherProcess.start(javaOptions, serverArgs, SERVER_LOG)) {
            double rate;
            String load;
            if (o.containsKey("fraction")) {
                double capacity = capacity(server.tcp);
                double fraction = Double.parseDouble(o.get("fraction"));
                rate = Math.max(1, Math.min(MAX_RATE, fraction * capacity));
                load = String.format(Locale.ROOT, "%.0f operations/s (%.2f of %.0f echo calls/s measured through the Java"
                        + " client over TCP%s)", rate, fraction, capacity, fraction * capacity > MAX_RATE ? ", capped at "
                        + MAX_RATE : "");
            } else {
                rate = Double.parseDouble(o.getOrDefault("rate", "200"));
                load = String.format(Locale.ROOT, "%.0f operations/s", rate);
            }
            System.err.printf(Locale.ROOT, "soak: %s for %s, a sample every %s; server pid %d, log %s%n", load,
                    o.getOrDefault("duration", "10m"), o.getOrDefault("sample", "10s"), server.process.pid(), SERVER_LOG);
            return soak(o, server, rate, load, duration, sampleEvery, tolerances, soakKey, limitedKey, leak);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    private static int soak(Map<String, String> o, LauncherProcess server, double rate, String load, Duration duration,
                            Duration sampleEvery, SoakVerdict.Tolerances tolerances, String soakKey, String limitedKey,
                            int leak) throws Exception {
        List<SoakSample> samples = new ArrayList<>();
        List<Histogram> windows = new ArrayList<>();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-pacer");
            t.setDaemon(true);
            return t;
        });
        long lost;
        long neverAnswered;
        SoakWorkload work = new SoakWorkload(server.tcp, server.http, soakKey, limitedKey, leak > 0);
        try {
            work.connect();
            samples.add(sample(server, 0, work.takeWindow(), 0, 0, 0));
            windows.add(null);
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            double nanosPer = 1e9 / rate;
            long[] next = {0};
            pacer.scheduleAtFixedRate(() -> {
                long now = Math.min(System.nanoTime(), end);
                long due;
                // Computed from the start each time, so rounding never drifts.
                while ((due = start + Math.round(next[0] * nanosPer)) <= now) {
                    work.start(next[0]++, due);
                }
            }, 0, 2, TimeUnit.MILLISECONDS);
            long[] before = new long[3];
            for (long k = 1; ; k++) {
                long at = start + k * sampleEvery.toNanos();
                if (at > end) {
                    break;
                }
                sleepUntil(at);
                Histogram window = work.takeWindow();
                long served = work.total(SoakWorkload.Outcome.OK) + work.total(SoakWorkload.Outcome.EXPECTED_ERROR);
                long expected = work.total(SoakWorkload.Outcome.EXPECTED_ERROR);
                long errors = work.total(SoakWorkload.Outcome.UNEXPECTED_ERROR) + work.total(SoakWorkload.Outcome.LOST);
                SoakSample s = sample(server, (at - start) / 1e9, window, served - before[0], expected - before[1],
                        errors - before[2]);
                before[0] = served;
                before[1] = expected;
                before[2] = errors;
                samples.add(s);
                windows.add(window);
                System.err.println("soak: " + SoakReport.line(s));
            }
            sleepUntil(end);
            pacer.shutdown();
            pacer.awaitTermination(10, TimeUnit.SECONDS);
            neverAnswered = work.drain(SoakWorkload.ANSWER_TIMEOUT.plusSeconds(10));
        } finally {
            pacer.shutdownNow();
            work.close();
        }
        lost = work.total(SoakWorkload.Outcome.LOST) + neverAnswered;
        long unexpected = work.total(SoakWorkload.Outcome.UNEXPECTED_ERROR);
        double seconds = duration.toNanos() / 1e9;
        // The first window is warm-up (the JIT, the clients' first catalog fetches): left out of the
        // first quarter whenever that quarter has other windows.
        double sampleSeconds = sampleEvery.toNanos() / 1e9;
        double firstFrom = seconds / 4 >= 2 * sampleSeconds ? sampleSeconds : 0;
        double p99First = quarterP99(samples, windows, firstFrom, seconds / 4);
        double p99Last = quarterP99(samples, windows, seconds * 3 / 4, seconds);
        double typicalFirst = medianWindowP99(samples, firstFrom, seconds / 4);
        double typicalLast = medianWindowP99(samples, seconds * 3 / 4, seconds);
        server.close();
        long nettyLeaks = countLeaks(SERVER_LOG.toPath());
        SoakVerdict verdict = new SoakVerdict(samples, tolerances, lost, unexpected, typicalFirst, typicalLast, nettyLeaks);

        String command = "loadtest/run soak --duration " + o.getOrDefault("duration", "10m") + " --sample "
                + o.getOrDefault("sample", "10s") + (o.containsKey("fraction") ? " --fraction " + o.get("fraction")
                : " --rate " + o.getOrDefault("rate", "200")) + (leak > 0 ? " --leak " + leak : "");
        SoakReport report = new SoakReport(command, load, samples, verdict, work.started(),
                work.total(SoakWorkload.Outcome.OK), work.expectedErrors(), unexpected, lost, p99First, p99Last, typicalFirst,
                typicalLast,
                work.byKind(), work.firstFailures());
        String markdown = report.markdown();
        System.out.print(markdown);
        ClientLoadMain.write(Path.of(o.getOrDefault("markdown", "loadtest/results/soak.md")), markdown);
        ClientLoadMain.write(Path.of(o.getOrDefault("svg", "loadtest/results/soak.svg")), report.svg());
        if (o.containsKey("json")) {
            ClientLoadMain.write(Path.of(o.get("json")), JsonTree.toJson(report.json()) + "\n");
        }
        return verdict.passed() ? 0 : 1;
    }

    /** The keys the server runs with: loopback, demo tools, API keys over HTTP, a rate limit only {@code limited} meets. */
    static List<String> serverArgs(Path dir, String soakKey, String limitedKey) throws IOException {
        Path config = Files.writeString(dir.resolve("soak.yaml"), "# every setting is a --set on the command line\n");
        Path keys = Files.writeString(dir.resolve("api-keys"), SoakWorkload.SOAK_PRINCIPAL + " " + soakKey + " *\n"
                + SoakWorkload.LIMITED_PRINCIPAL + " " + limitedKey + " *\n");
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("README.txt"), "files served by the soak run's demo tools\n");
        List<String> args = new ArrayList<>(List.of("--config", config.toString()));
        for (String set : List.of("tcp.host=127.0.0.1", "tcp.port=0", "http.host=127.0.0.1", "http.port=0",
                "http.auth=api-key", "auth.api-keys-file=" + keys, "demo.enabled=true", "demo.fs.root=" + root,
                "limits.per-principal-tool=" + SoakWorkload.LIMIT,
                "tcp.max-line-length=" + SoakWorkload.MAX_MESSAGE_BYTES,
                "http.max-body-size=" + SoakWorkload.MAX_MESSAGE_BYTES,
                "ws.max-frame-size=" + SoakWorkload.MAX_MESSAGE_BYTES,
                // Countdowns (cancelled or not) hold an executor slot for up to a second: room for a
                // burst of them when a loaded machine delays the workload and it catches up.
                "exec.max-concurrency=256",
                "log.level=warn", "shutdown.ready-delay=0", "shutdown.drain-timeout=2s")) {
            args.add("--set");
            args.add(set);
        }
        return args;
    }

    /** Echo calls/s through the Java client over TCP, 16 in flight, 2 s of warm-up then 3 s. */
    private static double capacity(InetSocketAddress tcp) throws Exception {
        try (PeregrineEchoCaller caller = PeregrineEchoCaller.connect("tcp://" + GatewayServeMain.hostPort(tcp),
                Era.V2025_11_25, 100, 16)) {
            Map<String, Object> s = new ClosedLoop(caller, 100, 16).run(16, Duration.ofSeconds(2), Duration.ofSeconds(3),
                    name -> false);
            return ((Number) s.get("callsPerSecond")).doubleValue();
        }
    }

    private static SoakSample sample(LauncherProcess server, double seconds, Histogram window, long served, long expected,
                                     long errors) throws IOException, InterruptedException {
        long pid = server.process.pid();
        double cpu = server.cpuPercent();
        double load = -1;
        try {
            load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        long[] m = server.measure();
        long rss = -1;
        long threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            } else if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        long fds;
        try (Stream<Path> list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = list.count();
        }
        boolean empty = window.getTotalCount() == 0;
        return new SoakSample(seconds, m[0], rss, fds, threads, m[1], served, expected, errors,
                empty ? 0 : window.getValueAtPercentile(50) / 1e3, empty ? 0 : window.getValueAtPercentile(99) / 1e3,
                cpu, load);
    }

    /** p99 (µs) of the windows that end within [from, to] seconds. */
    static double quarterP99(List<SoakSample> samples, List<Histogram> windows, double from, double to) {
        Histogram merged = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (int i = 0; i < samples.size(); i++) {
            double t = samples.get(i).seconds();
            if (windows.get(i) != null && t > from && t <= to + 1e-6) {
                merged.add(windows.get(i));
            }
        }
        return merged.getTotalCount() == 0 ? 0 : merged.getValueAtPercentile(99) / 1e3;
    }

    /**
     * The median of the p99s of the windows that end within [from, to] seconds (µs): the quarter's
     * typical p99, which the drift check compares. One window slowed by the machine (another
     * process's burst, a page-cache flush) moves a quarter's merged p99 a long way and this hardly.
     */
    static double medianWindowP99(List<SoakSample> samples, double from, double to) {
        double[] v = samples.stream().filter(s -> s.seconds() > from && s.seconds() <= to + 1e-6 && s.served() > 0)
                .mapToDouble(SoakSample::p99Micros).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static long countLeaks(Path log) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("LEAK:")).count();
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
