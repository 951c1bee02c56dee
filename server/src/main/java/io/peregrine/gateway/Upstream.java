package io.peregrine.gateway;

import io.peregrine.client.ToolInfo;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.ResourceContents;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.ToolArguments;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;
import io.netty.channel.EventLoopGroup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One configured upstream: its endpoints ({@link Endpoints}), the catalog they offer, and the
 * forwarding of calls to them ({@link Forwarder}). The catalog is the first ready endpoint's (the
 * replicas of one service offer the same).
 */
final class Upstream implements AutoCloseable {

    /** Hears that the upstream's offer changed (a list, or an endpoint came or went). */
    interface Listener {
        void changed(Upstream upstream);
    }

    private final UpstreamSpec spec;
    private final ResourceUris uris;
    private final Endpoints endpoints;
    private final Forwarder forwarder;
    private final UpstreamSubscriptions subscriptions;
    private final Listener listener;
    /** Connection attempts made, settled or failed: start-up waits until each endpoint made one. */
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger version = new AtomicInteger();
    /** Where its endpoints come from while it runs, when they are discovered; null for a static list. */
    private volatile io.peregrine.gateway.discovery.EndpointSource source;
    private volatile boolean closed;
    /** While true, start-up waits for the source's first list (at most the connect timeout). */
    private volatile boolean discovering;
    private final ScheduledExecutorService timer;
    /** Where what may block runs (questions put to the gateway's clients). */
    private final Executor workers;
    private volatile java.util.function.Function<String, Upstream> peers = name -> null;

    /** The I/O loops the gateway serves on (see {@link #serveOn}); empty before it listens. */
    private volatile List<io.netty.channel.EventLoop> servingLoops = List.of();

    /**
     * @param updated hears {@code notifications/resources/updated} of a URI the gateway's clients subscribed to
     * @param links   remembers the URIs this upstream points at, when it keeps its URIs
     */
    Upstream(UpstreamSpec spec, Listener listener, java.util.function.Consumer<String> updated, LinkedResources links,
             EventLoopGroup loops, ScheduledExecutorService timer, Executor workers) {
        this.spec = spec;
        this.uris = ResourceUris.of(spec, uri -> links.remember(uri, this));
        this.subscriptions = new UpstreamSubscriptions(this, updated);
        this.listener = listener;
        this.timer = timer;
        this.workers = workers;
        this.endpoints = new Endpoints(this, loops, timer, workers);
        this.endpoints.update(spec.command() != null ? List.of("stdio:" + spec.command()) : spec.urls(), false);
        this.forwarder = new Forwarder(this, endpoints, timer);
    }

    UpstreamSpec spec() {
        return spec;
    }

    /** The I/O loops the gateway serves on, once it listens; empty before. */
    List<io.netty.channel.EventLoop> servingLoops() {
        return servingLoops;
    }

    /** The gateway serves on {@code loops} from now on: each ready network endpoint opens a link on each of them. */
    void serveOn(List<io.netty.channel.EventLoop> loops, Executor workers) {
        servingLoops = List.copyOf(loops);
        for (Replica r : endpoints.all()) {
            try {
                workers.execute(r::linkLoops);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                return; // the gateway is closing
            }
        }
    }

    String name() {
        return spec.name();
    }

    /** How its resource URIs are served. */
    ResourceUris uris() {
        return uris;
    }

    Endpoints endpoints() {
        return endpoints;
    }

    void start() {
        endpoints.start();
        if (spec.discovery() != null) {
            io.peregrine.gateway.discovery.EndpointSource s = spec.discovery().open(spec.name());
            source = s;
            discovering = true;
            // A source that finds nothing in time (or fails) does not hold start-up: it settles empty.
            timer.schedule(this::discovered, spec.connectTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            // Each list found replaces the endpoints: new ones connect, those that left drain.
            s.start(targets -> {
                if (!closed) {
                    endpoints.update(targets, true);
                    discovered();
                }
            });
        }
    }

    /** Whether some endpoint is ready. */
    boolean isReady() {
        return readyReplica() != null;
    }

    /** The first ready endpoint (whose catalog is served, and where resources are subscribed), or null. */
    Replica readyReplica() {
        for (Replica r : endpoints.all()) {
            if (r.isReady()) {
                return r;
            }
        }
        return null;
    }

    private void discovered() {
        if (discovering) {
            discovering = false;
            listener.changed(this);
        }
    }

    /**
     * Whether every endpoint has been tried at least once (connected and listed, or failed), and a
     * discovered upstream's source found its first list or ran out of its connect timeout; with no
     * endpoints that is at once.
     */
    boolean triedAll() {
        if (discovering) {
            return false;
        }
        int settled = 0;
        List<Replica> all = endpoints.all();
        for (Replica r : all) {
            if (r.isReady()) {
                settled++;
            }
        }
        return settled + attempts.get() >= all.size();
    }

    /** What the upstream offers now: the first ready endpoint's lists, or nothing. */
    Replica.Lists lists() {
        Replica r = readyReplica();
        return r != null ? r.lists() : Replica.Lists.EMPTY;
    }

    /** How many times its offer changed. */
    int version() {
        return version.get();
    }

    void attempted() {
        attempts.incrementAndGet();
        listener.changed(this);
    }

    void changed() {
        version.incrementAndGet();
        subscriptions.relink();
        listener.changed(this);
    }

    /**
     * What subscribing to one of its resources does: {@link UpstreamSubscriptions} when a ready
     * endpoint offers subscriptions (a 2025 server that declared {@code resources.subscribe}, or
     * any 2026-07-28 server, whose {@code subscriptions/listen} carries them), else
     * {@link io.peregrine.resource.SubscriptionHandler#UNSUPPORTED}.
     */
    io.peregrine.resource.SubscriptionHandler subscriptions() {
        Replica r = readyReplica();
        if (r == null) {
            return io.peregrine.resource.SubscriptionHandler.UNSUPPORTED;
        }
        PeregrineClient c = r.client();
        boolean modern = c.negotiatedVersion() != null && c.negotiatedVersion().compareTo("2026") > 0;
        Object resources = c.serverCapabilities().get("resources");
        return modern || (resources instanceof Map && Boolean.TRUE.equals(((Map<?, ?>) resources).get("subscribe")))
                ? subscriptions : io.peregrine.resource.SubscriptionHandler.UNSUPPORTED;
    }

    /** Why no endpoint is ready. */
    String failure() {
        List<String> why = new ArrayList<>();
        for (Replica r : endpoints.all()) {
            if (!r.isReady() && r.failure() != null) {
                why.add(r.failure());
            }
        }
        return why.isEmpty() ? (endpoints.all().isEmpty() ? "it has no endpoints" : "not connected") : String.join("; ", why);
    }

    // ------------------------------------------------------------------ forwarding

    /** A forwarded call's answer: cancelling it stops the forwarded call, then the fallback's, should one run. */
    private static final class Answer extends io.peregrine.exec.CancelHookFuture<ToolResult> {
        volatile CompletableFuture<?> running;

        Answer(CompletableFuture<?> forwarded) {
            this.running = forwarded;
        }

        @Override
        protected void cancelled() {
            running.cancel(false);
        }
    }

    /**
     * Forwards a call of the upstream's tool {@code original}, holding no thread while it waits;
     * {@code onlyAsTask} for a tool the upstream runs only as a task, which a 2025-11-25 link asks
     * for as one and awaits with {@code tasks/result}. When the upstream cannot answer, the tool's
     * fallback does, if it has one. Cancelling the future cancels the call, upstream too.
     */
    CompletableFuture<ToolResult> callTool(String original, ToolArguments arguments, ToolContext context,
                                           boolean onlyAsTask) {
        // Relayed as the client wrote them: read already, by the envelope pass or the schema's check.
        RawJson args = arguments.rawJson();
        RawJson caller = Relay.capabilitiesJsonOf(context);
        CompletableFuture<io.peregrine.client.CallToolResult> forwarded = forwarder.forwardAsync(new Forward<>(
                "tools/call", original, original, idempotent(original), affinity(arguments, context),
                context.remainingMillis(), (client, meta) -> {
                    meta.put(ClientFeature.META_CALLER_CAPABILITIES, caller);
                    Relay<io.peregrine.client.CallToolResult> relay = new Relay<>(name(), "tools/call", original, context);
                    if (onlyAsTask && client.negotiatedVersion().equals("2025-11-25")) {
                        return upstreamTask(client, original, args, meta, relay, context);
                    }
                    if (onlyAsTask && client.negotiatedVersion().compareTo("2026") > 0) {
                        return new ExtensionTask(client, original, relay, context).start(args, meta);
                    }
                    // Progress is asked of the upstream only when the caller asked for it.
                    PendingCall call = client.callToolAsync(original, args,
                            context.wantsProgress() ? context::progress : null, meta, relay.handlers());
                    return Forward.Attempt.of(relay.watch(call.result(), call::cancel), call::cancel);
                }));
        Answer answer = new Answer(forwarded);
        java.util.function.Consumer<ToolResult> served = result -> {
            if (onlyAsTask) {
                // A call that is not a task yet (its input rounds over) answers its final round with the task.
                context.continueAsTask();
            }
            answer.complete(result);
        };
        io.peregrine.exec.EndHookFuture.whenEnded(forwarded, (result, failure) -> {
            if (failure == null) {
                try {
                    served.accept(Definitions.toolResult(result, uris));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
                return;
            }
            Throwable cause = Forwarder.unwrap(failure);
            if (!(cause instanceof UpstreamFailure) || answer.isDone()) {
                answer.completeExceptionally(cause);
                return;
            }
            CompletableFuture<ToolResult> instead = Fallbacks.answer(this, original, arguments, context,
                    (UpstreamFailure) cause, peers, forwarder.events());
            answer.running = instead;
            if (answer.isCancelled()) {
                instead.cancel(false);
            }
            instead.whenComplete((fallback, why) -> {
                if (why != null) {
                    answer.completeExceptionally(Forwarder.unwrap(why));
                } else if (fallback == null) {
                    answer.completeExceptionally(cause);
                } else {
                    served.accept(fallback);
                }
            });
        });
        return answer;
    }

    /**
     * A task of a 2026-07-28 upstream, through its {@code io.modelcontextprotocol/tasks} extension:
     * {@code tools/call} declaring the extension is answered with the task ({@code resultType:
     * "task"}), then {@code tasks/get} at the task's poll interval until it ends, which gives its
     * result or error. The input requests a waiting task shows are put to the gateway's client
     * through the call's {@link Relay}, and their answers go back with {@code tasks/update}.
     * Cancelling the attempt sends {@code tasks/cancel}, at once or as soon as the task is named.
     * Every request declares the extension in its {@code _meta}, as the upstream requires.
     *
     * <p>A tool that gathers input before its task begins answers {@code tools/call} with
     * {@code input_required}: its input requests are put to the gateway's client the same way and
     * the call is made again with the answers and the upstream's {@code requestState}. The
     * gateway's own call becomes a task ({@link ToolContext#continueAsTask()}) when the upstream's
     * does, so that a 2026-07-28 client settles the same rounds before it is handed a task.
     */
    private final class ExtensionTask {

        private static final String CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
        private static final long DEFAULT_POLL_MILLIS = 500;
        /** How many input_required rounds the upstream may ask before its task begins. */
        private static final int MAX_ROUNDS = 16;

        private final PeregrineClient client;
        private final String tool;
        private final Relay<io.peregrine.client.CallToolResult> relay;
        private final ToolContext context;
        private final Map<String, Object> meta = new java.util.LinkedHashMap<>();
        private final CompletableFuture<io.peregrine.client.CallToolResult> answer = new CompletableFuture<>();
        private final java.util.concurrent.atomic.AtomicReference<String> taskId = new java.util.concurrent.atomic.AtomicReference<>();
        private volatile boolean cancelled;

        ExtensionTask(PeregrineClient client, String tool, Relay<io.peregrine.client.CallToolResult> relay,
                      ToolContext context) {
            this.client = client;
            this.tool = tool;
            this.relay = relay;
            this.context = context;
            Map<String, Object> capabilities = client.declaredCapabilities();
            Map<String, Object> extensions = new java.util.LinkedHashMap<>(
                    objectOrEmpty(capabilities.get("extensions")));
            extensions.put("io.modelcontextprotocol/tasks", Map.of());
            capabilities.put("extensions", extensions);
            meta.put(CAPABILITIES, capabilities);
        }

        Forward.Attempt<io.peregrine.client.CallToolResult> start(RawJson args, Map<String, Object> callMeta) {
            Map<String, Object> params = new java.util.LinkedHashMap<>();
            params.put("name", tool);
            params.put("arguments", args);
            Map<String, Object> m = new java.util.LinkedHashMap<>(callMeta);
            m.putAll(meta);
            if (m.containsKey(ClientFeature.META_CALLER_CAPABILITIES)) {
                // The upstream narrows the link's capabilities to the caller's: the task is the gateway's to ask for.
                Map<String, Object> narrowed = new java.util.LinkedHashMap<>(Relay.capabilitiesOf(context));
                narrowed.put("extensions", ((Map<?, ?>) meta.get(CAPABILITIES)).get("extensions"));
                m.put(ClientFeature.META_CALLER_CAPABILITIES, narrowed);
            }
            params.put("_meta", m);
            call(params, 0);
            return Forward.Attempt.of(relay.watch(answer, why -> cancel()), why -> cancel());
        }

        /** {@code tools/call}, the first time or again with the answers of its {@code round}-th input_required. */
        private void call(Map<String, Object> params, int round) {
            client.request("tools/call", params).whenComplete((created, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(Forwarder.unwrap(failure));
                } else if ("input_required".equals(created.get("resultType"))) {
                    if (cancelled || answer.isDone()) {
                        return;
                    }
                    if (round >= MAX_ROUNDS) {
                        answer.completeExceptionally(new io.peregrine.client.McpClientException(
                                io.peregrine.rpc.JsonRpcError.INTERNAL_ERROR, "upstream " + name() + " asked for input "
                                + MAX_ROUNDS + " times before its task of " + tool + " began", null));
                        return;
                    }
                    workers.execute(() -> again(params, created, round));
                } else if (!"task".equals(created.get("resultType")) || !(created.get("taskId") instanceof String)) {
                    answer.complete(io.peregrine.client.CallToolResult.of(created)); // answered at once after all
                } else {
                    String id = (String) created.get("taskId");
                    taskId.set(id);
                    if (cancelled) {
                        cancelUpstream(id);
                    } else {
                        context.continueAsTask(); // the upstream's task began: so does the gateway's
                        poll(id, pollMillis(created));
                    }
                }
            });
        }

        /**
         * Puts an input_required round's requests to the gateway's client, together, and calls
         * again with the answers.
         */
        private void again(Map<String, Object> params, Map<String, Object> inputRequired, int round) {
            Map<String, Object> responses;
            try {
                responses = relay.answerAll(objectOrEmpty(inputRequired.get("inputRequests")));
            } catch (io.peregrine.client.McpClientException failure) {
                answer.completeExceptionally(failure);
                return;
            }
            Map<String, Object> next = new java.util.LinkedHashMap<>(params);
            next.put("inputResponses", responses);
            if (inputRequired.get("requestState") != null) {
                next.put("requestState", inputRequired.get("requestState"));
            } else {
                next.remove("requestState");
            }
            call(next, round + 1);
        }

        private void cancel() {
            if (cancelled || answer.isDone()) {
                return; // ended already, or cancelled once
            }
            cancelled = true;
            String id = taskId.get();
            if (id != null) {
                cancelUpstream(id);
            }
            // Polling stops with it.
            answer.completeExceptionally(new java.util.concurrent.CancellationException("tools/call " + tool + " cancelled"));
        }

        private void cancelUpstream(String id) {
            client.request("tasks/cancel", withMeta(Map.of("taskId", id)));
        }

        private Map<String, Object> withMeta(Map<String, Object> params) {
            Map<String, Object> out = new java.util.LinkedHashMap<>(params);
            out.put("_meta", meta);
            return out;
        }

        private void poll(String id, long afterMillis) {
            if (answer.isDone()) {
                return;
            }
            timer.schedule(() -> client.request("tasks/get", withMeta(Map.of("taskId", id))).whenComplete((got, failure) -> {
                if (failure != null) {
                    answer.completeExceptionally(Forwarder.unwrap(failure));
                } else {
                    settle(id, got);
                }
            }), afterMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        private void settle(String id, Map<String, Object> got) {
            Object status = got.get("status");
            if ("completed".equals(status)) {
                answer.complete(io.peregrine.client.CallToolResult.of(
                        objectOrEmpty(got.get("result"))));
            } else if ("failed".equals(status)) {
                Map<String, Object> error = objectOrEmpty(got.get("error"));
                Object code = error.get("code");
                answer.completeExceptionally(new io.peregrine.client.McpClientException(
                        code instanceof Number ? ((Number) code).intValue() : io.peregrine.rpc.JsonRpcError.INTERNAL_ERROR,
                        error.get("message") instanceof String ? (String) error.get("message")
                                : "upstream " + name() + "'s task of " + tool + " failed", error.get("data")));
            } else if ("cancelled".equals(status)) {
                answer.completeExceptionally(new io.peregrine.client.McpClientException(
                        io.peregrine.rpc.JsonRpcError.INTERNAL_ERROR, "upstream " + name() + " cancelled its task of "
                        + tool, null));
            } else if ("input_required".equals(status) && got.get("inputRequests") instanceof Map
                    && !((Map<?, ?>) got.get("inputRequests")).isEmpty()) {
                workers.execute(() -> answerInputs(id, objectOrEmpty(got.get("inputRequests"))));
            } else {
                poll(id, pollMillis(got));
            }
        }

        /** Puts the task's input requests to the gateway's client, together, and sends the answers with tasks/update. */
        private void answerInputs(String id, Map<String, Object> requests) {
            Map<String, Object> responses;
            try {
                responses = relay.answerAll(requests);
            } catch (io.peregrine.client.McpClientException failure) {
                // The call ends with what the client answered instead, and the upstream's task with it.
                answer.completeExceptionally(failure);
                cancelled = true;
                cancelUpstream(id);
                return;
            }
            client.request("tasks/update", withMeta(Map.of("taskId", id, "inputResponses", responses)))
                    .whenComplete((ok, failure) -> {
                        if (failure != null) {
                            answer.completeExceptionally(Forwarder.unwrap(failure));
                        } else {
                            poll(id, 0);
                        }
                    });
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> objectOrEmpty(Object value) {
            return value instanceof Map ? (Map<String, Object>) value : Map.of();
        }

        private long pollMillis(Map<String, Object> task) {
            Object ms = task.get("pollIntervalMs");
            return ms instanceof Number ? Math.min(Math.max(10, ((Number) ms).longValue()), 5_000) : DEFAULT_POLL_MILLIS;
        }
    }

    /**
     * A task of a 2025-11-25 upstream: {@code tools/call} with {@code params.task}, then
     * {@code tasks/result}, which answers at the task's end
     * ({@link PeregrineClient#callToolAsTaskAsync}). What the upstream asks about the task (its
     * related-task requests) is put to the gateway's client through the call's {@link Relay}.
     * Cancelling the attempt cancels the upstream's task ({@code tasks/cancel}), at once or as soon
     * as the upstream names it.
     */
    private Forward.Attempt<io.peregrine.client.CallToolResult> upstreamTask(PeregrineClient client, String tool,
                                                                            RawJson args, Map<String, Object> meta,
                                                                            Relay<io.peregrine.client.CallToolResult> relay,
                                                                            ToolContext context) {
        CompletableFuture<io.peregrine.client.CallToolResult> task = client.callToolAsTaskAsync(tool, args, meta,
                relay.handlers());
        long wait = spec.taskStartWait().toMillis();
        if (wait == 0) {
            context.continueAsTask();
        } else {
            // What the task asks first becomes the input_required rounds of a call that is not a task yet.
            timer.schedule(() -> {
                if (!task.isDone() && !relay.waitsForAnswers()) {
                    context.continueAsTask();
                }
            }, wait, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return Forward.Attempt.of(relay.watch(task, why -> task.cancel(false)), why -> task.cancel(false));
    }

    /** How to find the other upstreams of the gateway (for fallbacks to another upstream). */
    void peers(java.util.function.Function<String, Upstream> peers) {
        this.peers = peers;
    }

    /** Where its resilience reports to (metrics). */
    void events(ResilienceEvents events) {
        forwarder.events(events);
    }

    /** Where its CLIENT spans are made (null: none). */
    void tracer(io.opentelemetry.api.trace.Tracer tracer) {
        forwarder.tracer(tracer);
    }

    Forwarder forwarder() {
        return forwarder;
    }

    /**
     * The call's key for consistent hashing ({@code hash-key}): its principal, its 2025 session, or
     * the value of one of its arguments; null when the upstream does not hash or the call has none.
     */
    private String affinity(ToolArguments args, ToolContext context) {
        if (spec.loadBalancing() != LoadBalancing.CONSISTENT_HASH) {
            return null;
        }
        String key = spec.hashKey();
        if (key.equals("principal")) {
            return context.principal();
        }
        if (key.equals("session")) {
            return context.sessionKey();
        }
        Object value;
        try {
            value = args.value(key.substring("argument:".length()));
        } catch (InvalidArgumentsException e) {
            value = null;
        }
        return value != null ? String.valueOf(value) : null;
    }

    /** Whether the upstream hints that its tool {@code original} is read-only or idempotent. */
    private boolean idempotent(String original) {
        for (ToolInfo t : lists().tools()) {
            if (t.name().equals(original)) {
                Map<String, Object> a = t.annotations();
                return Boolean.TRUE.equals(a.get("readOnlyHint")) || Boolean.TRUE.equals(a.get("idempotentHint"));
            }
        }
        return false;
    }

    /**
     * Forwards {@code resources/read} of the served {@code uri} as the upstream's own URI; the
     * contents' URIs, and those in an error the upstream answers, come back served, and the
     * upstream's "not found" becomes the one of the client's era.
     */
    List<ResourceContents> read(String uri) throws Exception {
        String own = uris.upstream(uri);
        try {
            return Definitions.contents(forwarder.forward(new Forward<>("resources/read", uri, null, true,
                    null, Long.MAX_VALUE, (client, meta) -> future(client.readResourceAsync(own, meta)))), uris);
        } catch (UpstreamFailure f) {
            throw f;
        } catch (io.peregrine.rpc.RpcException e) {
            io.peregrine.rpc.RpcException served = uris.served(e, own, uri);
            if (e.code() == io.peregrine.rpc.JsonRpcError.RESOURCE_NOT_FOUND || (e.code() == io.peregrine.rpc.JsonRpcError.INVALID_PARAMS
                    && e.data() instanceof Map && own.equals(((Map<?, ?>) e.data()).get("uri")))) {
                // Not found, in whichever era's code the link speaks: the client gets its own era's.
                throw new io.peregrine.resource.ResourceNotFoundException(uri, served.getMessage());
            }
            throw served;
        }
    }

    /** Forwards {@code prompts/get}; what the upstream asks of the client meanwhile is put to {@code questions}. */
    PromptResult prompt(String original, Map<String, String> arguments, io.peregrine.tool.ClientQuestions questions)
            throws Exception {
        Map<String, Object> caller = Relay.capabilitiesOf(questions);
        return Definitions.promptResult(forwarder.forward(new Forward<>("prompts/get", original, null,
                true, null, Long.MAX_VALUE, (client, meta) -> {
                    meta.put(ClientFeature.META_CALLER_CAPABILITIES, caller);
                    Relay<io.peregrine.client.PromptResult> relay = new Relay<>(name(), "prompts/get", original, questions);
                    CompletableFuture<io.peregrine.client.PromptResult> answer =
                            client.getPromptAsync(original, arguments, meta, relay.handlers());
                    return Forward.Attempt.of(relay.watch(answer, reason -> answer.cancel(true)),
                            reason -> answer.cancel(true));
                })), uris);
    }

    /** Whether a ready endpoint's server declared {@code completions}. */
    boolean completes() {
        Replica r = readyReplica();
        return r != null && r.client().serverCapabilities().containsKey("completions");
    }

    /** Forwards {@code completion/complete} for an argument of {@code ref} ({@code ref/prompt} or {@code ref/resource}). */
    io.peregrine.completion.Completion complete(io.peregrine.client.CompletionRef ref, String argument, String value,
                                               Map<String, String> context) throws Exception {
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("ref", ref.tree());
        params.put("argument", Map.of("name", argument, "value", value));
        if (context != null && !context.isEmpty()) {
            params.put("context", Map.of("arguments", context));
        }
        return Definitions.completion(forwarder.forward(new Forward<>("completion/complete",
                ref.name() + " " + argument, null, true, null, Long.MAX_VALUE, (client, meta) -> {
                    Map<String, Object> sent = new java.util.LinkedHashMap<>(params);
                    sent.put("_meta", meta);
                    return future(client.request("completion/complete", sent));
                })));
    }

    private static <T> Forward.Attempt<T> future(CompletableFuture<T> answer) {
        return Forward.Attempt.of(answer, reason -> answer.cancel(true));
    }

    /** Its endpoints and their state. */
    UpstreamStatus status() {
        return endpoints.status();
    }

    @Override
    public void close() {
        closed = true;
        io.peregrine.gateway.discovery.EndpointSource s = source;
        if (s != null) {
            s.close();
        }
        endpoints.close();
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
