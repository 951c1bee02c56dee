package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Peregrine directly against the same Peregrine behind a Peregrine gateway: {@code loadtest/run gateway}.
 *
 * <p>One upstream Peregrine serving {@code echo} runs in a JVM of its own ({@link GatewayServeMain}),
 * and four gateways, each in a JVM of its own, federate it: one over a TCP upstream link, one over
 * WebSocket, one over Streamable HTTP (a pool of HTTP/1.1 connections), one over Streamable HTTP on
 * h2c. Every round, the load generator ({@link TcpLoadGenerator}, in this JVM) runs the same closed
 * loop of {@code tools/call} once against each of the five:
 * {@code echo} on the upstream itself, and {@code up_echo} on each gateway, which forwards it to the
 * same upstream; the order rotates from round to round, so that no row always runs first or right
 * after another. Every answer is checked (its id and a {@code result}); errors are counted, not
 * timed. The report gives each row's median over the rounds (calls/s, p50, p99), the ratio of each
 * gateway row's calls/s to the direct row's and the p50 it adds to it.
 *
 * <p>With {@code --peers}, three more rows put a gateway in front of the same server speaking stdio
 * ({@link GatewayServeMain} {@code stdio}, in a JVM of its own): a fifth Peregrine gateway, whose
 * upstream is that command, and the npm {@code supergateway} and {@code mcp-proxy} ({@link GatewayPeers});
 * all rows are then called over Streamable HTTP, the one transport the peers serve, and a second table
 * gives the peers' calls/s as a ratio of that Peregrine gateway's.
 *
 * <p>The servers' logs go to {@link #SERVER_LOG}. Bounded: at most {@value #MAX_ROUNDS} rounds of 4 (7 with
 * the peers) × (warm-up + duration), loopback only; every server stops when this JVM closes its standard
 * input, or is killed after 5 s, a peer when it is sent SIGTERM, and whatever any of them started is
 * killed if it is still there 5 s later.
 */
final class GatewayComparison {

    static final String USAGE = "usage: loadtest/run gateway [--rounds 1] [--transport tcp|ws|http]"
            + " [--era 2025-11-25|2026-07-28] [--connections 16] [--depth 1] [--payload 100] [--warmup 3s]"
            + " [--duration 5s] [--rate R|half] [--json FILE] [--markdown FILE] [--peers]";

    static final int MAX_ROUNDS = 5;
    /** How long a row's sessions may take to open: supergateway starts a JVM for each. */
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);

    /** The system property with the servers' JVM options, split at spaces. */
    static final String SERVER_JAVA_OPTS = "loadtest.gateway.serverOpts";
    /** Where the servers' standard error (their logs) goes. */
    static final java.io.File SERVER_LOG = new java.io.File(System.getProperty("java.io.tmpdir"),
            "peregrine-loadtest-gateway-servers.log");
    private static final String DEFAULT_SERVER_JAVA_OPTS = "-Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch";
    /**
     * The system property with the stdio children's JVM options: smaller than the servers', since
     * supergateway starts one per session.
     */
    static final String STDIO_JAVA_OPTS = "loadtest.gateway.stdioOpts";
    private static final String DEFAULT_STDIO_JAVA_OPTS = "-Xms128m -Xmx128m -XX:+UseParallelGC";

    /** The rows, in the order of the first round: the direct call, then each upstream link. */
    static final List<String> ROWS = List.of("direct", "gateway-tcp", "gateway-ws", "gateway-http", "gateway-h2c");
    /** The rows {@code --peers} adds: gateways in front of the stdio child, Peregrine's first. */
    static final List<String> PEER_ROWS = List.of("gateway-stdio", "supergateway", "mcp-proxy");

    private static final List<String> OPTIONS = List.of("rounds", "transport", "era", "connections", "depth",
            "payload", "warmup", "duration", "rate", "json", "markdown");
    /** The depth of the closed loop that finds each row's saturating load for {@code --rate half}. */
    static final int SATURATING_DEPTH = 16;
    /** The options without a value. */
    private static final List<String> FLAGS = List.of("peers");

    private GatewayComparison() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions.main("gateway", USAGE, OPTIONS, FLAGS, args, GatewayComparison::run);
    }

    /** The options given, by name; a flag's value is {@code "true"}. */
    static Map<String, String> parse(String[] args) {
        return LoadOptions.named(args, OPTIONS, FLAGS);
    }

    /** Runs the comparison; returns the exit status (1 if any call failed). */
    static int run(Map<String, String> o) throws Exception {
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "1"));
        if (rounds < 1 || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("rounds : " + rounds + " (expected: 1-" + MAX_ROUNDS + ")");
        }
        boolean peers = o.containsKey("peers");
        String transportName = o.getOrDefault("transport", peers ? "http" : "tcp");
        Transport transport = Transport.of(transportName);
        if (peers && transport != Transport.HTTP) {
            throw new IllegalArgumentException("--peers with --transport " + transportName
                    + " (expected: --transport http, the one transport supergateway and mcp-proxy serve)");
        }
        Era era = Era.of(o.getOrDefault("era", Era.V2025_11_25.version()));
        int connections = Integer.parseInt(o.getOrDefault("connections", "16"));
        int depth = Integer.parseInt(o.getOrDefault("depth", "1"));
        int payload = Integer.parseInt(o.getOrDefault("payload", "100"));
        Duration warmup = LoadOptions.parseDuration("--warmup", o.getOrDefault("warmup", "3s"));
        Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "5s"));
        String rateText = o.get("rate");
        boolean half = "half".equals(rateText);
        double rate = rateText == null || half ? 0 : rate(rateText);
        if (half && (long) connections * SATURATING_DEPTH > GatewayServeMain.MAX_IN_FLIGHT) {
            throw new IllegalArgumentException("connections : " + connections + " (expected: at most "
                    + GatewayServeMain.MAX_IN_FLIGHT / SATURATING_DEPTH + " with --rate half, which saturates them "
                    + SATURATING_DEPTH + " deep)");
        }
        if ((long) connections * depth > GatewayServeMain.MAX_IN_FLIGHT || payload > 64 * 1024) {
            throw new IllegalArgumentException("connections × depth, payload : " + connections + " × " + depth + ", "
                    + payload + " (expected: at most " + GatewayServeMain.MAX_IN_FLIGHT + " calls in flight, 64 KiB)");
        }
        // Checked before any server starts.
        LoadSettings.builder(new InetSocketAddress("127.0.0.1", 1)).transport(transport).era(era)
                .connections(connections).depth(depth).payloadBytes(payload).warmup(warmup).duration(duration).build();
        GatewayPeers npm = peers ? GatewayPeers.locate(GatewayPeers.DIR) : null;
        List<String> rows = new ArrayList<>(ROWS);
        if (peers) {
            rows.addAll(PEER_ROWS);
        }

        Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();
        rows.forEach(row -> runs.put(row, new ArrayList<>()));
        Map<String, String> failures = new LinkedHashMap<>();
        long errors = 0;
        List<Server> servers = new ArrayList<>();
        try {
            Server upstream = Server.start("upstream");
            servers.add(upstream);
            Map<String, Server> targets = new LinkedHashMap<>();
            targets.put("direct", upstream);
            List<String> links = new ArrayList<>(List.of("tcp://" + upstream.tcp, "ws://" + upstream.http + Transport.PATH,
                    "http://" + upstream.http + Transport.PATH, GatewayServeMain.H2C + upstream.http + Transport.PATH));
            List<String> child = stdioChild();
            if (peers) {
                links.add(GatewayServeMain.STDIO + GatewayPeers.commandLine(child));
            }
            for (String link : links) {
                Server gateway = Server.start("gateway", link);
                servers.add(gateway);
                targets.put("gateway-" + link.substring(0, link.indexOf(':')), gateway);
            }
            if (peers) {
                servers.add(Server.peer("supergateway", port -> npm.supergateway(GatewayPeers.commandLine(child), port)));
                targets.put("supergateway", servers.get(servers.size() - 1));
                servers.add(Server.peer("mcp-proxy", port -> npm.mcpProxy(child, port)));
                targets.put("mcp-proxy", servers.get(servers.size() - 1));
            }
            if (half) {
                // Half the load that saturates the slowest row: a load every row carries, at which the
                // gateway's added latency is its cost per hop rather than a queue (its latency target).
                double slowest = Double.MAX_VALUE;
                for (String row : rows) {
                    LoadResult saturated = new TcpLoadGenerator(LoadSettings.builder(targets.get(row).address(transport))
                            .transport(transport).era(era).connections(connections).depth(SATURATING_DEPTH)
                            .payloadBytes(payload).tool(tool(row)).warmup(warmup).duration(duration)
                            .openTimeout(OPEN_TIMEOUT).build()).run();
                    System.err.println("saturating load: " + Summary.line(row, saturated));
                    slowest = Math.min(slowest, saturated.throughput());
                }
                rate = Math.max(1, Math.round(slowest / 2));
                System.err.println("every row now runs an open loop at " + (long) rate + " calls/s");
            }
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(rows);
                Collections.rotate(order, -(round - 1));
                for (String row : order) {
                    Server server = targets.get(row);
                    System.gc();
                    LoadResult r;
                    try {
                        LoadSettings.Builder settings = LoadSettings.builder(server.address(transport))
                                .transport(transport).era(era).connections(connections).payloadBytes(payload)
                                .tool(tool(row)).warmup(warmup).duration(duration).openTimeout(OPEN_TIMEOUT);
                        r = new TcpLoadGenerator((rate > 0 ? settings.rate(rate) : settings.depth(depth)).build()).run();
                    } catch (IllegalStateException e) {
                        // A server that cannot be loaded (sessions that do not open) is a result too.
                        failures.put(row, e.getMessage());
                        errors++;
                        System.err.println("round " + round + ": " + row + " failed: " + e.getMessage());
                        continue;
                    }
                    Map<String, Object> s = new LinkedHashMap<>(Summary.json(row, r));
                    s.put("round", round);
                    runs.get(row).add(s);
                    errors += r.errors().total();
                    System.err.println("round " + round + ": " + Summary.line(row, r));
                }
            }
        } finally {
            Collections.reverse(servers);
            servers.forEach(Server::close);
        }
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        runs.forEach((row, list) -> {
            if (!list.isEmpty()) {
                medians.put(row, medians(list));
            }
        });
        String command = String.format(Locale.ROOT, "loadtest/run gateway --rounds %d --transport %s --era %s"
                        + " --connections %d %s --payload %d --warmup %s --duration %s%s", rounds,
                transportName, era.version(), connections, rateText == null ? "--depth " + depth : "--rate " + rateText,
                payload, o.getOrDefault("warmup", "3s"), o.getOrDefault("duration", "5s"), peers ? " --peers" : "");
        String table = (rate > 0 ? String.format(Locale.ROOT, "An open loop at %d calls/s%s, latency from each call's"
                + " intended start.%n%n", (long) rate, half ? " (half the slowest row's saturating load)" : "") : "")
                + table(command, rounds, transport, medians);
        if (peers) {
            table += "\n" + peersTable(npm.supergatewayVersion, npm.mcpProxyVersion, medians);
        }
        StringBuilder failed = new StringBuilder();
        failures.forEach((row, message) -> failed.append("\n").append(row).append(" failed: ").append(message));
        table += failed.length() > 0 ? failed.substring(1) + "\n" : "";
        System.out.print(table);
        ClientLoadMain.write(Path.of(o.getOrDefault("markdown", "loadtest/results/gateway.md")), table);
        if (o.containsKey("json")) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("command", command);
            all.put("medians", medians);
            all.put("rounds", runs);
            all.put("failures", failures);
            ClientLoadMain.write(Path.of(o.get("json")), JsonTree.toJson(all) + "\n");
        }
        return errors > 0 ? 1 : 0;
    }

    /** The tool a row calls: {@code echo} on a server, the federated one on a gateway. */
    private static String tool(String row) {
        return row.startsWith("gateway-") ? GatewayServeMain.UPSTREAM + "_echo" : "echo";
    }

    private static double rate(String text) {
        double r;
        try {
            r = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            r = -1;
        }
        if (!(r > 0) || Double.isInfinite(r)) {
            throw new IllegalArgumentException("rate : " + text + " (expected: calls per second, or half)");
        }
        return r;
    }

    /** The command that starts the upstream speaking stdio: this class path, {@link GatewayServeMain} {@code stdio}. */
    private static List<String> stdioChild() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(System.getProperty(STDIO_JAVA_OPTS, DEFAULT_STDIO_JAVA_OPTS).trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayServeMain.class.getName(), "stdio"));
        return command;
    }

    private static final List<String> METRICS = List.of("throughputPerSecond", "p50Micros", "p99Micros", "errors");

    /** Each metric's own median over the rounds. */
    static Map<String, Double> medians(List<Map<String, Object>> runs) {
        return medians(runs, METRICS);
    }

    /** Each of {@code metrics}' own median over the rounds, and the calls and errors of all of them. */
    static Map<String, Double> medians(List<Map<String, Object>> runs, List<String> metrics) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String metric : metrics) {
            double[] v = runs.stream().mapToDouble(r -> ((Number) r.get(metric)).doubleValue()).sorted().toArray();
            m.put(metric, v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
        }
        m.put("calls", runs.stream().mapToDouble(r -> ((Number) r.get("requests")).doubleValue()).sum());
        m.put("errorsTotal", runs.stream().mapToDouble(r -> ((Number) r.get("errors")).doubleValue()).sum());
        return m;
    }

    /** The Markdown table: a row per target, the gateway rows with their ratio and added p50. */
    static String table(String command, int rounds, Transport transport, Map<String, Map<String, Double>> medians) {
        StringBuilder b = new StringBuilder();
        b.append("`").append(command).append("` (medians of ").append(rounds).append(rounds == 1 ? " round" : " rounds")
                .append("; echo called over ").append(transport).append(", each server in a JVM of its own)\n\n");
        b.append("| target | upstream link | calls/s | p50 (µs) | p99 (µs) | calls | errors | calls/s gateway / direct | added p50 (µs) |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, Double> direct = medians.getOrDefault("direct", Map.of("throughputPerSecond", 0.0, "p50Micros", 0.0));
        for (Map.Entry<String, Map<String, Double>> e : medians.entrySet()) {
            if (!e.getKey().equals("direct") && !e.getKey().startsWith("gateway-")) {
                continue;
            }
            Map<String, Double> m = e.getValue();
            boolean gateway = !e.getKey().equals("direct");
            String link = gateway ? link(e.getKey()) : "–";
            String ratio = gateway && direct.get("throughputPerSecond") > 0
                    ? String.format(Locale.ROOT, "**%.2f**", m.get("throughputPerSecond") / direct.get("throughputPerSecond"))
                    : "";
            String added = gateway ? String.format(Locale.ROOT, "%+.0f", m.get("p50Micros") - direct.get("p50Micros")) : "";
            b.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s |%n",
                    gateway ? "Peregrine behind the gateway" : "Peregrine directly", link, m.get("throughputPerSecond"),
                    m.get("p50Micros"), m.get("p99Micros"), m.get("calls"), m.get("errorsTotal"), ratio, added));
        }
        return b.toString();
    }

    /**
     * The gateways in front of the stdio child, each row with its calls/s as a ratio of Peregrine's
     * gateway's and the p50 it adds to that gateway's (negative: less).
     */
    static String peersTable(String supergatewayVersion, String mcpProxyVersion, Map<String, Map<String, Double>> medians) {
        StringBuilder b = new StringBuilder();
        b.append("| gateway in front of the same stdio server | its children | calls/s | p50 (µs) | p99 (µs) | calls | errors"
                + " | calls/s / Peregrine gateway's | p50 (µs) beyond Peregrine gateway's |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, Double> peregrine = medians.getOrDefault("gateway-stdio", Map.of("throughputPerSecond", 0.0, "p50Micros", 0.0));
        Map<String, String> names = new LinkedHashMap<>();
        names.put("gateway-stdio", "Peregrine gateway (`gateway.upstreams.up.command`)|one, every session's calls multiplexed on it");
        names.put("supergateway", "supergateway " + supergatewayVersion + " (`--stateful`, Streamable HTTP)|one per session");
        names.put("mcp-proxy", "mcp-proxy " + mcpProxyVersion + " (Streamable HTTP)|one, every session's calls multiplexed on it");
        names.forEach((row, name) -> {
            Map<String, Double> m = medians.get(row);
            if (m == null) {
                return;
            }
            boolean peer = !row.equals("gateway-stdio");
            String ratio = peer && peregrine.get("throughputPerSecond") > 0
                    ? String.format(Locale.ROOT, "**%.2f**", m.get("throughputPerSecond") / peregrine.get("throughputPerSecond"))
                    : "";
            String added = peer ? String.format(Locale.ROOT, "%+.0f", m.get("p50Micros") - peregrine.get("p50Micros")) : "";
            String[] cells = name.split("\\|");
            b.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %s |%n", cells[0], cells[1],
                    m.get("throughputPerSecond"), m.get("p50Micros"), m.get("p99Micros"), m.get("calls"), m.get("errorsTotal"),
                    ratio, added));
        });
        return b.toString();
    }

    private static String link(String row) {
        switch (row) {
            case "gateway-tcp":
                return "TCP";
            case "gateway-ws":
                return "WebSocket";
            case "gateway-stdio":
                return "stdio (a child process)";
            case "gateway-h2c":
                return "Streamable HTTP on h2c";
            default:
                return "Streamable HTTP";
        }
    }

    /** A server of {@link GatewayServeMain} in a JVM of its own, or a peer gateway ({@link GatewayPeers}). */
    private static final class Server implements AutoCloseable {
        private final Process process;
        /** A peer, stopped with SIGTERM; a server of {@link GatewayServeMain} stops when its standard input ends. */
        private final boolean peer;
        final String tcp;
        final String http;

        private Server(Process process, boolean peer, String tcp, String http) {
            this.process = process;
            this.peer = peer;
            this.tcp = tcp;
            this.http = http;
        }

        InetSocketAddress address(Transport transport) {
            String hostPort = transport == Transport.TCP ? tcp : http;
            return Target.loopback(hostPort);
        }

        static Server start(String... args) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(List.of(System.getProperty(SERVER_JAVA_OPTS, DEFAULT_SERVER_JAVA_OPTS).trim().split("\\s+")));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayServeMain.class.getName()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(SERVER_LOG)).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) {
                        if (l.startsWith("listening ")) {
                            return l;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            });
            String listening;
            try {
                listening = line.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                listening = null;
            }
            Server server = null;
            if (listening != null) {
                // listening tcp HOST:PORT http HOST:PORT
                String[] words = listening.split(" ");
                server = new Server(process, false, words[2], words.length > 4 ? words[4] : null);
            }
            if (server == null) {
                new Server(process, false, null, null).close();
                throw new IllegalStateException(String.join(" ", args) + ": the server did not start within 60 s (see "
                        + SERVER_LOG + ")");
            }
            return server;
        }

        /**
         * A peer gateway serving Streamable HTTP on a free port of 127.0.0.1 that {@code command} is given,
         * once that port takes connections (within 60 s).
         */
        static Server peer(String name, IntFunction<List<String>> command) throws Exception {
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            Process process = new ProcessBuilder(command.apply(port)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(SERVER_LOG)).start();
            Server server = new Server(process, true, null, "127.0.0.1:" + port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (process.isAlive() && System.nanoTime() < deadline) {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return server;
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            server.close();
            throw new IllegalStateException(name + ": did not listen on port " + port + " within 60 s (see " + SERVER_LOG + ")");
        }

        @Override
        public void close() {
            List<ProcessHandle> children = process.descendants().toList();
            try {
                process.getOutputStream().close(); // a server of GatewayServeMain stops when its standard input ends
                if (peer) {
                    process.destroy();
                }
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                // Children that speak stdio stop when their standard input ends, which their parent held.
                for (ProcessHandle child : children) {
                    if (!child.onExit().completeOnTimeout(child, 5, TimeUnit.SECONDS).join().isAlive()) {
                        continue;
                    }
                    child.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
            }
        }
    }
}
