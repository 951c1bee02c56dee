package io.peregrine.tool;

import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.internal.DefinitionJson;
import io.peregrine.tool.internal.ToolJson;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A tool: its MCP definition (name, title, description, input and output schema, annotations,
 * icons, {@code _meta}) and how Peregrine runs it (handler, blocking or not, timeout, whether its
 * arguments are validated).
 *
 * <pre>{@code
 * Tool echo = Tool.builder("echo")
 *         .description("Returns the message it is given")
 *         .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}")
 *         .blocking(false)
 *         .handler((args, ctx) -> ToolResult.text(args.string("message")))
 *         .build();
 * }</pre>
 */
public final class Tool {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");
    private static final RawJson EMPTY_OBJECT_SCHEMA = RawJson.of("{\"type\":\"object\"}");

    private final String name;
    private final String title;
    private final String description;
    private final RawJson inputSchema;
    private final RawJson outputSchema;
    private final ToolAnnotations annotations;
    private final List<Icon> icons;
    private final Map<String, Object> meta;
    private final boolean blocking;
    private final Duration timeout;
    private final boolean validateArguments;
    private final ToolHandler handler;
    private final AsyncToolHandler asyncHandler;
    private final Duration cacheTtl;
    private final CacheScope cacheScope;
    private final TaskSupport taskSupport;
    private final boolean startsTaskItself;
    private final String definitionJson;

    private Tool(Builder b) {
        this.name = b.name;
        this.title = b.title();
        this.description = b.description();
        this.inputSchema = b.inputSchema;
        this.outputSchema = b.outputSchema;
        this.annotations = b.annotations;
        this.icons = b.icons();
        this.meta = b.meta();
        this.blocking = b.isBlocking();
        this.timeout = b.timeout;
        this.validateArguments = b.validateArguments;
        this.asyncHandler = b.asyncHandler;
        this.handler = b.asyncHandler != null ? waitingFor(b.asyncHandler) : requireNonNull(b.handler, "handler");
        this.cacheTtl = b.cacheTtl;
        this.cacheScope = b.cacheScope;
        this.taskSupport = b.taskSupport;
        this.startsTaskItself = b.startsTaskItself;
        this.definitionJson = encodeDefinition();
    }

    /** A builder for the tool {@code name} (1 to 128 of {@code A-Z a-z 0-9 _ - .}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** The title, or null. */
    public String title() {
        return title;
    }

    /** Whether results are cached (see {@link Builder#cacheable}). */
    public boolean isCacheable() {
        return cacheTtl != null;
    }

    /** How long a result is cached, or null when the tool is not cacheable. */
    public Duration cacheTtl() {
        return cacheTtl;
    }

    /** Who a cached result may answer, or null when the tool is not cacheable. */
    public CacheScope cacheScope() {
        return cacheScope;
    }

    /** The description, or null. */
    public String description() {
        return description;
    }

    /** The JSON Schema of the arguments, as compact JSON text. */
    public String inputSchemaJson() {
        return inputSchema.json();
    }

    /** The JSON Schema of the result's {@code structuredContent} as compact JSON text, or null. */
    public String outputSchemaJson() {
        return outputSchema == null ? null : outputSchema.json();
    }

    /** The annotations, or null. */
    public ToolAnnotations annotations() {
        return annotations;
    }

    public boolean isBlocking() {
        return blocking;
    }

    /** The tool's own timeout, or null for the server's default. */
    public Duration timeout() {
        return timeout;
    }

    public boolean validatesArguments() {
        return validateArguments;
    }

    /** Whether calls may (or must) run as tasks; {@link TaskSupport#FORBIDDEN} by default. */
    public TaskSupport taskSupport() {
        return taskSupport;
    }

    /** Whether the handler decides when a call becomes a task, with {@link ToolContext#continueAsTask()}. */
    public boolean startsTaskItself() {
        return startsTaskItself;
    }

    /**
     * The handler; for a tool built with an {@link AsyncToolHandler}, one that waits for its stage
     * (the server itself starts such a tool's calls with {@link #asyncHandler()}).
     */
    public ToolHandler handler() {
        return handler;
    }

    /** The asynchronous handler, or null for a tool built with a {@link ToolHandler}. */
    public AsyncToolHandler asyncHandler() {
        return asyncHandler;
    }

    /** {@code async} as a handler that waits for its stage, cancelling it when the waiting thread is interrupted. */
    private static ToolHandler waitingFor(AsyncToolHandler async) {
        return (arguments, context) -> {
            java.util.concurrent.CompletableFuture<ToolResult> f = async.call(arguments, context).toCompletableFuture();
            try {
                return f.get();
            } catch (InterruptedException e) {
                f.cancel(false);
                throw e;
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof Exception ? (Exception) cause : e;
            }
        };
    }

    /** The icons, in the order they were added. */
    public List<Icon> icons() {
        return icons;
    }

    /** The definition's {@code _meta}, or null. */
    public Map<String, Object> meta() {
        return meta;
    }

    /** The definition as {@code tools/list} returns it, encoded once. */
    public String definitionJson() {
        return definitionJson;
    }

    private String encodeDefinition() {
        return DefinitionJson.encode(g -> {
            g.writeStringField("name", name);
            ToolJson.writeOptional(g, "title", title);
            ToolJson.writeOptional(g, "description", description);
            g.writeFieldName("inputSchema");
            g.writeRawValue(inputSchema.json());
            if (outputSchema != null) {
                g.writeFieldName("outputSchema");
                g.writeRawValue(outputSchema.json());
            }
            if (annotations != null) {
                g.writeFieldName("annotations");
                annotations.writeTo(g);
            }
            ToolJson.writeIcons(g, icons);
            if (taskSupport != TaskSupport.FORBIDDEN) {
                g.writeObjectFieldStart("execution");
                g.writeStringField("taskSupport", taskSupport.wire());
                g.writeEndObject();
            }
            ToolJson.writeMeta(g, meta);
        });
    }

    @Override
    public String toString() {
        return "Tool(" + name + ")";
    }

    /**
     * Builds a {@link Tool}; every setter validates at once. Title, description, icons,
     * {@code _meta} and {@code blocking} are those of every definition ({@link DefinitionBuilder}).
     */
    public static final class Builder extends DefinitionBuilder<Builder> {
        private final String name;
        private RawJson inputSchema = EMPTY_OBJECT_SCHEMA;
        private RawJson outputSchema;
        private ToolAnnotations annotations;
        private Duration timeout;
        private boolean validateArguments = true;
        private ToolHandler handler;
        private AsyncToolHandler asyncHandler;
        private Duration cacheTtl;
        private CacheScope cacheScope;
        private TaskSupport taskSupport = TaskSupport.FORBIDDEN;
        private boolean startsTaskItself;

        private Builder(String name) {
            super(true);
            requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name : \"" + name
                        + "\" (expected: 1 to 128 characters of A-Z a-z 0-9 _ - .)");
            }
            this.name = name;
        }

        /**
         * The JSON Schema (2020-12 unless it names another {@code $schema}) of the arguments; its
         * root must be {@code "type": "object"}. Default: any object.
         */
        public Builder inputSchema(String schemaJson) {
            RawJson schema = schema(schemaJson, "inputSchema");
            if (!"object".equals(objectOf(schema, "inputSchema").get("type"))) {
                throw new IllegalArgumentException("inputSchema : " + schema + " (expected: \"type\": \"object\" at the root)");
            }
            this.inputSchema = schema;
            return this;
        }

        /** The JSON Schema of the result's {@code structuredContent}, a JSON object. Default: none. */
        public Builder outputSchema(String schemaJson) {
            RawJson schema = schema(schemaJson, "outputSchema");
            objectOf(schema, "outputSchema");
            this.outputSchema = schema;
            return this;
        }

        /** Hints about the tool's behaviour for clients. Default: none. */
        public Builder annotations(ToolAnnotations annotations) {
            this.annotations = requireNonNull(annotations, "annotations");
            return this;
        }

        /** How long a call may run before it is cancelled and answered with an error result. Default: the server's. */
        public Builder timeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout : " + timeout + " (expected: > 0)");
            }
            this.timeout = timeout;
            return this;
        }

        /** Whether arguments are checked against the input schema before the handler runs. Default: true. */
        public Builder validateArguments(boolean validate) {
            this.validateArguments = validate;
            return this;
        }

        /** The code that runs each call. Required, unless {@link #asyncHandler} is given instead. */
        public Builder handler(ToolHandler handler) {
            this.handler = requireNonNull(handler, "handler");
            this.asyncHandler = null;
            return this;
        }

        /**
         * The code that starts each call and answers it later, holding no thread meanwhile
         * ({@link AsyncToolHandler}); replaces {@link #handler}. With {@code blocking(false)} it
         * starts on the I/O thread, and calls are still timed, cancellable and counted in flight
         * as blocking ones are; it may allow tasks either way.
         */
        public Builder asyncHandler(AsyncToolHandler handler) {
            this.asyncHandler = requireNonNull(handler, "handler");
            this.handler = null;
            return this;
        }

        /**
         * Caches results for {@code ttl}, keyed by the canonical arguments (and, for
         * {@link CacheScope#PRIVATE}, the principal); identical calls in flight share one
         * execution. Only for tools whose annotations say they are read-only and idempotent.
         * Error results are never cached. Default: not cached.
         */
        public Builder cacheable(Duration ttl, CacheScope scope) {
            requireNonNull(ttl, "ttl");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("cacheable ttl : " + ttl + " (expected: > 0)");
            }
            this.cacheTtl = ttl;
            this.cacheScope = requireNonNull(scope, "scope");
            return this;
        }

        /**
         * Whether calls may run as tasks: the client polls {@code tasks/get} for the result instead
         * of waiting on the call. Needs {@code blocking(true)}; default {@link TaskSupport#FORBIDDEN}.
         */
        public Builder taskSupport(TaskSupport support) {
            this.taskSupport = requireNonNull(support, "support");
            return this;
        }

        /**
         * The handler decides when a call becomes a task (2026-07-28): the call arrives as a
         * plain one, may gather input over {@code input_required} rounds, and becomes a task when
         * the handler calls {@link ToolContext#continueAsTask()}, so that every question is
         * settled before the client is handed a task. Needs a {@link #taskSupport} other than
         * forbidden; in 2025-11-25 a call asked as a task is one from the start. Default false.
         */
        public Builder startsTaskItself(boolean startsTaskItself) {
            this.startsTaskItself = startsTaskItself;
            return this;
        }

        /**
         * The tool.
         *
         * @throws IllegalStateException when it has no handler, or its settings contradict each other
         */
        public Tool build() {
            if (handler == null && asyncHandler == null) {
                throw new IllegalStateException("tool \"" + name + "\" has no handler (expected: handler(...) or asyncHandler(...))");
            }
            if (cacheTtl != null && (annotations == null || !annotations.readOnly() || !annotations.idempotent())) {
                throw new IllegalStateException("tool \"" + name + "\" is cacheable but not declared read-only and "
                        + "idempotent (expected: annotations(ToolAnnotations.builder().readOnly(true).idempotent(true).build()))");
            }
            if (startsTaskItself && taskSupport == TaskSupport.FORBIDDEN) {
                throw new IllegalStateException("tool \"" + name + "\" : startsTaskItself (expected: a taskSupport "
                        + "other than forbidden)");
            }
            if (taskSupport != TaskSupport.FORBIDDEN && !isBlocking() && asyncHandler == null) {
                throw new IllegalStateException("tool \"" + name + "\" : taskSupport " + taskSupport.wire()
                        + " (expected: blocking(true) or an asyncHandler, since a task runs apart from its request)");
            }
            return new Tool(this);
        }

        private static RawJson schema(String json, String what) {
            requireNonNull(json, what);
            try {
                return RawJson.of(json);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + " : " + e.getMessage() + " (expected: a JSON Schema object)", e);
            }
        }

        private static Map<?, ?> objectOf(RawJson schema, String what) {
            try {
                Object tree = JsonTree.parse(schema.json());
                if (!(tree instanceof Map)) {
                    throw new IllegalArgumentException(what + " : " + schema + " (expected: a JSON object)");
                }
                return (Map<?, ?>) tree;
            } catch (IOException e) {
                throw new IllegalArgumentException(what + " : " + e.getMessage(), e);
            }
        }
    }
}
