package io.peregrine.tool;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One item of a tool result's {@code content}: text, image, audio, a link to a resource, or an
 * embedded resource. Immutable; {@link #annotated} and {@link #withMeta} return copies. Made by
 * the static factories; each kind is a nested class whose getters show what it carries.
 */
public abstract sealed class Content permits Content.Text, Content.Binary, Content.ResourceLink, Content.Embedded {

    private final Annotations annotations;
    private final Map<String, Object> meta;

    Content(Annotations annotations, Map<String, Object> meta) {
        this.annotations = annotations;
        this.meta = meta;
    }

    /** {@code {"type":"text","text":…}} */
    public static Content text(String text) {
        return new Text(requireNonNull(text, "text"), null, null);
    }

    /** An image, base64-encoded from {@code data}. */
    public static Content image(byte[] data, String mimeType) {
        return new Binary("image", Base64.getEncoder().encodeToString(requireNonNull(data, "data")), mimeType, null, null);
    }

    /** An image already base64-encoded. */
    public static Content imageBase64(String base64, String mimeType) {
        return new Binary("image", base64, mimeType, null, null);
    }

    /** Audio, base64-encoded from {@code data}. */
    public static Content audio(byte[] data, String mimeType) {
        return new Binary("audio", Base64.getEncoder().encodeToString(requireNonNull(data, "data")), mimeType, null, null);
    }

    /** Audio already base64-encoded. */
    public static Content audioBase64(String base64, String mimeType) {
        return new Binary("audio", requireNonNull(base64, "base64"), mimeType, null, null);
    }

    /** A link to a resource the client may read; {@code mimeType}, {@code description} may be null. */
    public static Content resourceLink(String uri, String name, String mimeType, String description) {
        return new ResourceLink(uri, name, mimeType, description, null, null);
    }

    /** An embedded text resource. */
    public static Content embeddedText(String uri, String mimeType, String text) {
        return new Embedded(uri, mimeType, requireNonNull(text, "text"), null, null, null);
    }

    /** An embedded binary resource, base64-encoded from {@code blob}. */
    public static Content embeddedBlob(String uri, String mimeType, byte[] blob) {
        return new Embedded(uri, mimeType, null, Base64.getEncoder().encodeToString(requireNonNull(blob, "blob")),
                null, null);
    }

    /** An embedded binary resource already base64-encoded. */
    public static Content embeddedBlobBase64(String uri, String mimeType, String base64) {
        return new Embedded(uri, mimeType, null, requireNonNull(base64, "base64"), null, null);
    }

    /** This content with annotations for the client. */
    public abstract Content annotated(Annotations annotations);

    /** This content with a {@code _meta} object (a tree of plain values). */
    public abstract Content withMeta(Map<String, Object> meta);

    /** The item's {@code type} on the wire: {@code text}, {@code image}, {@code audio}, {@code resource_link} or {@code resource}. */
    public abstract String type();

    /** The annotations, or null. */
    public final Annotations annotations() {
        return annotations;
    }

    /** The item's {@code _meta}, or null. */
    public final Map<String, Object> meta() {
        return meta;
    }

    /** Who the content is for, how much it matters (0 to 1), and when it last changed (ISO 8601). */
    public static final class Annotations {
        private final List<String> audience;
        private final Double priority;
        private final String lastModified;

        private Annotations(List<String> audience, Double priority, String lastModified) {
            if (priority != null && (priority < 0 || priority > 1 || priority.isNaN())) {
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

        /** {@code user} and/or {@code assistant}; empty when unset. */
        public List<String> audience() {
            return audience;
        }

        /** How much it matters, 0 to 1, or null. */
        public Double priority() {
            return priority;
        }

        /** When it last changed (ISO 8601), or null. */
        public String lastModified() {
            return lastModified;
        }
    }

    /** Text: {@code {"type":"text","text":…}}. */
    public static final class Text extends Content {
        private final String text;

        Text(String text, Annotations annotations, Map<String, Object> meta) {
            super(annotations, meta);
            this.text = text;
        }

        @Override
        public String type() {
            return "text";
        }

        public String text() {
            return text;
        }

        @Override
        public Content annotated(Annotations a) {
            return new Text(text, a, meta());
        }

        @Override
        public Content withMeta(Map<String, Object> m) {
            return new Text(text, annotations(), m);
        }
    }

    /** An image or audio clip, carried as base64. */
    public static final class Binary extends Content {
        private final String type;
        private final String data;
        private final String mimeType;

        Binary(String type, String data, String mimeType, Annotations annotations, Map<String, Object> meta) {
            super(annotations, meta);
            this.type = type;
            this.data = requireNonNull(data, "data");
            this.mimeType = requireNonNull(mimeType, "mimeType");
        }

        /** {@code image} or {@code audio}. */
        @Override
        public String type() {
            return type;
        }

        /** The bytes, base64-encoded. */
        public String data() {
            return data;
        }

        public String mimeType() {
            return mimeType;
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

    /** A link to a resource the client may read. */
    public static final class ResourceLink extends Content {
        private final String uri;
        private final String name;
        private final String mimeType;
        private final String description;

        ResourceLink(String uri, String name, String mimeType, String description, Annotations a, Map<String, Object> m) {
            super(a, m);
            this.uri = requireNonNull(uri, "uri");
            this.name = requireNonNull(name, "name");
            this.mimeType = mimeType;
            this.description = description;
        }

        @Override
        public String type() {
            return "resource_link";
        }

        public String uri() {
            return uri;
        }

        public String name() {
            return name;
        }

        /** The MIME type, or null. */
        public String mimeType() {
            return mimeType;
        }

        /** The description, or null. */
        public String description() {
            return description;
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

    /** A resource embedded in the result: text, or a base64 blob. */
    public static final class Embedded extends Content {
        private final String uri;
        private final String mimeType;
        private final String text;
        private final String blob;

        Embedded(String uri, String mimeType, String text, String blob, Annotations a, Map<String, Object> m) {
            super(a, m);
            this.uri = requireNonNull(uri, "uri");
            this.mimeType = mimeType;
            this.text = text;
            this.blob = blob;
        }

        @Override
        public String type() {
            return "resource";
        }

        public String uri() {
            return uri;
        }

        /** The MIME type, or null. */
        public String mimeType() {
            return mimeType;
        }

        /** The text, or null for a blob. */
        public String text() {
            return text;
        }

        /** The base64 data, or null for text. */
        public String blob() {
            return blob;
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
