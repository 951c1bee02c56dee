package io.peregrine.tool.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Content;
import io.peregrine.tool.ToolResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A {@link ToolResult} as the JSON object a {@code CallToolResult} is on the wire ({@code content},
 * {@code structuredContent}, {@code isError}, {@code _meta}), compact UTF-8, and back: what a
 * shared cache stores, so that another replica answers with the same result.
 */
public final class ToolResultCodec {

    private ToolResultCodec() {
    }

    /** The result as compact JSON bytes. */
    public static byte[] encode(ToolResult result) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            g.writeStartObject();
            ToolJson.writeResultFields(result, g);
            ToolJson.writeMeta(g, result.meta());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a tool result could not be written as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** The result {@link #encode} wrote; IOException when the bytes are not one. */
    @SuppressWarnings("unchecked")
    public static ToolResult decode(byte[] json) throws IOException {
        Object tree = JsonTree.parse(new String(json, StandardCharsets.UTF_8));
        if (!(tree instanceof Map)) {
            throw new IOException("not a JSON object");
        }
        Map<String, Object> m = (Map<String, Object>) tree;
        ToolResult.Builder b = ToolResult.builder();
        Object content = m.get("content");
        if (!(content instanceof List)) {
            throw new IOException("no content array");
        }
        try {
            for (Object item : (List<Object>) content) {
                if (!(item instanceof Map)) {
                    throw new IOException("a content item is not an object");
                }
                b.add(content((Map<String, Object>) item));
            }
        } catch (IllegalArgumentException | NullPointerException | ClassCastException e) {
            throw new IOException("a content item cannot be read: " + e.getMessage(), e);
        }
        if (m.containsKey("structuredContent")) {
            b.structured(m.get("structuredContent"));
        }
        if (Boolean.TRUE.equals(m.get("isError"))) {
            b.error(true);
        }
        if (m.get("_meta") instanceof Map) {
            b.meta((Map<String, Object>) m.get("_meta"));
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Content content(Map<String, Object> item) throws IOException {
        String type = (String) item.get("type");
        Content c;
        if ("text".equals(type)) {
            c = Content.text((String) item.get("text"));
        } else if ("image".equals(type)) {
            c = Content.imageBase64((String) item.get("data"), (String) item.get("mimeType"));
        } else if ("audio".equals(type)) {
            c = Content.audio(Base64.getDecoder().decode((String) item.get("data")), (String) item.get("mimeType"));
        } else if ("resource_link".equals(type)) {
            c = Content.resourceLink((String) item.get("uri"), (String) item.get("name"), (String) item.get("mimeType"),
                    (String) item.get("description"));
        } else if ("resource".equals(type)) {
            Map<String, Object> r = (Map<String, Object>) item.get("resource");
            c = r.get("text") != null
                    ? Content.embeddedText((String) r.get("uri"), (String) r.get("mimeType"), (String) r.get("text"))
                    : Content.embeddedBlob((String) r.get("uri"), (String) r.get("mimeType"),
                            Base64.getDecoder().decode((String) r.get("blob")));
        } else {
            throw new IOException("unknown content type " + type);
        }
        if (item.get("annotations") instanceof Map) {
            Map<String, Object> a = (Map<String, Object>) item.get("annotations");
            Object priority = a.get("priority");
            c = c.annotated(Content.Annotations.of((List<String>) a.get("audience"),
                    priority == null ? null : ((Number) priority).doubleValue(), (String) a.get("lastModified")));
        }
        if (item.get("_meta") instanceof Map) {
            c = c.withMeta((Map<String, Object>) item.get("_meta"));
        }
        return c;
    }
}
