package io.peregrine.resource.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.resource.ResourceContents;
import io.peregrine.tool.internal.ToolJson;

import java.io.IOException;

/** The wire form of resource contents, as {@code resources/read} returns them. Not API. */
public final class ResourceJson {

    private ResourceJson() {
    }

    /** Writes {@code contents} as one JSON object. */
    public static void writeContents(ResourceContents contents, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("uri", contents.uri());
        ToolJson.writeOptional(g, "mimeType", contents.mimeType());
        if (contents.text() != null) {
            g.writeStringField("text", contents.text());
        } else {
            g.writeStringField("blob", contents.blob());
        }
        ToolJson.writeMeta(g, contents.meta());
        g.writeEndObject();
    }
}
