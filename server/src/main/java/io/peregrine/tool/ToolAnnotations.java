package io.peregrine.tool;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;

/**
 * Hints about a tool's behaviour for clients (MCP {@code ToolAnnotations}). Unset hints are
 * omitted, so clients apply the spec's defaults.
 */
public final class ToolAnnotations {

    private final String title;
    private final Boolean readOnlyHint;
    private final Boolean destructiveHint;
    private final Boolean idempotentHint;
    private final Boolean openWorldHint;

    private ToolAnnotations(Builder b) {
        this.title = b.title;
        this.readOnlyHint = b.readOnlyHint;
        this.destructiveHint = b.destructiveHint;
        this.idempotentHint = b.idempotentHint;
        this.openWorldHint = b.openWorldHint;
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean readOnly() {
        return Boolean.TRUE.equals(readOnlyHint);
    }

    public boolean idempotent() {
        return Boolean.TRUE.equals(idempotentHint);
    }

    void writeTo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (title != null) {
            g.writeStringField("title", title);
        }
        writeHint(g, "readOnlyHint", readOnlyHint);
        writeHint(g, "destructiveHint", destructiveHint);
        writeHint(g, "idempotentHint", idempotentHint);
        writeHint(g, "openWorldHint", openWorldHint);
        g.writeEndObject();
    }

    private static void writeHint(JsonGenerator g, String name, Boolean value) throws IOException {
        if (value != null) {
            g.writeBooleanField(name, value);
        }
    }

    /** Builds {@link ToolAnnotations}. */
    public static final class Builder {
        private String title;
        private Boolean readOnlyHint;
        private Boolean destructiveHint;
        private Boolean idempotentHint;
        private Boolean openWorldHint;

        private Builder() {
        }

        public Builder title(String title) {
            this.title = title;
            return this;
        }

        public Builder readOnly(boolean value) {
            this.readOnlyHint = value;
            return this;
        }

        public Builder destructive(boolean value) {
            this.destructiveHint = value;
            return this;
        }

        public Builder idempotent(boolean value) {
            this.idempotentHint = value;
            return this;
        }

        public Builder openWorld(boolean value) {
            this.openWorldHint = value;
            return this;
        }

        public ToolAnnotations build() {
            return new ToolAnnotations(this);
        }
    }
}
