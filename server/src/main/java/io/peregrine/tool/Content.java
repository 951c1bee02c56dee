package io.peregrine.tool;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.rpc.JsonTree;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One item of a tool result's {@code content}: text, image, audio, a link to a resource, or an
 * embedded resource. Immutable; {@link #annotated} and {@link #withMeta} return copies.
 */
public abstract class Content {

    private static final SerializableString TYPE = new SerializedString("type");
    private static final SerializableString TEXT = new SerializedString("text");

    private final Annotations annotations;
    private final Map<String, Object> meta;

    Content(Annotations annotations, Map<String, Object> meta) {
        this.annotations = annotations;
        this.meta = meta;
    }

    /** {@code {"type":"text","text":…}} */
    public static Content text(String text) {
        return new Text(Objects.requireNonNull(text, "text"), null, null);
    }

    /** An image, base64-encoded from {@code data}. */
    public static Content image(byte[] data, String mimeType) {
        return new Binary("image", Base64.getEncoder().encodeToString(data), mimeType, null, null);
    }

    /** An image already base64-encoded. */
    public static Content imageBase64(String base64, String mimeType) {
        return new Binary("image", base64, mimeType, null, null);
    }

    /** Audio, base64-encoded from {@code data}. */
    public static Content audio(byte[] data, String mimeType) {
        return new Binary("audio", Base64.getEncoder().encodeToString(data), mimeType, null, null);
    }

    /** A link to a resource the client may read; {@code mimeType}, {@code description} may be null. */
    public static Content resourceLink(String uri, String name, String mimeType, String description) {
        return new ResourceLink(uri, name, mimeType, description, null, null);
    }

    /** An embedded text resource. */
    public static Content embeddedText(String uri, String mimeType, String text) {
        return new Embedded(uri, mimeType, Objects.requireNonNull(text, "text"), null, null, null);
    }

    /** An embedded binary resource, base64-encoded from {@code blob}. */
    public static Content embeddedBlob(String uri, String mimeType, byte[] blob) {
        return new Embedded(uri, mimeType, null, Base64.getEncoder().encodeToString(blob), null, null);
    }

    /** This content with annotations for the client. */
    public abstract Content annotated(Annotations annotations);

    /** This content with a {@code _meta} object (a tree of plain values). */
    public abstract Content withMeta(Map<String, Object> meta);

    /** Writes this item as a JSON object. */
    public final void writeTo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        writeFields(g);
        if (annotations != null) {
            g.writeFieldName("annotations");
            annotations.writeTo(g);
        }
        if (meta != null) {
            g.writeFieldName("_meta");
            JsonTree.write(g, meta);
        }
        g.writeEndObject();
    }

    abstract void writeFields(JsonGenerator g) throws IOException;

    Annotations annotations() {
        return annotations;
    }

    Map<String, Object> meta() {
        return meta;
    }

    /** Who the content is for, how much it matters (0 to 1), and when it last changed (ISO 8601). */
    public static final class Annotations {
        private final List<String> audience;
        private final Double priority;
        private final String lastModified;

        private Annotations(List<String> audience, Double priority, String lastModified) {
            if (priority != null && (priority < 0 || priority > 1)) {
                throw new IllegalArgumentException("priority : " + priority + " (expected: 0 to 1)");
            }
            for (String role : audience) {
                if (!role.equals("user") && !role.equals("assistant")) {
                    throw new IllegalArgumentException("audience : " + role + " (expected: user or assistant)");
                }
            }
            this.audience = audience;
            this.priority = priority;
            this.lastModified = lastModified;
        }

        /** @param audience "user" and/or "assistant"; priority and lastModified may be null */
        public static Annotations of(List<String> audience, Double priority, String lastModified) {
            return new Annotations(audience == null ? List.of() : List.copyOf(audience), priority, lastModified);
        }

        /** Writes these annotations as one JSON object. */
        public void writeTo(JsonGenerator g) throws IOException {
            g.writeStartObject();
            if (!audience.isEmpty()) {
                g.writeArrayFieldStart("audience");
                for (String role : audience) {
                    g.writeString(role);
                }
                g.writeEndArray();
            }
            if (priority != null) {
                g.writeNumberField("priority", priority);
            }
            if (lastModified != null) {
                g.writeStringField("lastModified", lastModified);
            }
            g.writeEndObject();
        }
    }

    static final class Text extends Content {
        private final String text;

        Text(String text, Annotations annotations, Map<String, Object> meta) {
            super(annotations, meta);
            this.text = text;
        }

        @Override
        void writeFields(JsonGenerator g) throws IOException {
            g.writeFieldName(TYPE);
            g.writeString(TEXT);
            g.writeFieldName(TEXT);
            g.writeString(text);
        }

        @Override
        public Content annotated(Annotations a) {
            return new Text(text, a, meta());
        }

        @Override
        public Content withMeta(Map<String, Object> m) {
            return new Text(text, annotations(), m);
        }

        String text() {
            return text;
        }
    }

    static final class Binary extends Content {
        private final String type;
        private final String data;
        private final String mimeType;

        Binary(String type, String data, String mimeType, Annotations annotations, Map<String, Object> meta) {
            super(annotations, meta);
            this.type = type;
            this.data = Objects.requireNonNull(data, "data");
            this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
        }

        @Override
        void writeFields(JsonGenerator g) throws IOException {
            g.writeStringField("type", type);
            g.writeStringField("data", data);
            g.writeStringField("mimeType", mimeType);
        }

        @Override
        public Content annotated(Annotations a) {
            return new Binary(type, data, mimeType, a, meta());
        }

        @Override
        public Content withMeta(Map<String, Object> m) {
            return new Binary(type, data, mimeType, annotations(), m);
        }
    }

    static final class ResourceLink extends Content {
        private final String uri;
        private final String name;
        private final String mimeType;
        private final String description;

        ResourceLink(String uri, String name, String mimeType, String description, Annotations a, Map<String, Object> m) {
            super(a, m);
            this.uri = Objects.requireNonNull(uri, "uri");
            this.name = Objects.requireNonNull(name, "name");
            this.mimeType = mimeType;
            this.description = description;
        }

        @Override
        void writeFields(JsonGenerator g) throws IOException {
            g.writeStringField("type", "resource_link");
            g.writeStringField("uri", uri);
            g.writeStringField("name", name);
            if (mimeType != null) {
                g.writeStringField("mimeType", mimeType);
            }
            if (description != null) {
                g.writeStringField("description", description);
            }
        }

        @Override
        public Content annotated(Annotations a) {
            return new ResourceLink(uri, name, mimeType, description, a, meta());
        }

        @Override
        public Content withMeta(Map<String, Object> m) {
            return new ResourceLink(uri, name, mimeType, description, annotations(), m);
        }
    }

    static final class Embedded extends Content {
        private final String uri;
        private final String mimeType;
        private final String text;
        private final String blob;

        Embedded(String uri, String mimeType, String text, String blob, Annotations a, Map<String, Object> m) {
            super(a, m);
            this.uri = Objects.requireNonNull(uri, "uri");
            this.mimeType = mimeType;
            this.text = text;
            this.blob = blob;
        }

        @Override
        void writeFields(JsonGenerator g) throws IOException {
            g.writeStringField("type", "resource");
            g.writeObjectFieldStart("resource");
            g.writeStringField("uri", uri);
            if (mimeType != null) {
                g.writeStringField("mimeType", mimeType);
            }
            if (text != null) {
                g.writeStringField("text", text);
            } else {
                g.writeStringField("blob", blob);
            }
            g.writeEndObject();
        }

        @Override
        public Content annotated(Annotations a) {
            return new Embedded(uri, mimeType, text, blob, a, meta());
        }

        @Override
        public Content withMeta(Map<String, Object> m) {
            return new Embedded(uri, mimeType, text, blob, annotations(), m);
        }
    }
}
