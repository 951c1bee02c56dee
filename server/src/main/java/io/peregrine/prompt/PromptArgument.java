package io.peregrine.prompt;

import java.util.Objects;

/** One argument a {@link Prompt} takes: a string, required or optional. */
public final class PromptArgument {

    private final String name;
    private final String title;
    private final String description;
    private final boolean required;

    private PromptArgument(String name, String title, String description, boolean required) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name : \"\" (expected: a non-empty argument name)");
        }
        this.title = title;
        this.description = description;
        this.required = required;
    }

    /** A required argument; {@code description} may be null. */
    public static PromptArgument required(String name, String description) {
        return new PromptArgument(name, null, description, true);
    }

    /** An optional argument; {@code description} may be null. */
    public static PromptArgument optional(String name, String description) {
        return new PromptArgument(name, null, description, false);
    }

    /** This argument with a display title. */
    public PromptArgument titled(String title) {
        return new PromptArgument(name, Objects.requireNonNull(title, "title"), description, required);
    }

    public String name() {
        return name;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    public boolean isRequired() {
        return required;
    }
}
