package io.peregrine.resource;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Content;
import io.peregrine.tool.Icon;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Encodes the definition fields resources and templates share, once, when they are built. */
final class Definitions {

    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private Definitions() {
    }

    static String encode(Fields own, String name, String title, String description, String mimeType,
                         Content.Annotations annotations, List<Icon> icons, Map<String, Object> meta) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            g.writeStartObject();
            own.write(g);
            g.writeStringField("name", name);
            if (title != null) {
                g.writeStringField("title", title);
            }
            if (description != null) {
                g.writeStringField("description", description);
            }
            if (mimeType != null) {
                g.writeStringField("mimeType", mimeType);
            }
            if (annotations != null) {
                g.writeFieldName("annotations");
                annotations.writeTo(g);
            }
            Icon.writeField(g, icons);
            if (meta != null) {
                g.writeFieldName("_meta");
                JsonTree.write(g, meta);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    static String requireUri(String uri) {
        java.util.Objects.requireNonNull(uri, "uri");
        int colon = uri.indexOf(':');
        if (colon <= 0 || !uri.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.\\-]*")) {
            throw new IllegalArgumentException("uri : \"" + uri + "\" (expected: an absolute URI with a scheme, e.g. file:///a.txt)");
        }
        return uri;
    }
}
