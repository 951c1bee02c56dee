package io.peregrine.completion;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one {@code completion/complete}: up to 100 suggested values, and optionally how
 * many there are in all and whether more exist than were sent.
 */
public final class Completion {

    /** The most values one completion may carry, as MCP specifies. */
    public static final int MAX_VALUES = 100;

    private static final Completion EMPTY = new Completion(List.of(), null, false);

    private final List<String> values;
    private final Integer total;
    private final boolean hasMore;

    private Completion(List<String> values, Integer total, boolean hasMore) {
        this.values = values;
        this.total = total;
        this.hasMore = hasMore;
    }

    /** No suggestions. */
    public static Completion empty() {
        return EMPTY;
    }

    /**
     * The suggestions {@code values}; beyond the first 100 they are cut, and the result says
     * how many there were and that more exist.
     */
    public static Completion of(List<String> values) {
        Objects.requireNonNull(values, "values");
        if (values.size() <= MAX_VALUES) {
            return new Completion(List.copyOf(values), null, false);
        }
        return new Completion(List.copyOf(values.subList(0, MAX_VALUES)), values.size(), true);
    }

    /** Suggestions out of {@code total} (null when unknown); {@code hasMore} when more exist than sent. */
    public static Completion of(List<String> values, Integer total, boolean hasMore) {
        Objects.requireNonNull(values, "values");
        if (values.size() > MAX_VALUES) {
            throw new IllegalArgumentException("values : " + values.size() + " (expected: <= " + MAX_VALUES + ")");
        }
        if (total != null && total < values.size()) {
            throw new IllegalArgumentException("total : " + total + " (expected: >= " + values.size() + ", the values sent)");
        }
        return new Completion(List.copyOf(values), total, hasMore);
    }

    /**
     * The {@code candidates} that start with {@code prefix} (ignoring case), in their order:
     * the usual way to complete from a known list.
     */
    public static Completion startingWith(String prefix, Iterable<String> candidates) {
        String p = prefix == null ? "" : prefix.toLowerCase(java.util.Locale.ROOT);
        List<String> hits = new java.util.ArrayList<>();
        for (String c : candidates) {
            if (c.toLowerCase(java.util.Locale.ROOT).startsWith(p)) {
                hits.add(c);
            }
        }
        return of(hits);
    }

    public List<String> values() {
        return values;
    }

    /** The number of suggestions in all, or null when not known. */
    public Integer total() {
        return total;
    }

    public boolean hasMore() {
        return hasMore;
    }
}
