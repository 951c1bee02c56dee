package io.peregrine.rpc;

import java.io.IOException;

/** A JSON value already encoded as text, written as it is. The text is checked once, on creation. */
public final class RawJson {

    private final String json;

    private RawJson(String json) {
        this.json = json;
    }

    /**
     * Wraps JSON text after checking that it is exactly one well-formed JSON value. The text is
     * re-encoded compactly (numbers and key order kept as written), so that it can never carry a
     * line break into a newline-framed message.
     */
    public static RawJson of(String json) {
        java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonParser p = Json.DEFAULT.parser(json);
             com.fasterxml.jackson.core.JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            if (p.nextToken() == null) {
                throw new IOException("no JSON value");
            }
            g.copyCurrentStructure(p);
            if (p.nextToken() != null) {
                throw new IOException("unexpected data after the JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a single JSON value: " + e.getMessage(), e);
        }
        return new RawJson(out.toString());
    }

    /**
     * Wraps text a parser has read already as exactly one well-formed JSON value, such as a
     * request's {@code arguments}: it is re-encoded only when its whitespace holds a line break.
     * Text that is not one well-formed value is the caller's mistake, and is not caught here.
     */
    public static RawJson ofParsed(String json) {
        return json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? new RawJson(json) : of(json);
    }

    public String json() {
        return json;
    }

    @Override
    public String toString() {
        return json;
    }
}
