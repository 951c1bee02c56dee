package io.peregrine.tool;

import java.util.List;
import java.util.Map;

/** The client's model's answer to a {@link SamplingRequest} ({@code CreateMessageResult}). */
public final class SamplingResult {

    private final String role;
    private final Object content;
    private final String model;
    private final String stopReason;

    private SamplingResult(String role, Object content, String model, String stopReason) {
        this.role = role;
        this.content = content;
        this.model = model;
        this.stopReason = stopReason;
    }

    /**
     * Reads a {@code CreateMessageResult} as the client sent it.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static SamplingResult fromTree(Object tree) {
        if (!(tree instanceof Map)) {
            throw new IllegalArgumentException("a CreateMessageResult must be an object");
        }
        Map<?, ?> map = (Map<?, ?>) tree;
        Object role = map.get("role");
        Object content = map.get("content");
        Object model = map.get("model");
        if (!(role instanceof String)) {
            throw new IllegalArgumentException("a CreateMessageResult needs a string \"role\"");
        }
        if (!(content instanceof Map) && !(content instanceof List)) {
            throw new IllegalArgumentException("a CreateMessageResult needs \"content\": an object or a list of them");
        }
        if (!(model instanceof String)) {
            throw new IllegalArgumentException("a CreateMessageResult needs a string \"model\"");
        }
        Object stop = map.get("stopReason");
        return new SamplingResult((String) role, content, (String) model, stop instanceof String ? (String) stop : null);
    }

    /** Usually {@code assistant}. */
    public String role() {
        return role;
    }

    /** One content object, or (2025-11-25 and later) a list of them, as JSON trees. */
    public Object content() {
        return content;
    }

    /** The text of the first text content, or null. */
    public String text() {
        if (content instanceof Map) {
            return textOf((Map<?, ?>) content);
        }
        for (Object item : (List<?>) content) {
            String text = item instanceof Map ? textOf((Map<?, ?>) item) : null;
            if (text != null) {
                return text;
            }
        }
        return null;
    }

    private static String textOf(Map<?, ?> item) {
        return "text".equals(item.get("type")) && item.get("text") instanceof String ? (String) item.get("text") : null;
    }

    /** The model that answered. */
    public String model() {
        return model;
    }

    /** Why generation stopped ({@code endTurn}, {@code maxTokens}, ...), or null. */
    public String stopReason() {
        return stopReason;
    }

    @Override
    public String toString() {
        return "SamplingResult(" + model + ": " + text() + ")";
    }
}
