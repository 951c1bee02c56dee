package io.peregrine.resource;

import io.peregrine.completion.Completer;

import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A family of resources named by an RFC 6570 URI template: {@code resources/templates/list} shows
 * it, and a {@code resources/read} of a URI that matches it reaches its handler with the
 * template's variables. Variables may have {@link Completer}s for {@code completion/complete}.
 *
 * <pre>{@code
 * ResourceTemplate files = ResourceTemplate.builder("fs:///{+path}", "files")
 *         .handler(req -> List.of(ResourceContents.text(req.uri(), "text/plain", read(req.variable("path")))))
 *         .completion("path", (typed, context) -> Completion.startingWith(typed, names()))
 *         .build();
 * }</pre>
 */
public final class ResourceTemplate {

    private final UriTemplate uriTemplate;
    private final String name;
    private final boolean blocking;
    private final ResourceHandler handler;
    private final Map<String, Completer> completers;
    private final SubscriptionHandler subscriptions;
    private final String definitionJson;

    private ResourceTemplate(UriTemplate uriTemplate, String name, boolean blocking, ResourceHandler handler,
                             Map<String, Completer> completers, SubscriptionHandler subscriptions, String definitionJson) {
        this.uriTemplate = uriTemplate;
        this.name = name;
        this.blocking = blocking;
        this.handler = handler;
        this.completers = Map.copyOf(completers);
        this.subscriptions = subscriptions;
        this.definitionJson = definitionJson;
    }

    /**
     * A builder for the template {@code uriTemplate} called {@code name}.
     *
     * @throws IllegalArgumentException when {@code uriTemplate} is not an RFC 6570 level 1 to 3 template
     */
    public static Builder builder(String uriTemplate, String name) {
        return new Builder(uriTemplate, name);
    }

    public UriTemplate uriTemplate() {
        return uriTemplate;
    }

    public String name() {
        return name;
    }

    public boolean isBlocking() {
        return blocking;
    }

    public ResourceHandler handler() {
        return handler;
    }

    /** The completer of {@code variable}, or null. */
    public Completer completer(String variable) {
        return completers.get(variable);
    }

    public boolean hasCompleters() {
        return !completers.isEmpty();
    }

    /** What subscribing to a URI it names does, or null: the server keeps the subscriptions ({@link SubscriptionHandler}). */
    public SubscriptionHandler subscriptions() {
        return subscriptions;
    }

    /** The definition as {@code resources/templates/list} returns it, encoded once. */
    public String definitionJson() {
        return definitionJson;
    }

    @Override
    public String toString() {
        return "ResourceTemplate(" + uriTemplate + ")";
    }

    /**
     * Builds a {@link ResourceTemplate}; every setter validates at once. Title, description,
     * icons, {@code _meta} and {@code blocking} (which covers the completers too) are those of
     * every definition.
     */
    public static final class Builder extends ResourceBuilderBase<Builder> {
        private final UriTemplate uriTemplate;
        private ResourceHandler handler;
        private final Map<String, Completer> completers = new LinkedHashMap<>();

        private Builder(String uriTemplate, String name) {
            super(name);
            this.uriTemplate = UriTemplate.of(requireAbsoluteUri(uriTemplate, "uriTemplate"));
            if (this.uriTemplate.variables().isEmpty()) {
                throw new IllegalArgumentException("uriTemplate : \"" + uriTemplate
                        + "\" (expected: at least one {variable}; a fixed URI is a Resource)");
            }
        }

        /** The code that reads a resource the template names, given its variables. Required. */
        public Builder handler(ResourceHandler handler) {
            this.handler = requireNonNull(handler, "handler");
            return this;
        }

        /** Suggests values of {@code variable}, which must be one of the template's. */
        public Builder completion(String variable, Completer completer) {
            requireNonNull(variable, "variable");
            if (!uriTemplate.variables().contains(variable)) {
                throw new IllegalArgumentException("variable : \"" + variable + "\" (expected: one of "
                        + uriTemplate.variables() + ")");
            }
            this.completers.put(variable, requireNonNull(completer, "completer"));
            return this;
        }

        /**
         * The template.
         *
         * @throws IllegalStateException when it has no handler
         */
        public ResourceTemplate build() {
            if (handler == null) {
                throw new IllegalStateException("resource template \"" + uriTemplate + "\" has no handler "
                        + "(expected: handler(...))");
            }
            String definition = encode(g -> g.writeStringField("uriTemplate", uriTemplate.template()));
            return new ResourceTemplate(uriTemplate, name(), isBlocking(), handler, completers, subscriptionsOrNull(), definition);
        }
    }
}
