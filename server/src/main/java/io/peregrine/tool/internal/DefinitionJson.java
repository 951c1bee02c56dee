package io.peregrine.tool.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.rpc.Json;

import java.io.IOException;
import java.io.StringWriter;

/**
 * Encodes a definition (a tool, resource, resource template or prompt) once, when it is built, as
 * the JSON object {@code tools/list}, {@code resources/list} and {@code prompts/list} return. Not API.
 */
public final class DefinitionJson {

    /** Writes the members of the definition into the object the generator is in. */
    @FunctionalInterface
    public interface Members {
        void write(JsonGenerator g) throws IOException;
    }

    private DefinitionJson() {
    }

    /** The object {@code members} write, as compact JSON text. */
    public static String encode(Members members) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            g.writeStartObject();
            members.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a definition could not be encoded: " + e.getMessage(), e);
        }
        return out.toString();
    }
}
