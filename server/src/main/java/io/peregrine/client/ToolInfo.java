package io.peregrine.client;

import java.util.Map;

/**
 * A tool as the server lists it.
 *
 * @param name         what {@code tools/call} names it by
 * @param title        a human-readable name, or null
 * @param description  what it does, for a model, or null
 * @param inputSchema  the JSON Schema of its arguments, as a JSON tree
 * @param outputSchema the JSON Schema of its structured result, or null
 * @param annotations  its hints ({@code readOnlyHint}, ...), empty when none
 * @param definition   the whole definition as sent, including members without an accessor
 */
public record ToolInfo(String name, String title, String description, Map<String, Object> inputSchema,
                       Map<String, Object> outputSchema, Map<String, Object> annotations,
                       Map<String, Object> definition) {

    static ToolInfo from(Map<String, Object> t) {
        return new ToolInfo(Trees.string(t.get("name")), Trees.string(t.get("title")),
                Trees.string(t.get("description")), Trees.objectOrEmpty(t.get("inputSchema")),
                t.get("outputSchema") instanceof Map ? Trees.objectOrEmpty(t.get("outputSchema")) : null,
                Trees.objectOrEmpty(t.get("annotations")), t);
    }
}
