package io.peregrine.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A prompt as the server lists it.
 *
 * @param name        what {@code prompts/get} names it by
 * @param title       a human-readable name, or null
 * @param description what it is for, or null
 * @param arguments   the arguments it takes
 * @param definition  the whole definition as sent
 */
public record PromptInfo(String name, String title, String description, List<Argument> arguments,
                         Map<String, Object> definition) {

    /** One argument of a prompt. */
    public record Argument(String name, String description, boolean required) {
    }

    static PromptInfo from(Map<String, Object> p) {
        List<Argument> args = new ArrayList<>();
        for (Map<String, Object> a : Trees.objects(p.get("arguments"))) {
            args.add(new Argument(Trees.string(a.get("name")), Trees.string(a.get("description")),
                    Boolean.TRUE.equals(a.get("required"))));
        }
        return new PromptInfo(Trees.string(p.get("name")), Trees.string(p.get("title")),
                Trees.string(p.get("description")), List.copyOf(args), p);
    }
}
