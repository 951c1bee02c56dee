package io.peregrine.tool;

import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.internal.ContentTrees;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a tool call (MCP {@code CallToolResult}): content items, optional structured
 * content, and whether the call failed.
 */
public final class ToolResult {

    private static final Object NO_STRUCTURED = new Object();

    /** Null for a result relayed as JSON until its items are asked for. */
    private volatile List<Content> content;
    /** The content array as JSON, for a relayed result; else null. */
    private final RawJson contentJson;
    private final Object structuredContent;
    private final boolean error;
    private final Map<String, Object> meta;

    private ToolResult(List<Content> content, Object structuredContent, boolean error, Map<String, Object> meta) {
        this(content, null, structuredContent, error, meta);
    }

    private ToolResult(List<Content> content, RawJson contentJson, Object structuredContent, boolean error,
                       Map<String, Object> meta) {
        this.content = content;
        this.contentJson = contentJson;
        this.structuredContent = structuredContent;
        this.error = error;
        this.meta = meta;
    }

    /**
     * A result another MCP server sent, passed on as it came: its {@code content} array and its
     * {@code structuredContent} (null for none) are JSON, written as they are. The content must be
     * an array of {@code text}, {@code image} and {@code audio} items; {@link #content()} reads it
     * into items only when asked.
     */
    public static ToolResult relayed(RawJson content, RawJson structuredContent, boolean isError,
                                     Map<String, Object> meta) {
        return new ToolResult(null, Objects.requireNonNull(content, "content"),
                structuredContent != null ? structuredContent : NO_STRUCTURED, isError, meta);
    }

    /** One text item. */
    public static ToolResult text(String text) {
        return new ToolResult(List.of(Content.text(text)), NO_STRUCTURED, false, null);
    }

    /** A failed call whose message the model can read: {@code isError: true} with one text item. */
    public static ToolResult error(String message) {
        return new ToolResult(List.of(Content.text(message)), NO_STRUCTURED, true, null);
    }

    /** The given content items. */
    public static ToolResult of(Content... content) {
        return new ToolResult(List.of(content), NO_STRUCTURED, false, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Content> content() {
        List<Content> items = content;
        if (items == null) {
            items = readContent(contentJson);
            content = items;
        }
        return items;
    }

    /** The content array as another server wrote it, for a {@link #relayed} result; else null. */
    public RawJson relayedContent() {
        return contentJson;
    }

    private static List<Content> readContent(RawJson json) {
        Object tree;
        try {
            tree = JsonTree.parse(json.json());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("relayed content is not JSON: " + e.getMessage(), e);
        }
        List<Content> items = new ArrayList<>();
        if (tree instanceof List) {
            for (Object item : (List<?>) tree) {
                @SuppressWarnings("unchecked")
                Content c = item instanceof Map ? ContentTrees.plain((Map<String, Object>) item) : null;
                if (c != null) {
                    items.add(c);
                }
            }
        }
        return List.copyOf(items);
    }

    public boolean isError() {
        return error;
    }

    public boolean hasStructuredContent() {
        return structuredContent != NO_STRUCTURED;
    }

    /** The structured content as a tree of plain values (or {@code RawJson}); see {@link #hasStructuredContent()}. */
    public Object structuredContent() {
        return structuredContent == NO_STRUCTURED ? null : structuredContent;
    }

    /** The result's own {@code _meta}, or null. */
    public Map<String, Object> meta() {
        return meta;
    }

    /** The text of the first text item, or null; convenient in tests and clients. */
    public String firstText() {
        for (Content c : content()) {
            if (c instanceof Content.Text text) {
                return text.text();
            }
        }
        return null;
    }

    /** Builds a {@link ToolResult}. */
    public static final class Builder {
        private final List<Content> content = new ArrayList<>();
        private Object structuredContent = NO_STRUCTURED;
        private boolean error;
        private Map<String, Object> meta;

        private Builder() {
        }

        public Builder add(Content item) {
            content.add(Objects.requireNonNull(item, "item"));
            return this;
        }

        public Builder text(String text) {
            return add(Content.text(text));
        }

        /**
         * Structured content: a tree of plain values ({@code Map}, {@code List}, strings, numbers,
         * booleans, null) or {@code io.peregrine.rpc.RawJson}. It should conform to the tool's
         * {@code outputSchema}; the server checks when validation is on. For clients of revisions
         * that read only {@code content}, add a text item carrying the same JSON as well.
         */
        public Builder structured(Object value) {
            this.structuredContent = value;
            return this;
        }

        public Builder error(boolean isError) {
            this.error = isError;
            return this;
        }

        public Builder meta(Map<String, Object> meta) {
            this.meta = meta;
            return this;
        }

        public ToolResult build() {
            return new ToolResult(List.copyOf(content), structuredContent, error, meta);
        }
    }
}
