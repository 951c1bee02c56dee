package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Objects;

/**
 * A JSON-RPC request id, kept exactly as it was written so that it round-trips byte for byte:
 * a string, or an integer of any size (held as its decimal text, so ids beyond 2^53 or 2^63
 * are never rounded).
 */
public final class RequestId {

    /** Most clients count their ids up from 0 or 1; the first ones are shared instead of allocated. */
    private static final RequestId[] SMALL = new RequestId[1024];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = new RequestId(i);
        }
    }

    private final boolean number;
    /**
     * The id as written: a string id, or an integer whose digits are not those of a {@code long}
     * (too large, or {@code -0}); null for an integer held as {@link #value}.
     */
    private final String text;
    /** An integer id whose decimal text is {@code Long.toString(value)}. */
    private final long value;

    private RequestId(boolean number, String text) {
        this.number = number;
        this.text = text;
        this.value = 0;
    }

    /** An integer id held as its value: no text until one is asked for. */
    private RequestId(long value) {
        this.number = true;
        this.text = null;
        this.value = value;
    }

    /** A string id. */
    public static RequestId of(String value) {
        return new RequestId(false, Objects.requireNonNull(value, "value"));
    }

    /** An integer id. */
    public static RequestId of(long value) {
        return value >= 0 && value < SMALL.length ? SMALL[(int) value] : new RequestId(value);
    }

    /** An integer id from the parser's current token, without allocating for small values. */
    static RequestId ofNumber(com.fasterxml.jackson.core.JsonParser p) throws IOException {
        com.fasterxml.jackson.core.JsonParser.NumberType type = p.getNumberType();
        if (type == com.fasterxml.jackson.core.JsonParser.NumberType.INT
                || type == com.fasterxml.jackson.core.JsonParser.NumberType.LONG) {
            long v = p.getLongValue();
            // The digits as written are those of the value (not "-0"): the value alone round-trips them.
            if (p.getTextLength() == digits(v)) {
                return of(v);
            }
        }
        return new RequestId(true, p.getText());
    }

    /** The length of {@code Long.toString(v)}. */
    static int digits(long v) {
        if (v == Long.MIN_VALUE) {
            return 20;
        }
        int n = v < 0 ? 2 : 1;
        for (long a = Math.abs(v); a >= 10; a /= 10) {
            n++;
        }
        return n;
    }

    public boolean isNumber() {
        return number;
    }

    /** The string value, or the integer's decimal text. */
    public String text() {
        return text != null ? text : Long.toString(value);
    }

    /** The integer value of a numeric id that fits a {@code long}; {@code otherwise} for any other id. */
    public long longValue(long otherwise) {
        if (!number) {
            return otherwise;
        }
        if (text == null) {
            return value;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Writes this id as a JSON value: a string, or the integer's digits unchanged. */
    public void writeTo(JsonGenerator g) throws IOException {
        if (text == null) {
            g.writeNumber(value);
        } else if (number) {
            g.writeNumber(text);
        } else {
            g.writeString(text);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RequestId)) {
            return false;
        }
        RequestId other = (RequestId) o;
        // An integer whose text is a long's is always held as its value, so the two forms never meet.
        return number == other.number && (text == null ? other.text == null && value == other.value
                : text.equals(other.text));
    }

    @Override
    public int hashCode() {
        return text == null ? Long.hashCode(value) * 31 + 1 : text.hashCode() * 31 + (number ? 1 : 0);
    }

    /** The id as it appears in JSON: {@code 42} or {@code "abc"}. */
    @Override
    public String toString() {
        return number ? text() : '"' + text + '"';
    }
}
