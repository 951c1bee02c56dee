package io.peregrine.prompt;

import io.peregrine.tool.Content;

import java.util.Objects;

/** One message of a prompt: a role ({@code user} or {@code assistant}) and one content block of any type. */
public final class PromptMessage {

    private final String role;
    private final Content content;

    private PromptMessage(String role, Content content) {
        this.role = role;
        this.content = Objects.requireNonNull(content, "content");
    }

    public static PromptMessage user(Content content) {
        return new PromptMessage("user", content);
    }

    public static PromptMessage assistant(Content content) {
        return new PromptMessage("assistant", content);
    }

    /** A user message of plain text. */
    public static PromptMessage user(String text) {
        return user(Content.text(text));
    }

    /** An assistant message of plain text. */
    public static PromptMessage assistant(String text) {
        return assistant(Content.text(text));
    }

    public String role() {
        return role;
    }

    public Content content() {
        return content;
    }
}
