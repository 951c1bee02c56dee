package io.peregrine.prompt;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.completion.Completer;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Icon;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A prompt or prompt template: its MCP definition ({@code prompts/list}), its arguments, the
 * handler that fills it in ({@code prompts/get}) and completers for its arguments
 * ({@code completion/complete}).
 *
 * <pre>{@code
 * Prompt review = Prompt.builder("code_review")
 *         .description("Asks for a review of a piece of code")
 *         .argument(PromptArgument.required("code", "The code to review"))
 *         .argument(PromptArgument.optional("language", "Its language"))
 *         .completion("language", (typed, ctx) -> Completion.startingWith(typed, List.of("java", "python")))
 *         .handler(args -> PromptResult.text("Please review this " + args.getOrDefault("language", "") + " code:\n" + args.get("code")))
 *         .build();
 * }</pre>
 */
public final class Prompt {

    private final String name;
    private final List<PromptArgument> arguments;
    private final boolean blocking;
    private final PromptHandler handler;
    private final AskingPromptHandler askingHandler;
    private final Map<String, Completer> completers;
    private final String definitionJson;

    private Prompt(Builder b) {
        this.name = b.name;
        this.arguments = List.copyOf(b.arguments.values());
        this.blocking = b.blocking;
        this.handler = b.handler;
        this.askingHandler = b.askingHandler;
        this.completers = Map.copyOf(b.completers);
        this.definitionJson = encode(b);
    }

    /** A builder for the prompt {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<PromptArgument> arguments() {
        return arguments;
    }

    /** The argument {@code name}, or null. */
    public PromptArgument argument(String name) {
        for (PromptArgument a : arguments) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }

    public boolean isBlocking() {
        return blocking;
    }

    /** The handler, or null when the prompt was built with an {@link AskingPromptHandler}. */
    public PromptHandler handler() {
        return handler;
    }

    /** The handler that may ask the client, or null when the prompt never asks. */
    public AskingPromptHandler askingHandler() {
        return askingHandler;
    }

    /** The completer of argument {@code name}, or null. */
    public Completer completer(String name) {
        return completers.get(name);
    }

    public boolean hasCompleters() {
        return !completers.isEmpty();
    }

    /** The definition as {@code prompts/list} returns it, encoded once. */
    public String definitionJson() {
        return definitionJson;
    }

    private String encode(Builder b) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.DEFAULT.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", name);
            if (b.title != null) {
                g.writeStringField("title", b.title);
            }
            if (b.description != null) {
                g.writeStringField("description", b.description);
            }
            if (!arguments.isEmpty()) {
                g.writeArrayFieldStart("arguments");
                for (PromptArgument a : arguments) {
                    g.writeStartObject();
                    g.writeStringField("name", a.name());
                    if (a.title() != null) {
                        g.writeStringField("title", a.title());
                    }
                    if (a.description() != null) {
                        g.writeStringField("description", a.description());
                    }
                    g.writeBooleanField("required", a.isRequired());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            Icon.writeField(g, b.icons);
            if (b.meta != null) {
                g.writeFieldName("_meta");
                JsonTree.write(g, b.meta);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "Prompt(" + name + ")";
    }

    /** Builds a {@link Prompt}; validates eagerly. */
    public static final class Builder {
        private final String name;
        private String title;
        private String description;
        private final Map<String, PromptArgument> arguments = new LinkedHashMap<>();
        private final List<Icon> icons = new ArrayList<>();
        private Map<String, Object> meta;
        private boolean blocking;
        private PromptHandler handler;
        private AskingPromptHandler askingHandler;
        private final Map<String, Completer> completers = new LinkedHashMap<>();

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name : \"\" (expected: a non-empty prompt name)");
            }
            this.name = name;
        }

        public Builder title(String title) {
            this.title = Objects.requireNonNull(title, "title");
            return this;
        }

        public Builder description(String description) {
            this.description = Objects.requireNonNull(description, "description");
            return this;
        }

        public Builder argument(PromptArgument argument) {
            Objects.requireNonNull(argument, "argument");
            if (arguments.putIfAbsent(argument.name(), argument) != null) {
                throw new IllegalArgumentException("argument : \"" + argument.name() + "\" (expected: each name once)");
            }
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

        /**
         * Whether the handler or the completers may block. Default: false, since most prompts
         * only assemble text; a blocking prompt runs on the bounded executor.
         */
        public Builder blocking(boolean blocking) {
            this.blocking = blocking;
            return this;
        }

        public Builder handler(PromptHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            this.askingHandler = null;
            return this;
        }

        /**
         * A handler that may ask the client (elicitation, sampling, roots) before it fills the
         * prompt in; in the 2025 era the prompt must be {@code blocking(true)} to wait for answers.
         */
        public Builder askingHandler(AskingPromptHandler handler) {
            this.askingHandler = Objects.requireNonNull(handler, "handler");
            this.handler = null;
            return this;
        }

        /** Suggests values of the argument {@code name}, which must be declared before. */
        public Builder completion(String name, Completer completer) {
            Objects.requireNonNull(name, "name");
            if (!arguments.containsKey(name)) {
                throw new IllegalArgumentException("completion : \"" + name + "\" (expected: a declared argument, one of "
                        + arguments.keySet() + ")");
            }
            completers.put(name, Objects.requireNonNull(completer, "completer"));
            return this;
        }

        public Prompt build() {
            if (handler == null && askingHandler == null) {
                throw new IllegalStateException("prompt \"" + name + "\" has no handler");
            }
            return new Prompt(this);
        }
    }
}
