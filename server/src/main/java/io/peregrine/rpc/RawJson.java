package io.peregrine.rpc;

import java.io.IOException;

/** A JSON value already encoded as text, written as it is. The text is checked once, on creation. */
public final class RawJson {

    private final String json;

    private RawJson(String json) {
        this.json = json;
    }

    /** Wraps JSON text after checking that it is exactly one well-formed JSON value. */
    public static RawJson of(String json) {
        try {
            JsonTree.parse(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a single JSON value: " + e.getMessage(), e);
        }
        return new RawJson(json);
    }

    public String json() {
        return json;
    }

    @Override
    public String toString() {
        return json;
    }
}
