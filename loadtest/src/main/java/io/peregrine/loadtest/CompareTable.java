package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints JSON summaries of runs with the same settings as one markdown table, the first as the
 * reference: {@code CompareTable raw.json peregrine.json}. Used by {@code loadtest/run compare}.
 */
public final class CompareTable {

    private CompareTable() {
    }

    /** Prints the table for the JSON summaries named in {@code args}, the reference first. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: CompareTable REFERENCE.json OTHER.json...");
            System.exit(64);
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String file : args) {
            runs.add(read(Path.of(file)));
        }
        System.out.print(table(runs));
    }

    /** The table, its caption from the first run's settings, and each run's throughput over the first's. */
    static String table(List<Map<String, Object>> runs) {
        Map<String, Object> first = runs.get(0);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s, era %s, %s connections%s, %s B payload, %s s warm-up, %.1f s measured,"
                        + " JDK %s, %s cores%n%n",
                first.get("transport").equals("ws") ? "WebSocket" : "TCP", first.get("era"), first.get("connections"),
                first.get("loop").equals("open") ? String.format(Locale.ROOT, ", open loop at %,.0f req/s", number(first, "rate"))
                        : " × depth " + first.get("depth"),
                first.get("payloadBytes"), plain(first.get("warmupSeconds")), number(first, "seconds"), first.get("jvm"),
                first.get("cores")));
        b.append("| server | requests/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | errors | throughput / reference |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double reference = number(first, "throughputPerSecond");
        for (Map<String, Object> run : runs) {
            double throughput = number(run, "throughputPerSecond");
            b.append(String.format(Locale.ROOT, "| %s | %,.0f | %,d | %,d | %,d | %,d | %,d | %,d | %s |%n",
                    label(run.get("target")), throughput, whole(run, "p50Micros"), whole(run, "p90Micros"),
                    whole(run, "p99Micros"), whole(run, "p999Micros"), whole(run, "maxMicros"), whole(run, "errors"),
                    run == first ? "" : String.format(Locale.ROOT, "**%.2f**", reference > 0 ? throughput / reference : 0)));
        }
        return b.toString();
    }

    private static String label(Object target) {
        if ("raw".equals(target)) {
            return "raw Netty reference";
        }
        return "peregrine".equals(target) ? "Peregrine" : String.valueOf(target);
    }

    private static double number(Map<String, Object> run, String key) {
        Object v = run.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(key + " : " + v + " (expected: a number)");
        }
        return ((Number) v).doubleValue();
    }

    private static long whole(Map<String, Object> run, String key) {
        return Math.round(number(run, key));
    }

    private static String plain(Object v) {
        return v instanceof Number && ((Number) v).doubleValue() == Math.rint(((Number) v).doubleValue())
                ? String.valueOf(((Number) v).longValue()) : String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path file) throws IOException {
        Object tree = JsonTree.parse(Files.readString(file));
        if (!(tree instanceof Map)) {
            throw new IOException(file + ": not a JSON object");
        }
        return (Map<String, Object>) tree;
    }
}
