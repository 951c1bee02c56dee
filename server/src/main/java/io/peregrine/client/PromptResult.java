package io.peregrine.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code prompts/get} returned: the prompt's messages, filled in with the arguments.
 *
 * @param description what the prompt is for, or null
 * @param messages    the messages, in order
 */
public record PromptResult(String description, List<Message> messages) {

    /**
     * One message of a prompt.
     *
     * @param role    {@code user} or {@code assistant}
     * @param content the content item as a JSON tree ({@code type} {@code text}, {@code image}, ...)
     */
    public record Message(String role, Map<String, Object> content) {

        /** The text of a {@code text} content item, or null. */
        public String text() {
            return "text".equals(content.get("type")) ? Trees.string(content.get("text")) : null;
        }
    }

    static PromptResult from(Map<String, Object> r) {
        List<Message> messages = new ArrayList<>();
        for (Map<String, Object> m : Trees.objects(r.get("messages"))) {
            messages.add(new Message(Trees.string(m.get("role")), Trees.objectOrEmpty(m.get("content"))));
        }
        return new PromptResult(Trees.string(r.get("description")), List.copyOf(messages));
    }
}
