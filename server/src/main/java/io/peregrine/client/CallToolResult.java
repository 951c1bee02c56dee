package io.peregrine.client;

import java.util.List;
import java.util.Map;

/**
 * The result of a {@code tools/call}, over the JSON tree the server sent.
 *
 * <p>{@link #isError()} is a tool execution error (the tool ran and failed, and the model is meant
 * to read why); protocol errors never get here, they fail the call with a
 * {@link McpClientException}.
 */
public final class CallToolResult {

    private final Map<String, Object> result;

    CallToolResult(Map<String, Object> result) {
        this.result = result;
    }

    /** A tool result received as a request's {@code result} tree, such as that of {@code tasks/result}. */
    public static CallToolResult of(Map<String, Object> result) {
        return new CallToolResult(java.util.Objects.requireNonNull(result, "result"));
    }

    /** The content items, each a tree with a {@code type} ({@code text}, {@code image}, ...). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> content() {
        Object content = result.get("content");
        return content instanceof List ? (List<Map<String, Object>>) content : List.of();
    }

    /** The text of the first {@code text} item, or null when there is none. */
    public String text() {
        for (Map<String, Object> item : content()) {
            if ("text".equals(item.get("type")) && item.get("text") instanceof String) {
                return (String) item.get("text");
            }
        }
        return null;
    }

    /** Whether the tool reported a failure. */
    public boolean isError() {
        return Boolean.TRUE.equals(result.get("isError"));
    }

    /** The {@code structuredContent} object, or null when the tool returned none. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> structuredContent() {
        Object structured = result.get("structuredContent");
        return structured instanceof Map ? (Map<String, Object>) structured : null;
    }

    /**
     * The parts of a plain result as the server wrote them, for passing it on without reading it;
     * null unless the client relays results ({@link PeregrineClient.Builder#relayResults}) and the
     * result is plain: {@code text}, {@code image} and {@code audio} content only, nothing to
     * answer ({@code input_required}) and no escapes in its member names.
     */
    public Relayed relayed() {
        return result instanceof PlainToolResult ? ((PlainToolResult) result).relayed() : null;
    }

    /** A plain result's members, each the JSON the server wrote. */
    public static final class Relayed {
        private final io.peregrine.rpc.RawJson content;
        private final io.peregrine.rpc.RawJson structuredContent;
        private final boolean error;
        private final io.peregrine.rpc.RawJson meta;

        Relayed(io.peregrine.rpc.RawJson content, io.peregrine.rpc.RawJson structuredContent, boolean error,
                io.peregrine.rpc.RawJson meta) {
            this.content = content;
            this.structuredContent = structuredContent;
            this.error = error;
            this.meta = meta;
        }

        /** The {@code content} array. */
        public io.peregrine.rpc.RawJson content() {
            return content;
        }

        /** The {@code structuredContent}, or null when there is none (or it is null). */
        public io.peregrine.rpc.RawJson structuredContent() {
            return structuredContent;
        }

        public boolean isError() {
            return error;
        }

        /** The result's {@code _meta} object, or null when there is none. */
        public io.peregrine.rpc.RawJson meta() {
            return meta;
        }
    }

    /** The whole result, including members this class has no accessor for ({@code _meta}, ...). */
    public Map<String, Object> asMap() {
        return result;
    }

    @Override
    public String toString() {
        return "CallToolResult" + result;
    }
}
