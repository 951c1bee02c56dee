package io.peregrine.ops.metrics;

/**
 * The {@code error_type} label values of JSON-RPC error codes, made once per code: the code as a
 * decimal string, as the MCP semantic conventions say for {@code error.type}. Tools may answer
 * with codes of their own, so the table is bounded: past {@link #MAX_CODES} distinct codes, new
 * ones become {@code _OTHER}.
 *
 * <p>Lookups scan a small array that is replaced, never changed, when a code is added, so the
 * common case (a code seen before) reads one volatile field and allocates nothing.
 */
final class ErrorTypes {

    /** Distinct codes labelled by value; the rest are {@link MetricsObserver#OTHER}. */
    static final int MAX_CODES = 32;

    private volatile int[] codes = new int[0];
    private volatile String[] labels = new String[0];

    /** The label of {@code code} (non-zero). */
    String label(int code) {
        int[] c = codes;
        String[] l = labels;
        for (int i = 0; i < c.length && i < l.length; i++) {
            if (c[i] == code) {
                return l[i];
            }
        }
        return add(code);
    }

    private synchronized String add(int code) {
        int[] c = codes;
        for (int i = 0; i < c.length; i++) {
            if (c[i] == code) {
                return labels[i];
            }
        }
        if (c.length >= MAX_CODES) {
            return MetricsObserver.OTHER;
        }
        int[] nc = java.util.Arrays.copyOf(c, c.length + 1);
        String[] nl = java.util.Arrays.copyOf(labels, c.length + 1);
        nc[c.length] = code;
        nl[c.length] = Integer.toString(code);
        // Labels first: a reader that sees the new codes array must find its label.
        labels = nl;
        codes = nc;
        return nl[c.length];
    }
}
