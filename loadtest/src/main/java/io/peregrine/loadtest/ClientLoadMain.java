package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Load through Peregrine's own Java client ({@code loadtest/run client ...}): a closed loop of
 * {@code --concurrency} calls of {@code echo} in flight on one client ({@link ClosedLoop}), for
 * {@code --warmup} then {@code --duration}; always bounded in time. Reports calls/s, latency
 * percentiles (from sending a call to its completed future) and the bytes the client's I/O thread
 * allocated per call; the target's work is not in that figure (an in-process Peregrine runs on
 * threads of its own). With {@code --rounds N}, compares the client with the official MCP Java
 * SDK's instead ({@link ClientComparison}).
 *
 * <pre>{@code
 *   loadtest/run client --transport ws --era 2026-07-28 --concurrency 16 --duration 10s
 *   loadtest/run client --target 127.0.0.1:7400 --transport tcp
 *   loadtest/run client --rounds 3 --warmup 3s --duration 5s
 * }</pre>
 */
public final class ClientLoadMain {

    static final String USAGE = "usage: loadtest/run client [--target peregrine|HOST:PORT] [--transport tcp|ws|http]"
            + " [--era 2025-11-25|2026-07-28] [--concurrency 16] [--payload 100] [--warmup 5s] [--duration 10s]"
            + " [--json FILE]\n"
            + "       loadtest/run client --rounds N [--target peregrine|HOST:PORT] [--concurrency 16] [--payload 100]"
            + " [--warmup 5s] [--duration 5s] [--json FILE] [--markdown FILE]";

    private ClientLoadMain() {
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
        if (o.containsKey("rounds")) {
            System.exit(ClientComparison.run(o));
        }
        Transport transport = Transport.of(o.getOrDefault("transport", "tcp"));
        Era era = Era.of(o.getOrDefault("era", "2025-11-25"));
        int concurrency = concurrency(o);
        int payload = Integer.parseInt(o.getOrDefault("payload", "100"));
        Duration warmup = LoadOptions.parseDuration("--warmup", o.getOrDefault("warmup", "5s"));
        Duration duration = LoadOptions.parseDuration("--duration", o.getOrDefault("duration", "10s"));
        try (Target target = Target.start(o.getOrDefault("target", "peregrine"), transport, era, payload)) {
            try (PeregrineEchoCaller caller = PeregrineEchoCaller.connect(url(target, transport), era, payload, concurrency)) {
                Map<String, Object> summary = new ClosedLoop(caller, payload, concurrency)
                        .run(concurrency, warmup, duration, name -> name.startsWith("peregrine-client"));
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
                    write(Path.of(o.get("json")), JsonTree.toJson(summary) + "\n");
                }
                System.exit(((Number) summary.get("errors")).longValue() > 0 ? 1 : 0);
            }
        }
    }

    static int concurrency(Map<String, String> o) {
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "16"));
        if (concurrency <= 0 || concurrency > 4096) {
            throw new IllegalArgumentException("concurrency : " + concurrency + " (expected: 1-4096)");
        }
        return concurrency;
    }

    static String url(Target target, Transport transport) {
        String host = target.address().getAddress().getHostAddress();
        int port = target.address().getPort();
        switch (transport) {
            case TCP:
                return "tcp://" + host + ":" + port;
            case WEBSOCKET:
                return "ws://" + host + ":" + port + Transport.PATH;
            default:
                return "http://" + host + ":" + port + Transport.PATH;
        }
    }

    static void write(Path file, String text) throws java.io.IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, text);
    }
}
