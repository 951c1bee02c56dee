package io.peregrine.client;

import java.util.Map;
import java.util.Objects;

/**
 * What a {@code completion/complete} completes an argument of: a prompt, or a resource template.
 *
 * @param type {@code ref/prompt} or {@code ref/resource}
 * @param name the prompt's name, or the template's URI template
 */
public record CompletionRef(String type, String name) {

    public CompletionRef {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    /** An argument of the prompt {@code name}. */
    public static CompletionRef prompt(String name) {
        return new CompletionRef("ref/prompt", name);
    }

    /** A variable of the resource template {@code uriTemplate}. */
    public static CompletionRef resourceTemplate(String uriTemplate) {
        return new CompletionRef("ref/resource", uriTemplate);
    }

    /** The {@code ref} as {@code completion/complete} sends it: {@code {"type":"ref/prompt","name":...}} or {@code uri}. */
    public Map<String, Object> tree() {
        return "ref/prompt".equals(type) ? Map.of("type", type, "name", name) : Map.of("type", type, "uri", name);
    }
}
