package io.peregrine.prompt;

import io.peregrine.completion.Completer;
import io.peregrine.tool.DefinitionBuilder;
import io.peregrine.tool.Icon;
import io.peregrine.tool.internal.DefinitionJson;
import io.peregrine.tool.internal.ToolJson;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

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

    private Prompt(String name, List<PromptArgument> arguments, boolean blocking, PromptHandler handler,
                   AskingPromptHandler askingHandler, Map<String, Completer> completers, String definitionJson) {
        this.name = name;
        this.arguments = List.copyOf(arguments);
        this.blocking = blocking;
        this.handler = handler;
        this.askingHandler = askingHandler;
        this.completers = Map.copyOf(completers);
        this.definitionJson = definitionJson;
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

    @Override
    public String toString() {
        return "Prompt(" + name + ")";
    }

    /**
     * Builds a {@link Prompt}; every setter validates at once. Title, description, icons,
     * {@code _meta} and {@code blocking} (which covers the completers too; default false, since
     * most prompts only assemble text) are those of every definition.
     */
    public static final class Builder extends DefinitionBuilder<Builder> {
        private final String name;
        private final Map<String, PromptArgument> arguments = new LinkedHashMap<>();
        private PromptHandler handler;
        private AskingPromptHandler askingHandler;
        private final Map<String, Completer> completers = new LinkedHashMap<>();

        private Builder(String name) {
            super(false);
            requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("name : \"\" (expected: a non-empty prompt name)");
            }
            this.name = name;
        }

        /** Declares an argument; each name once, listed in the order declared. */
        public Builder argument(PromptArgument argument) {
            requireNonNull(argument, "argument");
            if (arguments.putIfAbsent(argument.name(), argument) != null) {
                throw new IllegalArgumentException("argument : \"" + argument.name() + "\" (expected: each name once)");
            }
            return this;
        }

        /** The code that fills the prompt in. Required, unless {@link #askingHandler} is given instead. */
        public Builder handler(PromptHandler handler) {
            this.handler = requireNonNull(handler, "handler");
            this.askingHandler = null;
            return this;
        }

        /**
         * A handler that may ask the client (elicitation, sampling, roots) before it fills the
         * prompt in; in the 2025 era the prompt must be {@code blocking(true)} to wait for answers.
         */
        public Builder askingHandler(AskingPromptHandler handler) {
            this.askingHandler = requireNonNull(handler, "handler");
            this.handler = null;
            return this;
        }

        /** Suggests values of the argument {@code name}, which must be declared before. */
        public Builder completion(String name, Completer completer) {
            requireNonNull(name, "name");
            if (!arguments.containsKey(name)) {
                throw new IllegalArgumentException("completion : \"" + name + "\" (expected: a declared argument, one of "
                        + arguments.keySet() + ")");
            }
            completers.put(name, requireNonNull(completer, "completer"));
            return this;
        }

        /**
         * The prompt.
         *
         * @throws IllegalStateException when it has no handler
         */
        public Prompt build() {
            if (handler == null && askingHandler == null) {
                throw new IllegalStateException("prompt \"" + name + "\" has no handler (expected: handler(...) "
                        + "or askingHandler(...))");
            }
            List<PromptArgument> declared = List.copyOf(arguments.values());
            return new Prompt(name, declared, isBlocking(), handler, askingHandler, completers, encode(declared));
        }

        private String encode(List<PromptArgument> declared) {
            String title = title();
            String description = description();
            List<Icon> icons = icons();
            Map<String, Object> meta = meta();
            return DefinitionJson.encode(g -> {
                g.writeStringField("name", name);
                ToolJson.writeOptional(g, "title", title);
                ToolJson.writeOptional(g, "description", description);
                if (!declared.isEmpty()) {
                    g.writeArrayFieldStart("arguments");
                    for (PromptArgument a : declared) {
                        g.writeStartObject();
                        g.writeStringField("name", a.name());
                        ToolJson.writeOptional(g, "title", a.title());
                        ToolJson.writeOptional(g, "description", a.description());
                        g.writeBooleanField("required", a.isRequired());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                ToolJson.writeIcons(g, icons);
                ToolJson.writeMeta(g, meta);
            });
        }
    }
}
