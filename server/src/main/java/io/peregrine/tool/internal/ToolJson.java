package io.peregrine.tool.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Content;
import io.peregrine.tool.Icon;
import io.peregrine.tool.ToolResult;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The wire form of tool results, their content items, and the icons and annotations that
 * definitions share, written with a streaming generator straight into the response. Not API:
 * the public types carry plain values, and only the core writes them as JSON.
 */
public final class ToolJson {

    private static final SerializableString CONTENT = new SerializedString("content");
    private static final SerializableString TYPE = new SerializedString("type");
    private static final SerializableString TEXT = new SerializedString("text");

    private ToolJson() {
    }

    /**
     * Writes the result's members ({@code content}, {@code structuredContent}, {@code isError})
     * into the object the generator is in; {@code _meta} is left to the caller, which may merge it
     * with protocol metadata.
     */
    public static void writeResultFields(ToolResult result, JsonGenerator g) throws IOException {
        g.writeFieldName(CONTENT);
        if (result.relayedContent() != null) {
            result.relayedContent().writeTo(g);
        } else {
            g.writeStartArray();
            List<Content> content = result.content();
            for (int i = 0; i < content.size(); i++) {
                writeContent(content.get(i), g);
            }
            g.writeEndArray();
        }
        if (result.hasStructuredContent()) {
            g.writeFieldName("structuredContent");
            JsonTree.write(g, result.structuredContent());
        }
        if (result.isError()) {
            g.writeBooleanField("isError", true);
        }
    }

    /** Writes one content item as a JSON object. */
    public static void writeContent(Content c, JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (c instanceof Content.Text text) {
            g.writeFieldName(TYPE);
            g.writeString(TEXT);
            g.writeFieldName(TEXT);
            g.writeString(text.text());
        } else if (c instanceof Content.Binary binary) {
            g.writeStringField("type", binary.type());
            g.writeStringField("data", binary.data());
            g.writeStringField("mimeType", binary.mimeType());
        } else if (c instanceof Content.ResourceLink link) {
            g.writeStringField("type", "resource_link");
            g.writeStringField("uri", link.uri());
            g.writeStringField("name", link.name());
            writeOptional(g, "mimeType", link.mimeType());
            writeOptional(g, "description", link.description());
        } else {
            Content.Embedded embedded = (Content.Embedded) c;
            g.writeStringField("type", "resource");
            g.writeObjectFieldStart("resource");
            g.writeStringField("uri", embedded.uri());
            writeOptional(g, "mimeType", embedded.mimeType());
            if (embedded.text() != null) {
                g.writeStringField("text", embedded.text());
            } else {
                g.writeStringField("blob", embedded.blob());
            }
            g.writeEndObject();
        }
        if (c.annotations() != null) {
            g.writeFieldName("annotations");
            writeAnnotations(c.annotations(), g);
        }
        writeMeta(g, c.meta());
        g.writeEndObject();
    }

    /** Writes content annotations as one JSON object. */
    public static void writeAnnotations(Content.Annotations a, JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (!a.audience().isEmpty()) {
            g.writeArrayFieldStart("audience");
            for (String role : a.audience()) {
                g.writeString(role);
            }
            g.writeEndArray();
        }
        if (a.priority() != null) {
            g.writeNumberField("priority", a.priority());
        }
        writeOptional(g, "lastModified", a.lastModified());
        g.writeEndObject();
    }

    /** Writes the {@code icons} field of a definition, unless {@code icons} is empty. */
    public static void writeIcons(JsonGenerator g, List<Icon> icons) throws IOException {
        if (icons.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart("icons");
        for (Icon icon : icons) {
            g.writeStartObject();
            g.writeStringField("src", icon.src());
            writeOptional(g, "mimeType", icon.mimeType());
            if (!icon.sizes().isEmpty()) {
                g.writeArrayFieldStart("sizes");
                for (String s : icon.sizes()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            writeOptional(g, "theme", icon.theme());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Writes {@code _meta} unless {@code meta} is null. */
    public static void writeMeta(JsonGenerator g, Map<String, Object> meta) throws IOException {
        if (meta != null) {
            g.writeFieldName("_meta");
            JsonTree.write(g, meta);
        }
    }

    /** Writes the string field {@code name} unless {@code value} is null. */
    public static void writeOptional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
