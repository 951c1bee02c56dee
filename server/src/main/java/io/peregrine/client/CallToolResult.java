package io.peregrine.client;

import java.util.List;
import java.util.Map;

/** A {@code tools/call} result as the client sees it. */
public final class CallToolResult {

    private final Map<String, Object> raw;

    CallToolResult(Map<String, Object> raw) {
        this.raw = raw;
    }

    /** The content items, each a tree ({@code type}, {@code text}, ...). */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> content() {
        Object c = raw.get("content");
        return c instanceof List ? (List<Map<String, Object>>) c : List.of();
    }

    /** The text of the first text item, or null. */
    public String text() {
        for (Map<String, Object> item : content()) {
            if ("text".equals(item.get("type"))) {
                return (String) item.get("text");
            }
        }
        return null;
    }

    public boolean isError() {
        return Boolean.TRUE.equals(raw.get("isError"));
    }

    /** The structured content, or null. */
    public Object structuredContent() {
        return raw.get("structuredContent");
    }

    /** The whole result object. */
    public Map<String, Object> raw() {
        return raw;
    }

    @Override
    public String toString() {
        return raw.toString();
    }
}
