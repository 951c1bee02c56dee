package io.peregrine.loadtest;

import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The command line of {@link LoadMain}, checked before anything starts. */
final class LoadOptions {

    static final String USAGE = String.join("\n",
            "usage: loadtest/run [options]",
            "  --target peregrine|raw|sdk|HOST:PORT",
            "                                    server to load; peregrine and raw start in-process, sdk (the official",
            "                                    MCP Java SDK on Tomcat, http and 2025-11-25 only) in a JVM of its own",
            "                                    (default peregrine)",
            "  --transport tcp|ws|http           framing: lines on TCP, WebSocket text frames at /mcp, or one",
            "                                    Streamable HTTP POST to /mcp per message (default tcp)",
            "  --connections N                   sockets (default 16)",
            "  --depth D                         closed loop: requests outstanding per connection (default 16)",
            "  --rate R                          open loop: R requests/s in total instead of a depth",
            "  --warmup 5s                       load before measuring (ms, s or m; default 5s)",
            "  --duration 10s                    longest measured window (default 10s)",
            "  --max-requests N                  the window also ends after N responses",
            "  --payload 100                     message length in bytes (default 100)",
            "  --era 2025-11-25|2026-07-28       session handshake, or stateless _meta (default 2025-11-25)",
            "  --tool echo                       tool to call (default echo)",
            "  --json FILE                       also write the summary as JSON");

    private static final Set<String> NAMES = Set.of("target", "transport", "connections", "depth", "rate", "warmup",
            "duration", "max-requests", "payload", "era", "tool", "json");

    final String target;
    final Transport transport;
    final Era era;
    final int payloadBytes;
    final Path json;
    private final Map<String, String> values;

    private LoadOptions(Map<String, String> values) {
        this.values = values;
        this.target = values.getOrDefault("target", "peregrine");
        this.transport = Transport.of(values.getOrDefault("transport", "tcp"));
        this.era = Era.of(values.getOrDefault("era", Era.V2025_11_25.version()));
        this.payloadBytes = integer("payload", 100);
        this.json = values.containsKey("json") ? Path.of(values.get("json")) : null;
        if (values.containsKey("rate") && values.containsKey("depth")) {
            throw new IllegalArgumentException("--depth and --rate : both given (expected: --depth for a closed loop"
                    + " or --rate for an open loop)");
        }
        // Everything is checked now, not after a server has started.
        if (!target.equals("peregrine") && !target.equals("raw") && !target.equals("sdk")) {
            Target.loopback(target);
        }
        settings(new InetSocketAddress("127.0.0.1", 1));
    }

    /** Reads {@code --name value} pairs. */
    static LoadOptions parse(String... args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !NAMES.contains(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option: " + arg);
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(arg + " : no value");
            }
            values.put(arg.substring(2), args[++i]);
        }
        return new LoadOptions(values);
    }

    /** A command run with its {@code --name value} options; returns its exit status. */
    interface Command {
        int run(Map<String, String> options) throws Exception;
    }

    /**
     * The {@code main} of a command of {@code loadtest/run}: runs {@code command} with the options
     * of {@code args} (each one of {@code names}) and exits with its status; prints the usage for
     * {@code --help}, and with the reason on a bad command line, exiting 64.
     */
    static void main(String name, String usage, List<String> names, String[] args, Command command) throws Exception {
        main(name, usage, names, List.of(), args, command);
    }

    /** As {@link #main(String, String, List, String[], Command)}, with options that take no value ({@code flags}). */
    static void main(String name, String usage, List<String> names, List<String> flags, String[] args,
                     Command command) throws Exception {
        try {
            Map<String, String> o = named(args, names, flags);
            if (o == null) {
                System.out.println(usage);
                return;
            }
            System.exit(command.run(o));
        } catch (IllegalArgumentException e) {
            System.err.println("loadtest/run " + name + ": " + e.getMessage());
            System.err.println(usage);
            System.exit(64);
        }
    }

    /**
     * {@code --name value} pairs of a comparison's command line, each name one of {@code names},
     * in the order given; null when {@code --help} or {@code -h} asks for the usage instead.
     */
    static Map<String, String> named(String[] args, List<String> names) {
        return named(args, names, List.of());
    }

    /**
     * As {@link #named(String[], List)}, with options that take no value ({@code flags}): a flag
     * given maps to {@code "true"}.
     */
    static Map<String, String> named(String[] args, List<String> names, List<String> flags) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                return null;
            }
            if (args[i].startsWith("--") && flags.contains(args[i].substring(2))) {
                o.put(args[i].substring(2), "true");
                continue;
            }
            if (!args[i].startsWith("--") || !names.contains(args[i].substring(2)) || i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or no value: " + args[i]);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    /** The run these options describe, aimed at {@code server}. */
    LoadSettings settings(InetSocketAddress server) {
        LoadSettings.Builder b = LoadSettings.builder(server)
                .transport(transport)
                .era(era)
                .connections(integer("connections", 16))
                .payloadBytes(payloadBytes)
                .tool(values.getOrDefault("tool", "echo"))
                .warmup(duration("warmup", Duration.ofSeconds(5)))
                .duration(duration("duration", Duration.ofSeconds(10)))
                .maxRequests(values.containsKey("max-requests") ? number("max-requests") : Long.MAX_VALUE);
        if (values.containsKey("rate")) {
            b.rate(number("rate"));
        } else {
            b.depth(integer("depth", 16));
        }
        return b.build();
    }

    private int integer(String name, int defaultValue) {
        if (!values.containsKey(name)) {
            return defaultValue;
        }
        long v = number(name);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--" + name + " : " + v + " (expected: at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    private long number(String name) {
        try {
            return Long.parseLong(values.get(name).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " : " + values.get(name) + " (expected: a whole number)");
        }
    }

    private Duration duration(String name, Duration defaultValue) {
        return values.containsKey(name) ? parseDuration("--" + name, values.get(name)) : defaultValue;
    }

    /** {@code 250ms}, {@code 5s}, {@code 1.5s}, {@code 2m}; a bare number is seconds. */
    static Duration parseDuration(String what, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long nanosPerUnit = 1_000_000_000L;
        if (t.endsWith("ms")) {
            nanosPerUnit = 1_000_000L;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            nanosPerUnit = 60_000_000_000L;
            t = t.substring(0, t.length() - 1);
        }
        try {
            BigDecimal amount = new BigDecimal(t);
            if (amount.signum() < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(what + " : " + text + " (expected: a duration such as 500ms, 5s or 2m)");
        }
    }
}
