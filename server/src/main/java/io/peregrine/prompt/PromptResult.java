package io.peregrine.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@code prompts/get} returns: an optional description and the messages. */
public final class PromptResult {

    private final String description;
    private final List<PromptMessage> messages;
    private final Map<String, Object> meta;

    private PromptResult(String description, List<PromptMessage> messages, Map<String, Object> meta) {
        this.description = description;
        this.messages = List.copyOf(messages);
        this.meta = meta;
    }

    /** A result of {@code messages}; {@code description} may be null. */
    public static PromptResult of(String description, List<PromptMessage> messages) {
        return new PromptResult(description, Objects.requireNonNull(messages, "messages"), null);
    }

    /** A single user message of text. */
    public static PromptResult text(String text) {
        return of(null, List.of(PromptMessage.user(text)));
    }

    public static Builder builder() {
        return new Builder();
    }

    public String description() {
        return description;
    }

    public List<PromptMessage> messages() {
        return messages;
    }

    /** The result's {@code _meta}, or null. */
    public Map<String, Object> meta() {
        return meta;
    }

    /** Builds a {@link PromptResult} message by message. */
    public static final class Builder {
        private String description;
        private final List<PromptMessage> messages = new ArrayList<>();
        private Map<String, Object> meta;

        private Builder() {
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        public Builder message(PromptMessage message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        public Builder meta(Map<String, Object> meta) {
            this.meta = Objects.requireNonNull(meta, "meta");
            return this;
        }

        public PromptResult build() {
            return new PromptResult(description, messages, meta);
        }
    }
}
