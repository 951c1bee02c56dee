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
        return new RequestId(true, Long.toString(value));
    }

    /** An integer id from its decimal text, as read from the wire. */
    static RequestId ofNumberText(String digits) {
        return new RequestId(true, digits);
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
