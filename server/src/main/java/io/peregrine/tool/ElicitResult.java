package io.peregrine.tool;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The user's answer to an {@link Elicitation}. */
public final class ElicitResult {

    /** What the user did. */
    public enum Action {
        /** Submitted the form, or agreed to open the URL. */
        ACCEPT,
        /** Explicitly refused. */
        DECLINE,
        /** Dismissed without choosing. */
        CANCEL
    }

    private final Action action;
    private final Map<String, Object> content;

    private ElicitResult(Action action, Map<String, Object> content) {
        this.action = action;
        this.content = content;
    }

    /** An answer; {@code content} (the form's values) may be null. */
    public static ElicitResult of(Action action, Map<String, Object> content) {
        return new ElicitResult(Objects.requireNonNull(action, "action"), content == null ? Map.of() : Map.copyOf(content));
    }

    /**
     * Reads an {@code ElicitResult} as the client sent it.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    @SuppressWarnings("unchecked")
    public static ElicitResult fromTree(Object tree) {
        if (!(tree instanceof Map)) {
            throw new IllegalArgumentException("an ElicitResult must be an object");
        }
        Map<String, Object> map = (Map<String, Object>) tree;
        Object action = map.get("action");
        Action parsed;
        if ("accept".equals(action)) {
            parsed = Action.ACCEPT;
        } else if ("decline".equals(action)) {
            parsed = Action.DECLINE;
        } else if ("cancel".equals(action)) {
            parsed = Action.CANCEL;
        } else {
            throw new IllegalArgumentException("an ElicitResult needs \"action\": \"accept\", \"decline\" or \"cancel\"");
        }
        Object content = map.get("content");
        if (content != null && !(content instanceof Map)) {
            throw new IllegalArgumentException("an ElicitResult's \"content\" must be an object");
        }
        return new ElicitResult(parsed, content == null ? Map.of() : (Map<String, Object>) content);
    }

    public Action action() {
        return action;
    }

    public boolean isAccepted() {
        return action == Action.ACCEPT;
    }

    /** The submitted values (strings, numbers, booleans, lists of strings); empty unless accepted in form mode. */
    public Map<String, Object> content() {
        return content;
    }

    /** A submitted string value, or null. */
    public String string(String name) {
        Object v = content.get(name);
        return v instanceof String ? (String) v : null;
    }

    /** A submitted boolean value, or null. */
    public Boolean bool(String name) {
        Object v = content.get(name);
        return v instanceof Boolean ? (Boolean) v : null;
    }

    /** A submitted number, or null. */
    public Number number(String name) {
        Object v = content.get(name);
        return v instanceof Number ? (Number) v : null;
    }

    /** A submitted multi-select value, or null. */
    @SuppressWarnings("unchecked")
    public List<String> strings(String name) {
        Object v = content.get(name);
        return v instanceof List ? (List<String>) v : null;
    }

    @Override
    public String toString() {
        return "ElicitResult(" + action.name().toLowerCase(java.util.Locale.ROOT) + ", " + content + ")";
    }
}
