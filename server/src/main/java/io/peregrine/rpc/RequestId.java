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
            SMALL[i] = new RequestId(true, Integer.toString(i));
        }
    }

    private final boolean number;
    private final String text;

    private RequestId(boolean number, String text) {
        this.number = number;
        this.text = text;
    }

    /** A string id. */
    public static RequestId of(String value) {
        return new RequestId(false, Objects.requireNonNull(value, "value"));
    }

    /** An integer id. */
    public static RequestId of(long value) {
        return value >= 0 && value < SMALL.length ? SMALL[(int) value] : new RequestId(true, Long.toString(value));
    }

    /** An integer id from the parser's current token, without allocating for small values. */
    static RequestId ofNumber(com.fasterxml.jackson.core.JsonParser p) throws IOException {
        if (p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.INT) {
            int v = p.getIntValue();
            if (v >= 0 && v < SMALL.length && p.getTextLength() == SMALL[v].text.length()) {
                return SMALL[v];
            }
        }
        return new RequestId(true, p.getText());
    }

    public boolean isNumber() {
        return number;
    }

    /** The string value, or the integer's decimal text. */
    public String text() {
        return text;
    }

    /** Writes this id as a JSON value: a string, or the integer's digits unchanged. */
    public void writeTo(JsonGenerator g) throws IOException {
        if (number) {
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
        return number == other.number && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + (number ? 1 : 0);
    }

    /** The id as it appears in JSON: {@code 42} or {@code "abc"}. */
    @Override
    public String toString() {
        return number ? text : '"' + text + '"';
    }
}
