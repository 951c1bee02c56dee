package io.peregrine.resource;

import io.peregrine.completion.Completer;
import io.peregrine.tool.Content;
import io.peregrine.tool.Icon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
    private final String definitionJson;

    private ResourceTemplate(Builder b) {
        this.uriTemplate = b.uriTemplate;
        this.name = b.name;
        this.blocking = b.blocking;
        this.handler = b.handler;
        this.completers = Map.copyOf(b.completers);
        this.definitionJson = Definitions.encode(g -> g.writeStringField("uriTemplate", uriTemplate.template()),
                b.name, b.title, b.description, b.mimeType, b.annotations, List.copyOf(b.icons), b.meta);
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

    /** The definition as {@code resources/templates/list} returns it, encoded once. */
    public String definitionJson() {
        return definitionJson;
    }

    @Override
    public String toString() {
        return "ResourceTemplate(" + uriTemplate + ")";
    }

    /** Builds a {@link ResourceTemplate}; validates eagerly. */
    public static final class Builder {
        private final UriTemplate uriTemplate;
        private final String name;
        private String title;
        private String description;
        private String mimeType;
        private Content.Annotations annotations;
        private final List<Icon> icons = new ArrayList<>();
        private Map<String, Object> meta;
        private boolean blocking = true;
        private ResourceHandler handler;
        private final Map<String, Completer> completers = new LinkedHashMap<>();

        private Builder(String uriTemplate, String name) {
            Definitions.requireUri(uriTemplate);
            this.uriTemplate = UriTemplate.of(uriTemplate);
            if (this.uriTemplate.variables().isEmpty()) {
                throw new IllegalArgumentException("uriTemplate : \"" + uriTemplate
                        + "\" (expected: at least one {variable}; a fixed URI is a Resource)");
            }
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        /** The MIME type of every resource the template names; set it only when they share one. */
        public Builder mimeType(String mimeType) {
            this.mimeType = Objects.requireNonNull(mimeType, "mimeType");
            return this;
        }

        public Builder annotations(Content.Annotations annotations) {
            this.annotations = Objects.requireNonNull(annotations, "annotations");
            return this;
        }

        public Builder icon(Icon icon) {
            this.icons.add(Objects.requireNonNull(icon, "icon"));
            return this;
        }

        public Builder meta(Map<String, Object> meta) {
            this.meta = Objects.requireNonNull(meta, "meta");
            return this;
        }

        /** Whether the handler (and the completers) may block. Default: true, the safe choice. */
        public Builder blocking(boolean blocking) {
            this.blocking = blocking;
            return this;
        }

        public Builder handler(ResourceHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Suggests values of {@code variable}, which must be one of the template's. */
        public Builder completion(String variable, Completer completer) {
            Objects.requireNonNull(variable, "variable");
            if (!uriTemplate.variables().contains(variable)) {
                throw new IllegalArgumentException("variable : \"" + variable + "\" (expected: one of "
                        + uriTemplate.variables() + ")");
            }
            this.completers.put(variable, Objects.requireNonNull(completer, "completer"));
            return this;
        }

        public ResourceTemplate build() {
            if (handler == null) {
                throw new IllegalStateException("resource template \"" + uriTemplate + "\" has no handler");
            }
            return new ResourceTemplate(this);
        }
    }
}
