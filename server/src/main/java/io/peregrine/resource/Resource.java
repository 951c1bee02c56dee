package io.peregrine.resource;

import io.peregrine.tool.Content;
import io.peregrine.tool.Icon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A resource with a fixed URI, as {@code resources/list} shows it and {@code resources/read}
 * reads it.
 *
 * <pre>{@code
 * Resource readme = Resource.builder("file:///project/README.md", "README.md")
 *         .mimeType("text/markdown")
 *         .handler(req -> List.of(ResourceContents.text(req.uri(), "text/markdown", Files.readString(path))))
 *         .build();
 * }</pre>
 */
public final class Resource {

    private final String uri;
    private final String name;
    private final String mimeType;
    private final boolean blocking;
    private final ResourceHandler handler;
    private final String definitionJson;

    private Resource(Builder b) {
        this.uri = b.uri;
        this.name = b.name;
        this.mimeType = b.mimeType;
        this.blocking = b.blocking;
        this.handler = b.handler;
        Long size = b.size;
        this.definitionJson = Definitions.encode(g -> {
            g.writeStringField("uri", uri);
            if (size != null) {
                g.writeNumberField("size", size);
            }
        }, b.name, b.title, b.description, b.mimeType, b.annotations, List.copyOf(b.icons), b.meta);
    }

    /** A builder for the resource at {@code uri} (an absolute URI) called {@code name}. */
    public static Builder builder(String uri, String name) {
        return new Builder(uri, name);
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

    /** Whether reading may block; blocking reads run on the bounded executor. */
    public boolean isBlocking() {
        return blocking;
    }

    public ResourceHandler handler() {
        return handler;
    }

    /** The definition as {@code resources/list} returns it, encoded once. */
    public String definitionJson() {
        return definitionJson;
    }

    @Override
    public String toString() {
        return "Resource(" + uri + ")";
    }

    /** Builds a {@link Resource}; validates eagerly. */
    public static final class Builder {
        private final String uri;
        private final String name;
        private String title;
        private String description;
        private String mimeType;
        private Long size;
        private Content.Annotations annotations;
        private final List<Icon> icons = new ArrayList<>();
        private Map<String, Object> meta;
        private boolean blocking = true;
        private ResourceHandler handler;

        private Builder(String uri, String name) {
            this.uri = Definitions.requireUri(uri);
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        public Builder mimeType(String mimeType) {
            this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
            return this;
        }

        /** The size of the raw contents in bytes, when known. */
        public Builder size(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("size : " + bytes + " (expected: >= 0)");
            }
            this.size = bytes;
            return this;
        }

        public Builder annotations(Content.Annotations annotations) {
            this.annotations = Objects.requireNonNull(annotations, "annotations");
            return this;
        }

        public Builder icon(Icon icon) {
            this.icons.add(Objects.requireNonNull(icon, "icon"));
            return this;
        }

        public Builder meta(Map<String, Object> meta) {
            this.meta = Objects.requireNonNull(meta, "meta");
            return this;
        }

        /** Whether the handler may block (file or network I/O). Default: true, the safe choice. */
        public Builder blocking(boolean blocking) {
            this.blocking = blocking;
            return this;
        }

        public Builder handler(ResourceHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Contents that never change: a text resource that always reads as {@code text}. */
        public Builder text(String text) {
            Objects.requireNonNull(text, "text");
            this.blocking = false;
            this.handler = req -> List.of(ResourceContents.text(req.uri(), mimeType, text));
            return this;
        }

        public Resource build() {
            if (handler == null) {
                throw new IllegalStateException("resource \"" + uri + "\" has no handler");
            }
            return new Resource(this);
        }
    }
}
