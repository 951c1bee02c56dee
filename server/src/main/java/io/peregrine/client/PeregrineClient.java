package io.peregrine.client;

import io.netty.util.concurrent.BlockingOperationException;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RawJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An MCP client on every transport Peregrine serves, in either protocol era.
 *
 * <pre>{@code
 * try (PeregrineClient client = PeregrineClient.builder().url("ws://127.0.0.1:7401/mcp").connect()) {
 *     CallToolResult r = client.callTool("echo", Map.of("message", "hi"));
 *     System.out.println(r.text());
 * }
 * }</pre>
 *
 * <p>The URL chooses the transport: {@code tcp://}, {@code ws://}/{@code wss://},
 * {@code http://}/{@code https://} (Streamable HTTP) or {@code stdio:command args} (the client
 * starts the server). The era is pinned with {@link Builder#protocolVersion} (2025-11-25 by
 * default, with the {@code initialize} handshake; 2026-07-28 without one, every request carrying
 * its version and capabilities in {@code _meta}) or found by {@link Builder#negotiateProtocolVersion()}.
 * Whatever the era, the server's questions (elicitation, sampling, roots) are answered by the same
 * handlers, and the typed calls below return the same types.
 *
 * <p>The client is thread-safe. Requests are correlated by id, so any number may be in flight at
 * once, from any thread, up to a bound ({@link Builder#maxCallsInFlight}). Each has a timeout,
 * after which it fails and the server is told to stop working on it; losing the connection fails
 * every pending request with a message naming it, and the client reconnects when asked to
 * ({@link Builder#reconnect}). Futures complete, and listeners are called, on the client's I/O
 * thread: they must not block, and the blocking methods of this class refuse to run there.
 *
 * <p>This class is the API; {@link ClientConnection} keeps the link. Over 400 lines because it is
 * the one front door of every kind of call; each method is a few lines.
 */
public final class PeregrineClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeregrineClient.class);

    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    /** How many input_required rounds one request may take before the client gives up on it. */
    private static final int MAX_INPUT_ROUNDS = 16;

    private static final String META_SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

    private final ClientConnection connection;
    private final ServerRequestHandlers handlers;
    private final BiConsumer<String, Map<String, Object>> notificationListener;
    private final java.util.function.Consumer<String> missedListener;
    private final DiscoveryCache catalog;
    private final ArgumentValidator validator;
    private final Map<Long, Subscription> listening = new ConcurrentHashMap<>();
    private final List<Subscription> sessionSubscriptions = new CopyOnWriteArrayList<>();
    private final boolean httpTransport;
    /** The client's own subscriptions/listen that keeps the catalog fresh (2026-07-28); null while none is open. */
    private volatile Subscription catalogSubscription;
    private volatile boolean catalogUsed;

    PeregrineClient(ClientConnection connection, ServerRequestHandlers handlers,
                    BiConsumer<String, Map<String, Object>> notificationListener,
                    java.util.function.Consumer<String> missedListener, boolean validate,
                    List<CatalogListener> catalogListeners, boolean httpTransport,
                    List<ConnectionListener> connectionListeners) {
        this.connection = connection;
        this.handlers = handlers;
        this.notificationListener = notificationListener;
        this.missedListener = missedListener;
        this.httpTransport = httpTransport;
        this.validator = validate ? new ArgumentValidator() : null;
        this.catalog = new DiscoveryCache(this::listAll, System::currentTimeMillis);
        catalogListeners.forEach(catalog::addListener);
        if (!catalogListeners.isEmpty()) {
            catalogUsed = true;
        }
        connection.events(new ClientConnection.Events() {
            @Override
            public void onReady(boolean again) {
                if (again) {
                    catalog.reconnected();
                }
                if (catalogUsed) {
                    listenForCatalogChanges();
                }
                for (ConnectionListener l : connectionListeners) {
                    try {
                        l.onReady(again);
                    } catch (RuntimeException e) {
                        log.warn("a connection listener failed", e);
                    }
                }
            }

            @Override
            public void onLost(String reason) {
                catalogSubscription = null;
                for (ConnectionListener l : connectionListeners) {
                    try {
                        l.onLost(reason);
                    } catch (RuntimeException e) {
                        log.warn("a connection listener failed", e);
                    }
                }
            }

            @Override
            public void onNotificationsMissed(String why) {
                log.warn("{}", why);
                // A list_changed may have been among them: what was fetched is fetched again.
                catalog.reconnected();
                if (missedListener != null) {
                    missedListener.accept(why);
                }
            }
        });
    }

    /** Starts configuring a client. */
    public static Builder builder() {
        return new Builder();
    }

    /** Routes a notification: the catalog, the subscriptions, then the application's listener. */
    void onNotification(String method, Map<String, Object> params) {
        CatalogListener.Kind kind = DiscoveryCache.kindOf(method);
        if (kind != null) {
            DiscoveryCache.alsoStale(kind).forEach(catalog::changed);
        }
        Object subscriptionId = Trees.objectOrEmpty(params.get("_meta")).get(META_SUBSCRIPTION_ID);
        Subscription sub = subscriptionId instanceof Number ? listening.get(((Number) subscriptionId).longValue()) : null;
        if (sub != null && "notifications/subscriptions/acknowledged".equals(method)) {
            sub.ack().complete(Trees.objectOrEmpty(params.get("notifications")));
        }
        String uri = Trees.string(params.get("uri"));
        for (Subscription held : sessionSubscriptions) {
            if (held.filter().wants(method, uri)) {
                held.deliver(method, params);
            }
        }
        if (sub != null && sub.filter().wants(method, uri)) {
            sub.deliver(method, params);
        }
        if (notificationListener != null) {
            notificationListener.accept(method, params);
        }
    }

    // ------------------------------------------------------------------ what the server said

    /**
     * How many requests a server may ask questions of during them ({@code tools/call},
     * {@code prompts/get}, {@code resources/read}) are in flight now.
     */
    public int callsInFlight() {
        return connection.scopes().inFlight();
    }

    /** The protocol revision in use: the one the server chose in {@code initialize}, or a 2026 one. */
    public String negotiatedVersion() {
        return connection.negotiatedVersion();
    }

    /**
     * The server's {@code serverInfo} ({@code name}, {@code version}, ...) from {@code initialize},
     * or from {@code server/discover} when negotiation probed with it; empty otherwise.
     */
    public Map<String, Object> serverInfo() {
        return connection.serverInfo();
    }

    /** The server's {@code capabilities} from {@code initialize} or {@code server/discover}; empty otherwise. */
    public Map<String, Object> serverCapabilities() {
        return connection.serverCapabilities();
    }

    /**
     * The capabilities this client declares: those of the requests its handlers answer
     * (elicitation, sampling, roots) and the tasks extension when it was enabled; a copy.
     */
    public Map<String, Object> declaredCapabilities() {
        return new LinkedHashMap<>(handlers.capabilities());
    }

    /** The server's {@code instructions}, or null. */
    public String instructions() {
        return connection.instructions();
    }

    /** Whether the client can send: connected, the era agreed, not closed, not reconnecting. */
    public boolean isConnected() {
        return connection.isReady();
    }

    /** Where the server is: its URL, or {@code stdio:} and its command. */
    public String target() {
        return connection.target();
    }

    // ------------------------------------------------------------------ requests

    /**
     * Sends a request.
     *
     * @param params the request's {@code params} as a JSON tree (see {@link io.peregrine.rpc.JsonTree}); may be null
     * @return completes with the {@code result} object, or fails with a {@link McpClientException};
     *         cancelling it tells the server to stop
     * @throws IllegalArgumentException when {@code params} holds a value that is not JSON
     */
    public CompletableFuture<Map<String, Object>> request(String method, Map<String, ?> params) {
        return send(method, params, null, null).future();
    }

    private PendingRequest send(String method, Map<String, ?> params, ProgressListener listener, String name) {
        return connection.send(method, params, listener, name, Map.of(), false, connection.timeoutMillis());
    }

    /**
     * Sends a notification.
     *
     * @return completes once the server has the notification (written to the connection, or accepted with
     *         HTTP 202), or fails when it could not be delivered
     * @throws IllegalArgumentException when {@code params} holds a value that is not JSON
     */
    public CompletableFuture<Void> notify(String method, Map<String, ?> params) {
        return connection.notify(method, params);
    }

    // ------------------------------------------------------------------ tools

    /** Lists every tool as sent, following {@code nextCursor} through all the pages. Blocks. */
    public List<Map<String, Object>> listTools() {
        checkMayBlock();
        return await(listAll("tools/list", "tools")).items();
    }

    /** One page of {@code tools/list}; {@code cursor} null for the first. */
    public CompletableFuture<Page<ToolInfo>> listToolsPage(String cursor) {
        return page("tools/list", "tools", cursor, ToolInfo::from);
    }

    /** The tools, from the discovery cache (listed once, refreshed when the server says they changed). Blocks. */
    public List<ToolInfo> tools() {
        return cached(CatalogListener.Kind.TOOLS);
    }

    /** The resources, from the discovery cache. Blocks. */
    public List<ResourceInfo> resources() {
        return cached(CatalogListener.Kind.RESOURCES);
    }

    /** The resource templates, from the discovery cache. Blocks. */
    public List<ResourceTemplateInfo> resourceTemplates() {
        return cached(CatalogListener.Kind.RESOURCE_TEMPLATES);
    }

    /** The prompts, from the discovery cache. Blocks. */
    public List<PromptInfo> prompts() {
        return cached(CatalogListener.Kind.PROMPTS);
    }

    /** Hears the changes of the discovery cache from now on. */
    public void addCatalogListener(CatalogListener listener) {
        catalog.addListener(Objects.requireNonNull(listener, "listener"));
        useCatalog();
    }

    private <T> List<T> cached(CatalogListener.Kind kind) {
        checkMayBlock();
        useCatalog();
        return await(catalog.get(kind));
    }

    private void useCatalog() {
        if (!catalogUsed) {
            catalogUsed = true;
            connection.loop().execute(this::listenForCatalogChanges);
        }
    }

    /** 2026-07-28 announces list changes only to a subscriptions/listen that asked; 2025 sessions hear them anyway. */
    private void listenForCatalogChanges() {
        if (!connection.isStateless() || !connection.isReady() || catalogSubscription != null) {
            return;
        }
        Subscription s = openListen(new SubscriptionFilter(true, true, true, List.of()), (m, p) -> { });
        catalogSubscription = s;
        s.ended().whenComplete((v, f) -> {
            if (catalogSubscription == s) {
                catalogSubscription = null;
            }
        });
    }

    /**
     * Calls a tool and waits for its result.
     *
     * @param arguments the tool's arguments as a JSON tree; may be null for none
     * @throws McpClientException on a protocol error, a timeout or a lost connection; a tool that
     *                            ran and failed returns a result that {@link CallToolResult#isError() is an error}
     */
    public CallToolResult callTool(String name, Map<String, ?> arguments) {
        checkMayBlock();
        return await(callToolAsync(name, arguments, null).result());
    }

    /**
     * Calls a tool without waiting. With {@link Builder#validateArguments(boolean)} the arguments
     * are first checked against the tool's cached {@code inputSchema}: arguments that fail fail the
     * call with -32602 and the server's words, and nothing is sent.
     *
     * @param arguments the tool's arguments as a JSON tree; may be null for none
     * @param listener  receives the call's progress notifications; null to ask for none
     */
    public PendingCall callToolAsync(String name, Map<String, ?> arguments, ProgressListener listener) {
        return callToolAsync(name, arguments, listener, null, null);
    }

    /**
     * Calls a tool without waiting, with members of the request's {@code _meta} of the caller's
     * choosing (e.g. {@code io.peregrine/timeoutMs}, the call's own deadline); the client adds its
     * own ({@code progressToken}, the 2026-07-28 members) beside them. A 2026-07-28 call, which
     * later {@code input_required} rounds may send again, keeps a copy of the map, unless it is a
     * {@link HandedOverMeta}.
     *
     * @param meta members of {@code _meta} as a JSON tree; null or empty for none
     */
    public PendingCall callToolAsync(String name, Map<String, ?> arguments, ProgressListener listener,
                                     Map<String, ?> meta) {
        return callToolAsync(name, arguments, listener, meta, null);
    }

    /**
     * Calls a tool without waiting, with handlers of its own for what the server asks of the client
     * during the call and for its log messages: for the requests tied to this call they take
     * precedence over the client's own (see {@link CallHandlers} for which requests are tied to a
     * call on each transport and era).
     *
     * @param handlers the call's handlers; null for none
     */
    public PendingCall callToolAsync(String name, Map<String, ?> arguments, ProgressListener listener,
                                     CallHandlers handlers) {
        return callToolAsync(name, arguments, listener, null, handlers);
    }

    /**
     * Calls a tool without waiting, with members of its {@code _meta} and handlers of its own: see
     * {@link #callToolAsync(String, Map, ProgressListener, Map)} and
     * {@link #callToolAsync(String, Map, ProgressListener, CallHandlers)}.
     *
     * @param meta     members of {@code _meta} as a JSON tree; null or empty for none
     * @param handlers the call's handlers; null for none
     */
    public PendingCall callToolAsync(String name, Map<String, ?> arguments, ProgressListener listener,
                                     Map<String, ?> meta, CallHandlers handlers) {
        return callTool(name, arguments != null ? arguments : Map.of(), () -> arguments, listener, meta, handlers);
    }

    /**
     * Calls a tool without waiting, its arguments given as JSON text that is sent as it is: a
     * gateway relays a call's arguments this way without reading them into a tree. Otherwise as
     * {@link #callToolAsync(String, Map, ProgressListener, Map, CallHandlers)}. The text is read
     * only when the client validates arguments ({@code validateArguments}) or a 2026-07-28 call
     * over Streamable HTTP mirrors some of them into {@code Mcp-Param-*} headers.
     *
     * @param arguments the arguments object
     * @throws IllegalArgumentException when the text has to be read and is not a JSON object
     */
    public PendingCall callToolAsync(String name, RawJson arguments, ProgressListener listener, Map<String, ?> meta,
                                     CallHandlers handlers) {
        Objects.requireNonNull(arguments, "arguments");
        return callTool(name, arguments, () -> argumentsTree(arguments), listener, meta, handlers);
    }

    /**
     * @param sent      the arguments as they go in the request: a JSON tree or {@link RawJson}
     * @param arguments the arguments as a tree, read when something here needs their values
     */
    private PendingCall callTool(String name, Object sent, java.util.function.Supplier<Map<String, ?>> arguments,
                                 ProgressListener listener, Map<String, ?> meta, CallHandlers handlers) {
        Objects.requireNonNull(name, "name");
        Map<String, Object> params = new LinkedHashMap<>(4); // name, arguments, _meta
        params.put("name", name);
        params.put("arguments", sent);
        putMeta(params, meta);
        ToolInfo tool = knownTool(name);
        boolean mirrored = connection.isStateless() && httpTransport;
        Map<String, ?> tree = tool != null && (validator != null || mirrored) ? arguments.get() : null;
        if (validator != null && tool != null) {
            List<String> problems = validator.validate(tool, tree);
            if (!problems.isEmpty()) {
                return new PendingCall(new Rounds<>(PendingRequest.failed("tools/call", new McpClientException(
                        JsonRpcError.INVALID_PARAMS, "Invalid arguments for tool " + name + ": "
                        + String.join("; ", problems), null)), CallToolResult::new, null, null, 0));
            }
        }
        Map<String, String> headers = mirrored ? ParamHeaderValues.of(tool, tree) : Map.of();
        Rounds<CallToolResult> call = rounds("tools/call", params, name, headers, listener, CallToolResult::new,
                handlers);
        if (mirrored) {
            call.retryOnHeaderMismatch(() -> {
                catalog.changed(CatalogListener.Kind.TOOLS);
                return catalog.<ToolInfo>get(CatalogListener.Kind.TOOLS).thenApply(tools -> {
                    ToolInfo fresh = tools.stream().filter(t -> name.equals(t.name())).findFirst().orElse(null);
                    return connection.send("tools/call", params, listener, name,
                            ParamHeaderValues.of(fresh, tree != null ? tree : arguments.get()), false,
                            connection.timeoutMillis());
                });
            });
        }
        return new PendingCall(call);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> argumentsTree(RawJson arguments) {
        Object tree;
        try {
            tree = io.peregrine.rpc.JsonTree.parse(arguments.json());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the arguments are not JSON: " + e.getMessage(), e);
        }
        if (!(tree instanceof Map)) {
            throw new IllegalArgumentException("the arguments are not a JSON object: " + arguments);
        }
        return (Map<String, ?>) tree;
    }

    /**
     * Puts {@code meta} (a JSON tree; null or empty for none) in the request's {@code _meta}. A
     * 2025 request is encoded before the call returns, so the caller's map goes in as it is; a
     * 2026-07-28 request may be sent again in later rounds, after the caller is free to change
     * its map, so it takes a copy, unless the map was handed over ({@link HandedOverMeta}).
     */
    private void putMeta(Map<String, Object> params, Map<String, ?> meta) {
        if (meta != null && !meta.isEmpty()) {
            params.put(RequestParams.META, connection.isStateless() && !(meta instanceof HandedOverMeta)
                    ? new LinkedHashMap<>(meta) : meta);
        }
    }

    /** The tool's cached definition when validation or the HTTP headers need it; null when unknown. */
    private ToolInfo knownTool(String name) {
        if (validator == null && !(httpTransport && connection.isStateless())) {
            return null;
        }
        List<ToolInfo> tools = catalog.peek(CatalogListener.Kind.TOOLS);
        // Fetched once when first needed: validation needs the schema, and a 2026-07-28 call over
        // HTTP must mirror the arguments its schema marks with x-mcp-header into headers.
        if (tools == null && !connection.loop().inEventLoop()) {
            useCatalog();
            try {
                tools = catalog.<ToolInfo>get(CatalogListener.Kind.TOOLS).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                return null;
            }
        }
        if (tools == null) {
            return null;
        }
        for (ToolInfo t : tools) {
            if (name.equals(t.name())) {
                return t;
            }
        }
        return null;
    }

    /** A request that 2026-07-28 may answer with input_required rounds, answered by the handlers. */
    private <T> Rounds<T> rounds(String method, Map<String, Object> params, String name, Map<String, String> headers,
                                 ProgressListener listener, Function<Map<String, Object>, T> reader,
                                 CallHandlers callHandlers) {
        CallScopes.Scope scope = connection.scopes().open(callHandlers);
        PendingRequest first;
        try {
            // Bound before the write: a question on the request's response stream can arrive on the
            // I/O thread before this thread would get to it.
            first = connection.send(method, params, listener, name, headers, false,
                    connection.timeoutMillis(), scope::bind);
        } catch (RuntimeException | Error e) {
            scope.close();
            throw e;
        }
        Rounds<T> rounds;
        if (!connection.isStateless()) {
            rounds = new Rounds<>(first, reader, null, null, 0);
        } else {
            rounds = new Rounds<>(first, reader, inputs -> resolveInputs(inputs, scope), (responses, state) -> {
                Map<String, Object> retry = new LinkedHashMap<>(params);
                retry.put("inputResponses", responses);
                if (state != null) {
                    retry.put("requestState", state);
                }
                return connection.send(method, retry, listener, name, headers, false,
                        connection.timeoutMillis(), scope::bind);
            }, MAX_INPUT_ROUNDS);
        }
        rounds.scope(scope); // closed when the call ends
        return rounds;
    }

    /** Answers the {@code inputRequests} of a 2026-07-28 {@code input_required} result with the handlers. */
    private CompletableFuture<Map<String, Object>> resolveInputs(Map<String, Object> inputRequests,
                                                              CallScopes.Scope scope) {
        Map<String, Object> responses = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> answers = new ArrayList<>();
        for (Map.Entry<String, Object> e : inputRequests.entrySet()) {
            Map<String, Object> request = Trees.objectOrEmpty(e.getValue());
            Object method = request.get("method");
            boolean ofCall = method instanceof String && scope.handles((String) method);
            if (!ofCall && (!(method instanceof String) || !handlers.handles((String) method))) {
                CompletableFuture<Map<String, Object>> refused = new CompletableFuture<>();
                refused.completeExceptionally(new McpClientException(McpClientException.LOCAL, "the server asked for input \""
                        + e.getKey() + "\" with " + method + ", which this client did not declare it answers", null));
                return refused;
            }
            Map<String, Object> params = Trees.objectOrEmpty(request.get("params"));
            answers.add((ofCall ? scope.handle((String) method, params, handlers.pool())
                    : handlers.handle((String) method, params))
                    .thenAccept(result -> responses.put(e.getKey(), result)));
        }
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> new LinkedHashMap<>(responses));
    }

    /**
     * Cancels a call, as {@link PendingCall#cancel(String)} does.
     *
     * @return false when the call had already ended
     */
    public boolean cancel(PendingCall call, String reason) {
        return Objects.requireNonNull(call, "call").cancel(reason);
    }

    // ------------------------------------------------------------------ resources, prompts, completions

    /** One page of {@code resources/list}; {@code cursor} null for the first. */
    public CompletableFuture<Page<ResourceInfo>> listResourcesPage(String cursor) {
        return page("resources/list", "resources", cursor, ResourceInfo::from);
    }

    /** One page of {@code resources/templates/list}; {@code cursor} null for the first. */
    public CompletableFuture<Page<ResourceTemplateInfo>> listResourceTemplatesPage(String cursor) {
        return page("resources/templates/list", "resourceTemplates", cursor, ResourceTemplateInfo::from);
    }

    /** One page of {@code prompts/list}; {@code cursor} null for the first. */
    public CompletableFuture<Page<PromptInfo>> listPromptsPage(String cursor) {
        return page("prompts/list", "prompts", cursor, PromptInfo::from);
    }

    /** Reads a resource. Blocks. */
    public List<ResourceContents> readResource(String uri) {
        checkMayBlock();
        return await(readResourceAsync(uri));
    }

    /** Reads a resource without waiting; in 2026-07-28, input_required rounds are answered by the handlers. */
    public CompletableFuture<List<ResourceContents>> readResourceAsync(String uri) {
        return readResourceAsync(uri, Map.of());
    }

    /**
     * Reads a resource without waiting, with {@code meta} in the request's {@code _meta} (for
     * instance {@code io.peregrine/timeoutMs}, so that the server knows the caller's deadline).
     */
    public CompletableFuture<List<ResourceContents>> readResourceAsync(String uri, Map<String, ?> meta) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("uri", Objects.requireNonNull(uri, "uri"));
        putMeta(params, meta);
        return rounds("resources/read", params, uri, Map.of(), null, r -> {
            List<ResourceContents> contents = new ArrayList<>();
            for (Map<String, Object> c : Trees.objects(r.get("contents"))) {
                contents.add(ResourceContents.from(c));
            }
            return List.copyOf(contents);
        }, null).result();
    }

    /** Gets a prompt filled in with {@code arguments}. Blocks. */
    public PromptResult getPrompt(String name, Map<String, String> arguments) {
        checkMayBlock();
        return await(getPromptAsync(name, arguments));
    }

    /** Gets a prompt without waiting; in 2026-07-28, input_required rounds are answered by the handlers. */
    public CompletableFuture<PromptResult> getPromptAsync(String name, Map<String, String> arguments) {
        return getPromptAsync(name, arguments, null);
    }

    /**
     * Gets a prompt without waiting, with handlers of its own for what the server asks of the
     * client meanwhile (see {@link CallHandlers}).
     *
     * @param handlers the request's handlers; null for none
     */
    public CompletableFuture<PromptResult> getPromptAsync(String name, Map<String, String> arguments,
                                                          CallHandlers handlers) {
        return getPromptAsync(name, arguments, Map.of(), handlers);
    }

    /**
     * Gets a prompt without waiting, with {@code meta} in the request's {@code _meta} (for
     * instance {@code io.peregrine/timeoutMs}) and handlers of its own (see {@link CallHandlers}).
     *
     * @param handlers the request's handlers; null for none
     */
    public CompletableFuture<PromptResult> getPromptAsync(String name, Map<String, String> arguments,
                                                          Map<String, ?> meta, CallHandlers handlers) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", Objects.requireNonNull(name, "name"));
        params.put("arguments", arguments != null ? arguments : Map.of());
        putMeta(params, meta);
        return rounds("prompts/get", params, name, Map.of(), null, PromptResult::from, handlers).result();
    }

    /**
     * Asks for completions of an argument of a prompt ({@code ref} {@code ref/prompt}, naming it) or
     * of a resource template ({@code ref/resource}, naming its URI template). Blocks.
     *
     * @param context the arguments already given, or null
     */
    public Completion complete(CompletionRef ref, String argument, String value, Map<String, String> context) {
        checkMayBlock();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("ref", Objects.requireNonNull(ref, "ref").tree());
        params.put("argument", Map.of("name", Objects.requireNonNull(argument, "argument"),
                "value", Objects.requireNonNull(value, "value")));
        if (context != null && !context.isEmpty()) {
            params.put("context", Map.of("arguments", context));
        }
        return Completion.from(await(request("completion/complete", params)));
    }

    /**
     * Sets the lowest level of log messages the server sends: {@code logging/setLevel} in the 2025
     * revisions; in 2026-07-28, {@code _meta["io.modelcontextprotocol/logLevel"]} of every request
     * from now on. Blocks in the 2025 era.
     */
    public void setLoggingLevel(String level) {
        Objects.requireNonNull(level, "level");
        if (connection.isStateless()) {
            connection.logLevel(level);
            return;
        }
        checkMayBlock();
        await(request("logging/setLevel", Map.of("level", level)));
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * Opens a stream of change notifications: {@code subscriptions/listen} in 2026-07-28, or in the
     * 2025 revisions {@code resources/subscribe} for the URIs and the notifications every session
     * hears, filtered; either way {@code listener} hears only what {@code filter} asks for, on the
     * client's I/O thread.
     */
    public Subscription listen(SubscriptionFilter filter, BiConsumer<String, Map<String, Object>> listener) {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(listener, "listener");
        if (connection.isStateless()) {
            return openListen(filter, listener);
        }
        Subscription s = new Subscription(filter, listener);
        List<CompletableFuture<Map<String, Object>>> subscribed = new ArrayList<>();
        for (String uri : filter.resourceUris()) {
            subscribed.add(request("resources/subscribe", Map.of("uri", uri)));
        }
        sessionSubscriptions.add(s);
        s.closer(() -> {
            sessionSubscriptions.remove(s);
            for (String uri : filter.resourceUris()) {
                request("resources/unsubscribe", Map.of("uri", uri));
            }
        });
        CompletableFuture.allOf(subscribed.toArray(new CompletableFuture<?>[0])).whenComplete((v, f) -> {
            if (f != null) {
                s.ack().completeExceptionally(f instanceof java.util.concurrent.CompletionException ? f.getCause() : f);
                s.close();
            } else {
                Map<String, Object> agreed = new LinkedHashMap<>();
                agreed.put("toolsListChanged", filter.toolsListChanged());
                agreed.put("promptsListChanged", filter.promptsListChanged());
                agreed.put("resourcesListChanged", filter.resourcesListChanged());
                agreed.put("resourceSubscriptions", filter.resourceUris());
                s.ack().complete(agreed);
            }
        });
        return s;
    }

    private Subscription openListen(SubscriptionFilter filter, BiConsumer<String, Map<String, Object>> listener) {
        Map<String, Object> notifications = new LinkedHashMap<>();
        notifications.put("toolsListChanged", filter.toolsListChanged());
        notifications.put("promptsListChanged", filter.promptsListChanged());
        notifications.put("resourcesListChanged", filter.resourcesListChanged());
        if (!filter.resourceUris().isEmpty()) {
            notifications.put("resourceSubscriptions", filter.resourceUris());
        }
        Subscription s = new Subscription(filter, listener);
        // Long-lived: no timeout, and no slot among the calls in flight. Listed under its id before it
        // is written, so that an acknowledgment read at once on the I/O thread finds it.
        PendingRequest listen = connection.send("subscriptions/listen", Map.of("notifications", notifications),
                null, null, Map.of(), true, 0, sent -> listening.put(sent.id(), s));
        s.closer(() -> listen.cancel("subscription closed"));
        listen.future().whenComplete((r, f) -> {
            listening.remove(listen.id(), s);
            if (f == null) {
                s.end().complete(null);
            } else {
                s.ack().completeExceptionally(f);
                s.end().completeExceptionally(f);
            }
        });
        return s;
    }

    // ------------------------------------------------------------------ tasks

    /**
     * Calls a tool as a task; the result names the task, which {@link #getTask}, {@link #taskResult}
     * and {@link #cancelTask} reach. In 2025-11-25 the call asks with {@code params.task}; in
     * 2026-07-28 a client that declared the tasks extension ({@link Builder#tasksExtension()})
     * gets a task from any tool that supports one; a tool there that gathers input before its task
     * begins answers with {@code input_required} rounds first, which the client's handlers answer.
     * Blocks.
     *
     * @throws McpClientException when the server ran the call at once instead (the tool has no task support)
     */
    public TaskInfo callToolAsTask(String name, Map<String, ?> arguments) {
        checkMayBlock();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", Objects.requireNonNull(name, "name"));
        params.put("arguments", arguments != null ? arguments : Map.of());
        Map<String, Object> result;
        if (connection.isStateless()) {
            result = await(rounds("tools/call", params, name, Map.of(), null, tree -> tree, null).result());
        } else {
            params.put("task", Map.of());
            result = await(connection.send("tools/call", params, null, name, Map.of(),
                    false, connection.timeoutMillis()).future());
        }
        if (!(result.get("task") instanceof Map) && !"task".equals(result.get("resultType"))) {
            throw new McpClientException(McpClientException.LOCAL, "the server ran tools/call of " + name
                    + " at once instead of as a task" + (connection.isStateless()
                    ? " (it needs the tasks extension declared, and a tool that supports tasks)" : ""), null);
        }
        return TaskInfo.from(result);
    }

    /**
     * Calls a tool as a 2025-11-25 task and follows it to its end without blocking: {@code tools/call}
     * with {@code params.task}, then {@code tasks/result}, whose answer completes the future (a server
     * that answers the call at once completes it with that answer). What the server asks about the
     * task ({@code _meta["io.modelcontextprotocol/related-task"]}) goes to {@code handlers}, as a
     * call's own questions do; cancelling the future cancels the call, or the task once it is named
     * ({@code tasks/cancel}). A gateway relays a tool that runs only as a task this way.
     *
     * @param arguments the arguments object as JSON text, sent as it is
     * @param meta      members of the request's {@code _meta}; null for none
     * @param handlers  the call's handlers; null for none
     * @throws IllegalStateException when the client speaks 2026-07-28
     */
    public CompletableFuture<CallToolResult> callToolAsTaskAsync(String name, RawJson arguments, Map<String, ?> meta,
                                                                 CallHandlers handlers) {
        if (connection.isStateless()) {
            throw new IllegalStateException("callToolAsTaskAsync follows a 2025-11-25 task; this client speaks "
                    + negotiatedVersion() + ", whose tasks extension callToolAsTask and taskResult follow");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", Objects.requireNonNull(name, "name"));
        params.put("arguments", Objects.requireNonNull(arguments, "arguments"));
        params.put("task", Map.of());
        putMeta(params, meta);
        CallScopes.Scope scope = connection.scopes().open(handlers);
        CompletableFuture<CallToolResult> answer = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<String> task = new java.util.concurrent.atomic.AtomicReference<>();
        PendingRequest created;
        try {
            created = connection.send("tools/call", params, null, name, Map.of(), false,
                    connection.timeoutMillis(), scope::bind);
        } catch (RuntimeException | Error e) {
            scope.close();
            throw e;
        }
        created.future().whenComplete((r, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
                return;
            }
            Object t = r.get("task");
            Object id = t instanceof Map ? ((Map<?, ?>) t).get("taskId") : null;
            if (!(id instanceof String)) {
                answer.complete(new CallToolResult(r)); // answered at once after all
                return;
            }
            // Tied before the next message is read: the task's first question may follow at once.
            scope.bindTask((String) id);
            task.set((String) id);
            if (answer.isDone()) {
                send("tasks/cancel", Map.of("taskId", id), null, (String) id);
                return;
            }
            send("tasks/result", Map.of("taskId", id), null, (String) id).future().whenComplete((result, f) -> {
                if (f != null) {
                    answer.completeExceptionally(f);
                } else {
                    answer.complete(new CallToolResult(result));
                }
            });
        });
        answer.whenComplete((r, f) -> {
            // Cancelled before the task is named: the server starts it as it answers, and cancelling the
            // tools/call would not stop it, so the answer's arrival sends tasks/cancel (above).
            String id = task.get();
            if (answer.isCancelled() && id != null) {
                send("tasks/cancel", Map.of("taskId", id), null, id);
            }
            scope.close();
        });
        return answer;
    }

    /** A task's status. Blocks. */
    public TaskInfo getTask(String taskId) {
        checkMayBlock();
        return TaskInfo.from(await(send("tasks/get", Map.of("taskId", taskId), null, taskId).future()));
    }

    /**
     * Waits for a task's end and returns its tool result: {@code tasks/result} in 2025-11-25;
     * in 2026-07-28, which has none, {@code tasks/get} at the server's poll interval until the
     * task ends (within the request timeout), answering the input requests of a task that waits
     * for them with the client's handlers ({@code tasks/update}), as a call's rounds are. Blocks.
     *
     * @throws McpClientException with the task's error when it failed, or when it does not end in time
     */
    public CallToolResult taskResult(String taskId) {
        checkMayBlock();
        if (!connection.isStateless()) {
            return new CallToolResult(await(send("tasks/result", Map.of("taskId", taskId), null, taskId).future()));
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(connection.timeoutMillis());
        while (true) {
            Map<String, Object> got = await(send("tasks/get", Map.of("taskId", taskId), null, taskId).future());
            TaskInfo task = TaskInfo.from(got);
            Map<String, Object> inputs = Trees.objectOrEmpty(got.get("inputRequests"));
            if ("input_required".equals(task.status()) && !inputs.isEmpty()) {
                CallScopes.Scope scope = connection.scopes().open(null);
                Map<String, Object> responses;
                try {
                    responses = await(resolveInputs(inputs, scope));
                } finally {
                    scope.close();
                }
                await(send("tasks/update", Map.of("taskId", taskId, "inputResponses", responses), null, taskId).future());
                continue;
            }
            if (task.isTerminal()) {
                Map<String, Object> error = Trees.objectOrEmpty(got.get("error"));
                if (!error.isEmpty()) {
                    Object code = error.get("code");
                    throw new McpClientException(code instanceof Number ? ((Number) code).intValue() : 0,
                            String.valueOf(error.get("message")), error.get("data"));
                }
                return new CallToolResult(Trees.objectOrEmpty(got.get("result")));
            }
            long pause = task.pollInterval() != null ? Math.max(10, task.pollInterval()) : 500;
            if (System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(pause) > deadline) {
                throw new McpClientException(McpClientException.LOCAL, "task " + taskId + " did not end within "
                        + connection.timeoutMillis() + " ms (status " + task.status() + ")", null);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new McpClientException("interrupted while waiting for task " + taskId, e);
            }
        }
    }

    /** The tasks the server keeps for this client, every page. Blocks. */
    public List<TaskInfo> listTasks() {
        checkMayBlock();
        List<TaskInfo> tasks = new ArrayList<>();
        for (Map<String, Object> t : await(listAll("tasks/list", "tasks")).items()) {
            tasks.add(TaskInfo.from(t));
        }
        return tasks;
    }

    /** Cancels a task. Blocks. */
    public void cancelTask(String taskId) {
        checkMayBlock();
        await(send("tasks/cancel", Map.of("taskId", taskId), null, taskId).future());
    }

    // ------------------------------------------------------------------ discovery, ping

    /** Asks the server what it supports ({@code server/discover}: versions, capabilities, ...). Blocks. */
    public Map<String, Object> discover() {
        checkMayBlock();
        return await(request("server/discover", null));
    }

    /**
     * Checks the server answers, and waits for it: {@code ping} in the 2025 revisions,
     * {@code server/discover} in 2026-07-28, which has no ping.
     */
    public void ping() {
        checkMayBlock();
        await(request(connection.isStateless() ? "server/discover" : "ping", null));
    }

    // ------------------------------------------------------------------ lists

    private <T> CompletableFuture<Page<T>> page(String method, String key, String cursor,
                                                Function<Map<String, Object>, T> reader) {
        return request(method, cursor == null ? null : Map.of("cursor", cursor)).thenApply(result -> {
            List<T> items = new ArrayList<>();
            for (Map<String, Object> item : Trees.objects(result.get(key))) {
                items.add(reader.apply(item));
            }
            Object ttl = result.get("ttlMs");
            return new Page<>(items, Trees.string(result.get("nextCursor")),
                    ttl instanceof Number ? ((Number) ttl).longValue() : null);
        });
    }

    /** Every page of a list, without blocking; the shortest ttlMs of the pages. */
    private CompletableFuture<DiscoveryCache.ListResult> listAll(String method, String key) {
        CompletableFuture<DiscoveryCache.ListResult> done = new CompletableFuture<>();
        nextPage(method, key, null, new ArrayList<>(), new HashSet<>(), null, done);
        return done;
    }

    private void nextPage(String method, String key, String cursor, List<Map<String, Object>> items,
                          Set<String> cursors, Long ttl, CompletableFuture<DiscoveryCache.ListResult> done) {
        request(method, cursor == null ? null : Map.of("cursor", cursor)).whenComplete((page, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
                return;
            }
            items.addAll(Trees.objects(page.get(key)));
            Object pageTtl = page.get("ttlMs");
            Long shortest = pageTtl instanceof Number
                    ? Long.valueOf(ttl == null ? ((Number) pageTtl).longValue() : Math.min(ttl, ((Number) pageTtl).longValue()))
                    : ttl;
            String next = Trees.string(page.get("nextCursor"));
            if (next == null) {
                done.complete(new DiscoveryCache.ListResult(List.copyOf(items), shortest));
            } else if (!cursors.add(next)) {
                done.completeExceptionally(new McpClientException(McpClientException.LOCAL, "the server sent the cursor \""
                        + next + "\" twice; following it would never end", null));
            } else {
                nextPage(method, key, next, items, cursors, shortest, done);
            }
        });
    }

    /** Requests still awaiting their response; for tests. */
    int pendingRequests() {
        return connection.pendingRequests();
    }

    // ------------------------------------------------------------------ blocking

    /**
     * The I/O thread completes every future; if it waited on one, nothing would ever complete it.
     * Checked before anything is sent, so that a refused call leaves no request behind.
     */
    private void checkMayBlock() {
        if (connection.loop().inEventLoop()) {
            throw new BlockingOperationException("a blocking call on the client's I/O thread would wait forever; "
                    + "use the asynchronous variant, or run dependent stages on an executor of their own");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            // Nobody will wait for the answer any more: let the server stop too.
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new McpClientException("interrupted while waiting for a response", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException) cause
                    : new McpClientException(String.valueOf(cause), cause);
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Closes the connection (a Streamable HTTP session is deleted, a child process asked to exit)
     * and stops the I/O thread if the client owns it. Pending requests fail with a
     * {@link McpClientException}. Safe to call more than once.
     */
    @Override
    public void close() {
        for (Subscription s : listening.values()) {
            s.end().complete(null);
        }
        connection.close(SHUTDOWN_TIMEOUT_MILLIS);
        log.debug("closed the client of {}", connection.target());
    }

    @Override
    public String toString() {
        return "PeregrineClient(" + connection.target() + ", " + negotiatedVersion() + (isConnected() ? ")" : ", closed)");
    }

    /**
     * Configures and connects a {@link PeregrineClient}. Only where the server is is required:
     * {@link #url}, {@link #tcp} or {@link #address}.
     */
    public static final class Builder {

        private String url;
        private List<String> command;
        private String pinnedVersion = io.peregrine.mcp.ProtocolVersion.LATEST_WITH_SESSION.id();
        private String clientName = "peregrine-client";
        private String clientVersion = "0.1.0";
        private java.time.Duration requestTimeout = java.time.Duration.ofSeconds(30);
        private java.time.Duration connectTimeout;
        private int maxMessageBytes = 16 * 1024 * 1024;
        private BiConsumer<String, Map<String, Object>> notificationListener;
        private java.util.function.Consumer<String> missedListener;
        private String authorization;
        private io.netty.handler.ssl.SslContext sslContext;
        private final ServerRequestHandlers.Builder handlers = new ServerRequestHandlers.Builder();
        private io.netty.channel.EventLoopGroup group;
        private ReconnectPolicy reconnect;
        private int maxCallsInFlight = 1024;
        private boolean relayResults;
        private java.time.Duration inFlightWait = java.time.Duration.ofSeconds(5);
        private int maxHttpConnections = 64;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private java.nio.file.Path directory;
        private boolean validateArguments;
        private boolean h2c;
        private final List<CatalogListener> catalogListeners = new ArrayList<>();
        private final List<ConnectionListener> connectionListeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * Where the server is, and so the transport: {@code tcp://host:port}, {@code ws://host:port/path},
         * {@code wss://...}, {@code http://host:port/path} and {@code https://...} (Streamable HTTP), or
         * {@code stdio:command args...} (the command is split as a shell would split it, and started
         * without one).
         */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            this.url = url;
            this.command = null;
            return this;
        }

        /** The server's host and port over newline-delimited TCP; the host is resolved when connecting. */
        public Builder tcp(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port : " + port + " (expected: 1-65535)");
            }
            return url("tcp://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
        }

        /** A server to start as a child process speaking stdio: the program and its arguments, no shell involved. */
        public Builder stdio(List<String> command) {
            if (Objects.requireNonNull(command, "command").isEmpty()) {
                throw new IllegalArgumentException("command : [] (expected: a program and its arguments)");
            }
            this.command = List.copyOf(command);
            this.url = "stdio:" + String.join(" ", command);
            return this;
        }

        /** The server's address over newline-delimited TCP. */
        public Builder address(java.net.InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            return tcp(address.getHostString(), address.getPort());
        }

        /**
         * Credentials for servers that require them, e.g. {@code "Bearer <token>"}: sent in
         * {@code _meta["io.peregrine/authorization"]} of {@code initialize} (2025 era) or of
         * every request (2026-07-28), and as the {@code Authorization} header of WebSocket
         * handshakes and Streamable HTTP requests. Default: none.
         */
        public Builder authorization(String authorization) {
            this.authorization = Objects.requireNonNull(authorization, "authorization");
            headers.put("Authorization", authorization);
            return this;
        }

        /** An HTTP header for WebSocket handshakes and Streamable HTTP requests. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Speak TLS with this client context (e.g. {@code SslContextBuilder.forClient().trustManager(ca).build()}):
         * on {@code tcp://}, and instead of the default (the JDK's trusted roots, host names verified)
         * on {@code wss://} and {@code https://}.
         */
        public Builder tls(io.netty.handler.ssl.SslContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * Answers the server's {@code elicitation/create} (declaring the {@code elicitation}
         * capability with both modes); see {@link #onElicitation(ClientRequestHandler, boolean, boolean)}.
         */
        public Builder onElicitation(ClientRequestHandler handler) {
            return onElicitation(handler, true, true);
        }

        /**
         * Answers the server's {@code elicitation/create}, declaring the {@code elicitation}
         * capability with the given modes. The handler returns an {@code ElicitResult} tree:
         * {@code {"action":"accept","content":{...}}}, or {@code decline}, or {@code cancel}.
         */
        public Builder onElicitation(ClientRequestHandler handler, boolean formMode, boolean urlMode) {
            Objects.requireNonNull(handler, "handler");
            if (!formMode && !urlMode) {
                throw new IllegalArgumentException("formMode : false, urlMode : false (expected: at least one mode)");
            }
            handlers.elicitation(handler, formMode, urlMode);
            return this;
        }

        /**
         * Answers the server's {@code sampling/createMessage}, declaring {@code sampling}. The
         * handler returns a {@code CreateMessageResult} tree: {@code role}, {@code content}, {@code model}.
         */
        public Builder onSampling(ClientRequestHandler handler) {
            handlers.sampling(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Declares the 2026-07-28 tasks extension ({@code io.modelcontextprotocol/tasks}) in the
         * client capabilities, so that a call of a tool that supports tasks may become one
         * ({@link PeregrineClient#callToolAsTask}). Default: not declared.
         */
        public Builder tasksExtension() {
            handlers.tasksExtension();
            return this;
        }

        /** Answers the server's {@code roots/list} with these roots ({@code file://} URIs to names), declaring {@code roots}. */
        public Builder roots(Map<String, String> roots) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Map.Entry<String, String> e : Objects.requireNonNull(roots, "roots").entrySet()) {
                Map<String, Object> root = new LinkedHashMap<>();
                root.put("uri", Objects.requireNonNull(e.getKey(), "uri"));
                if (e.getValue() != null) {
                    root.put("name", e.getValue());
                }
                list.add(root);
            }
            List<Map<String, Object>> copy = List.copyOf(list);
            return onRootsList(params -> Map.of("roots", copy));
        }

        /** Answers the server's {@code roots/list}, declaring {@code roots}; the handler returns {@code {"roots":[...]}}. */
        public Builder onRootsList(ClientRequestHandler handler) {
            handlers.roots(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Pins the protocol revision: 2025-03-26, 2025-06-18 or 2025-11-25 (the default) with the
         * {@code initialize} handshake, or 2026-07-28, stateless.
         */
        public Builder protocolVersion(String protocolVersion) {
            Objects.requireNonNull(protocolVersion, "protocolVersion");
            if (io.peregrine.mcp.ProtocolVersion.find(protocolVersion) == null) {
                throw new IllegalArgumentException("protocolVersion : " + protocolVersion + " (expected: one of "
                        + io.peregrine.mcp.ProtocolVersion.ids() + ")");
            }
            this.pinnedVersion = protocolVersion;
            return this;
        }

        /**
         * Finds the era instead of pinning it, as the transport rules ask of a client of both eras:
         * {@code server/discover} as 2026-07-28 first; a discover result or a stateless error means the
         * server is stateless (the newest revision both speak is used), anything else that it is a 2025
         * server, which then gets {@code initialize}.
         */
        public Builder negotiateProtocolVersion() {
            this.pinnedVersion = null;
            return this;
        }

        /** The {@code clientInfo} the server is told; default {@code peregrine-client 0.1.0}. */
        public Builder clientInfo(String name, String version) {
            this.clientName = Objects.requireNonNull(name, "name");
            this.clientVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * How long a request waits for its response before it fails and the server is told to stop
         * ({@code notifications/cancelled}, or closing its stream on Streamable HTTP in 2026-07-28);
         * default 30 s. Also the connect timeout unless {@link #connectTimeout} is set.
         */
        public Builder requestTimeout(java.time.Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout : " + timeout + " (expected: > 0)");
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** How long opening a connection (and a WebSocket handshake) may take; default: the request timeout. */
        public Builder connectTimeout(java.time.Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout : " + timeout + " (expected: > 0)");
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * The longest message accepted from the server, in bytes; default 16 MiB. A longer one
         * closes a TCP, WebSocket or stdio connection, failing the pending requests, since it cannot
         * tell whose answer it was; over Streamable HTTP it fails the request it answered.
         */
        public Builder maxLineLength(int maxLineLength) {
            if (maxLineLength <= 0) {
                throw new IllegalArgumentException("maxLineLength : " + maxLineLength + " (expected: > 0)");
            }
            this.maxMessageBytes = maxLineLength;
            return this;
        }

        /** The same limit as {@link #maxLineLength}, by the name that fits every transport. */
        public Builder maxMessageBytes(int maxMessageBytes) {
            if (maxMessageBytes <= 0) {
                throw new IllegalArgumentException("maxMessageBytes : " + maxMessageBytes + " (expected: > 0)");
            }
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /**
         * Receives every notification from the server, with its {@code params} as a JSON tree (empty
         * when absent), on the client's I/O thread: it must not block.
         */
        public Builder onNotification(BiConsumer<String, Map<String, Object>> listener) {
            this.notificationListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Hears that notifications the server sent unasked may have been lost while the client stayed
         * connected: over Streamable HTTP, the session's GET stream broke and the server could not
         * resume it from {@code Last-Event-ID} (or gave its events no ids), or it was given up after
         * repeated failures. The message says which; the client also logs it as a warning and
         * refreshes the discovery cache. Called on the client's I/O thread: it must not block.
         */
        public Builder onNotificationsMissed(java.util.function.Consumer<String> listener) {
            this.missedListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs the client's I/O on one event loop of this group instead of a thread of its own, e.g.
         * the loops of the Peregrine server it is embedded in; the group is not shut down on close.
         */
        public Builder eventLoopGroup(io.netty.channel.EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /**
         * Reconnects when the connection is lost (TCP, WebSocket, a child process that exited, a
         * Streamable HTTP session the server ended): pending requests fail at once with a message
         * naming them, a new connection (and session) is opened with this backoff, the era agreed
         * again and the discovery cache refreshed. Default: no reconnection.
         */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Keeps plain {@code tools/call} results as the bytes the server wrote, read into a tree
         * only if asked for more than {@link CallToolResult#relayed()} gives: for a proxy, which
         * passes them on as they came. Off by default.
         */
        public Builder relayResults(boolean relay) {
            this.relayResults = relay;
            return this;
        }

        /**
         * At most {@code max} requests in flight at once; one more waits up to {@code wait} for a
         * slot, then fails (on the I/O thread it fails at once). Default 1024 and 5 s.
         */
        public Builder maxCallsInFlight(int max, java.time.Duration wait) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxCallsInFlight : " + max + " (expected: > 0)");
            }
            Objects.requireNonNull(wait, "wait");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("wait : " + wait + " (expected: >= 0)");
            }
            this.maxCallsInFlight = max;
            this.inFlightWait = wait;
            return this;
        }

        /** At most this many HTTP/1.1 connections to a Streamable HTTP server at once; default 64. */
        public Builder maxHttpConnections(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxHttpConnections : " + max + " (expected: > 0)");
            }
            this.maxHttpConnections = max;
            return this;
        }

        /**
         * Speaks cleartext HTTP/2 with prior knowledge (h2c) to an {@code http://} Streamable HTTP
         * server: one connection, a stream per exchange. Default: HTTP/1.1 keep-alive connections.
         */
        public Builder h2c(boolean enabled) {
            this.h2c = enabled;
            return this;
        }

        /** An environment variable for a {@code stdio:} server's process. */
        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The working directory of a {@code stdio:} server's process; default this process's. */
        public Builder workingDirectory(java.nio.file.Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Checks the arguments of every {@code tools/call} against the tool's cached
         * {@code inputSchema} before sending it, with the server's validator and messages; default off.
         */
        public Builder validateArguments(boolean validate) {
            this.validateArguments = validate;
            return this;
        }

        /**
         * Hears the link come and go (ready, lost, ready again after a reconnection), on the client's
         * I/O thread. A listener added here hears the first connection too.
         */
        public Builder onConnectionChange(ConnectionListener listener) {
            connectionListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Hears the changes of the discovery cache; the tools, resources and prompts are then kept fresh. */
        public Builder onCatalogChange(CatalogListener listener) {
            catalogListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Connects and agrees on the era ({@code initialize} in the 2025 era).
         *
         * @throws java.io.IOException when the server cannot be reached (or its process started)
         * @throws McpClientException  when the handshake fails
         */
        public PeregrineClient connect() throws java.io.IOException {
            if (url == null) {
                throw new IllegalStateException("no server: call url(...), tcp(host, port) or address(address) first");
            }
            long timeoutMillis = Math.max(1, requestTimeout.toMillis());
            int connectMillis = (int) Math.min(Integer.MAX_VALUE,
                    connectTimeout != null ? connectTimeout.toMillis() : timeoutMillis);
            io.peregrine.client.transport.TransportSettings settings = new io.peregrine.client.transport.TransportSettings(
                    sslContext, connectMillis, maxMessageBytes, headers, maxHttpConnections, h2c);
            io.peregrine.client.transport.ClientTransport transport = command != null
                    ? new io.peregrine.client.transport.StdioProcessTransport(command, environment, directory, settings)
                    : ServerUrls.transport(url, sslContext, settings, environment, directory);
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("name", clientName);
            info.put("version", clientVersion);
            ServerRequestHandlers built = handlers.build();
            io.netty.channel.EventLoopGroup owned = null;
            io.netty.channel.EventLoop loop;
            if (group != null) {
                loop = group.next();
            } else {
                owned = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                        new io.netty.util.concurrent.DefaultThreadFactory("peregrine-client", true),
                        io.netty.channel.nio.NioIoHandler.newFactory());
                loop = owned.next();
            }
            ClientConnection.Settings cs = new ClientConnection.Settings(pinnedVersion, Map.copyOf(info), authorization,
                    timeoutMillis, Math.min(timeoutMillis, 10_000), maxCallsInFlight, inFlightWait.toMillis(), reconnect,
                    relayResults);
            PeregrineClient[] client = new PeregrineClient[1];
            ClientConnection connection = new ClientConnection(transport, loop, owned, cs, built,
                    (method, params) -> client[0].onNotification(method, params));
            client[0] = new PeregrineClient(connection, built, notificationListener, missedListener, validateArguments,
                    List.copyOf(catalogListeners), transport instanceof io.peregrine.client.transport.StreamableHttpTransport,
                    List.copyOf(connectionListeners));
            try {
                await(connection.open());
                return client[0];
            } catch (RuntimeException e) {
                client[0].close();
                throw e;
            } catch (Error e) {
                client[0].close();
                throw e;
            }
        }

        private static <T> T await(CompletableFuture<T> future) throws java.io.IOException {
            try {
                return future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while connecting");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof java.io.IOException) {
                    throw (java.io.IOException) cause;
                }
                throw cause instanceof RuntimeException ? (RuntimeException) cause
                        : new McpClientException(String.valueOf(cause), cause);
            }
        }
    }
}
