package io.peregrine.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values keyed by tool-name pattern: an exact name, a prefix ending in {@code *}
 * ({@code fs.*}), or {@code *} for every tool. The most specific pattern wins: an exact name,
 * then the longest prefix.
 */
final class ToolPatterns<V> {

    private final Map<String, V> exact = new LinkedHashMap<>();
    private final List<Map.Entry<String, V>> prefixes = new ArrayList<>();

    void put(String pattern, V value) {
        if (pattern.endsWith("*")) {
            prefixes.add(Map.entry(pattern.substring(0, pattern.length() - 1), value));
            prefixes.sort(Comparator.comparingInt((Map.Entry<String, V> e) -> e.getKey().length()).reversed());
        } else {
            exact.put(pattern, value);
        }
    }

    /** Copies every entry into {@code target}. */
    void exactAndPrefixes(ToolPatterns<V> target) {
        exact.forEach(target::put);
        for (Map.Entry<String, V> e : prefixes) {
            target.put(e.getKey() + "*", e.getValue());
        }
    }

    List<V> values() {
        List<V> out = new ArrayList<>(exact.values());
        for (Map.Entry<String, V> e : prefixes) {
            out.add(e.getValue());
        }
        return out;
    }

    boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty();
    }

    /** The value for {@code name}, with the pattern that matched, or null. */
    Map.Entry<String, V> find(String name) {
        V v = exact.get(name);
        if (v != null) {
            return Map.entry(name, v);
        }
        for (Map.Entry<String, V> e : prefixes) {
            if (name.startsWith(e.getKey())) {
                return Map.entry(e.getKey() + "*", e.getValue());
            }
        }
        return null;
    }

    /**
     * Parses {@code pattern=value, pattern=value}; an entry without {@code =} applies to every
     * tool ({@code *}).
     */
    static <V> ToolPatterns<V> parse(String text, java.util.function.Function<String, V> value) {
        ToolPatterns<V> out = new ToolPatterns<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String pattern = eq < 0 ? "*" : entry.substring(0, eq).trim();
            out.put(pattern.isEmpty() ? "*" : pattern, value.apply(eq < 0 ? entry : entry.substring(eq + 1).trim()));
        }
        return out;
    }
}
