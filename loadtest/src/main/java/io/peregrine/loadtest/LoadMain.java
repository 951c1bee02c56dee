package io.peregrine.loadtest;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code loadtest/run [--target peregrine|raw|HOST:PORT] [--transport tcp|ws] [--connections 16] [--depth 16]
 * [--payload 100] [--era 2025-11-25|2026-07-28] [--warmup 5s] [--duration 10s] [--json FILE]}.
 *
 * <p>{@code peregrine} and {@code raw} start that server in this process on 127.0.0.1 with one I/O
 * thread; the generator has an event loop of its own. Only loopback targets are accepted.
 */
public final class LoadMain {

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>(Map.of("target", "peregrine", "transport", "tcp", "connections", "16",
                "depth", "16", "payload", "100", "era", "2025-11-25", "warmup", "5s", "duration", "10s"));
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        Map<String, Object> summary = run(opts);
        String json = io.peregrine.rpc.JsonTree.toJson(summary);
        System.out.println(json);
        if (opts.containsKey("json")) {
            Files.writeString(Path.of(opts.get("json")), json + "\n");
        }
    }

    /** Runs one measurement and returns its summary. */
    public static Map<String, Object> run(Map<String, String> opts) throws InterruptedException, IOException {
        String target = opts.get("target");
        int payload = Integer.parseInt(opts.get("payload"));
        String transport = opts.getOrDefault("transport", "tcp");
        if (!transport.equals("tcp") && !transport.equals("ws")) {
            throw new IllegalArgumentException("transport : " + transport + " (expected: tcp or ws)");
        }
        boolean ws = transport.equals("ws");
        AutoCloseable server = null;
        InetSocketAddress address;
        if (target.equals("peregrine")) {
            Peregrine.Builder b = Peregrine.builder().tool(EchoTool.create()).ioThreads(1)
                    .maxLineLength(16 * 1024 * 1024).maxStringLength(16 * 1024 * 1024);
            Peregrine p = (ws ? b.noTcp().http("127.0.0.1", 0) : b.tcp("127.0.0.1", 0)).build();
            Peregrine.BoundAddresses bound = p.start();
            address = ws ? bound.http() : bound.tcp();
            server = p;
        } else if (target.equals("raw")) {
            RawEchoServer r = RawEchoServer.start(payload, 1, ws);
            address = r.address();
            server = r;
        } else {
            int colon = target.lastIndexOf(':');
            address = new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        }
        try {
            TcpLoadGenerator gen = new TcpLoadGenerator(address, Integer.parseInt(opts.get("connections")),
                    Integer.parseInt(opts.get("depth")), payload, opts.get("era"), opts.getOrDefault("tool", "echo"), ws);
            TcpLoadGenerator.Result r = gen.run(duration(opts.get("warmup")), duration(opts.get("duration")));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("target", target);
            s.put("transport", transport);
            s.put("era", opts.get("era"));
            s.put("connections", Integer.parseInt(opts.get("connections")));
            s.put("depth", Integer.parseInt(opts.get("depth")));
            s.put("payloadBytes", payload);
            s.put("seconds", round(r.seconds));
            s.put("requests", r.requests);
            s.put("errors", r.errors);
            s.put("throughputPerSecond", round(r.throughput()));
            s.put("p50Micros", r.percentileMicros(50));
            s.put("p90Micros", r.percentileMicros(90));
            s.put("p99Micros", r.percentileMicros(99));
            s.put("p999Micros", r.percentileMicros(99.9));
            s.put("maxMicros", r.latencyMicros.getMaxValue());
            s.put("jvm", System.getProperty("java.version"));
            s.put("cores", Runtime.getRuntime().availableProcessors());
            return s;
        } finally {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }

    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofMillis(Long.parseLong(t));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
