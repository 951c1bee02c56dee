package io.peregrine.resource;

import java.util.List;

import static java.util.Objects.requireNonNull;

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
    private final SubscriptionHandler subscriptions;
    private final String definitionJson;

    private Resource(String uri, String name, String mimeType, boolean blocking, ResourceHandler handler,
                     SubscriptionHandler subscriptions, String definitionJson) {
        this.uri = uri;
        this.name = name;
        this.mimeType = mimeType;
        this.blocking = blocking;
        this.handler = handler;
        this.subscriptions = subscriptions;
        this.definitionJson = definitionJson;
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

    /** What subscribing to it does, or null: the server keeps the subscriptions ({@link SubscriptionHandler}). */
    public SubscriptionHandler subscriptions() {
        return subscriptions;
    }

    /** The definition as {@code resources/list} returns it, encoded once. */
    public String definitionJson() {
        return definitionJson;
    }

    @Override
    public String toString() {
        return "Resource(" + uri + ")";
    }

    /**
     * Builds a {@link Resource}; every setter validates at once. Title, description, icons,
     * {@code _meta} and {@code blocking} are those of every definition.
     */
    public static final class Builder extends ResourceBuilderBase<Builder> {
        private final String uri;
        private Long size;
        private ResourceHandler handler;
        private String text;

        private Builder(String uri, String name) {
            super(name);
            this.uri = requireAbsoluteUri(uri, "uri");
        }

        /** The size of the raw contents in bytes, when known. Default: unknown. */
        public Builder size(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("size : " + bytes + " (expected: >= 0)");
            }
            this.size = bytes;
            return this;
        }

        /** The code that reads the contents. Required, unless {@link #text} gives them. */
        public Builder handler(ResourceHandler handler) {
            this.handler = requireNonNull(handler, "handler");
            this.text = null;
            return this;
        }

        /**
         * Contents that never change: a text resource that always reads as {@code text} (with
         * the builder's MIME type), read without blocking.
         */
        public Builder text(String text) {
            this.text = requireNonNull(text, "text");
            this.handler = null;
            return blocking(false);
        }

        /**
         * The resource.
         *
         * @throws IllegalStateException when it has neither a handler nor a text
         */
        public Resource build() {
            ResourceHandler h = handler;
            if (text != null) {
                String fixed = text;
                String mimeType = mimeTypeOrNull();
                h = req -> List.of(ResourceContents.text(req.uri(), mimeType, fixed));
            }
            if (h == null) {
                throw new IllegalStateException("resource \"" + uri + "\" has no handler (expected: handler(...) or text(...))");
            }
            Long knownSize = size;
            String definition = encode(g -> {
                g.writeStringField("uri", uri);
                if (knownSize != null) {
                    g.writeNumberField("size", knownSize);
                }
            });
            return new Resource(uri, name(), mimeTypeOrNull(), isBlocking(), h, subscriptionsOrNull(), definition);
        }
    }
}
