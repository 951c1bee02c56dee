package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.buffer.ByteBuf;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.rpc.EnvelopeDecoder;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.KnownStrings;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.transport.EdgeRefusal;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;
import io.peregrine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The MCP core: one method table serving every transport and both protocol eras.
 *
 * <h2>Threads</h2>
 * Messages arrive on the connection's event loop and are decoded, checked and dispatched there.
 * A non-blocking tool runs right there too, so its response is written without a thread hop and
 * flushed with the rest of the read. A blocking tool is handed to the {@link ToolExecutor}, which
 * refuses at once when full; its response is encoded on the tool's thread and handed to the
 * peer, which is safe from any thread. Per-connection state that tool threads touch (the map of
 * calls in flight) is concurrent; everything else is confined to the event loop.
 *
 * <h2>Eras</h2>
 * A request whose {@code _meta} names a protocol version is served statelessly under that version
 * (2026-07-28). Otherwise it is served under the 2025 revision its connection negotiated with
 * {@code initialize}; before that only {@code initialize}, {@code ping} and
 * {@code server/discover} are answered. See {@link RequestScope}.
 *
 * <h2>Back-pressure</h2>
 * A connection may have {@code maxInFlight} blocking calls running; at that point the transport
 * stops reading from it until one finishes, so a client that pipelines without bound is slowed
 * rather than buffered.
 *
 * <h2>Why this class is long</h2>
 * It is the dispatch path, from a transport's message to a method of the table and back, with
 * every way a request can end; kept whole so that one reading shows each step (decode, batch,
 * observe, admit, scope, dispatch, answer, drain). The methods themselves live in their families:
 * {@link LifecycleMethods}, {@link ToolMethods} with {@link ToolCallAnswers}, {@link Tasks},
 * {@link ResourceMethods}, {@link PromptMethods}, {@link CompletionMethods}, {@link LoggingMethods}
 * and {@link Subscriptions}.
 */
public final class McpServer implements MessageListener {

    /** The observers' reason for each refusal a transport makes itself: the same names. */
    private static final McpObserver.Rejection[] EDGE_REJECTIONS = java.util.Arrays.stream(EdgeRefusal.values())
            .map(r -> McpObserver.Rejection.valueOf(r.name())).toArray(McpObserver.Rejection[]::new);

    private static final Logger log = LoggerFactory.getLogger(McpServer.class);

    /** Tunables of the core. */
    public static final class Settings {
        final int maxInFlight;
        final int pageSize;
        final long defaultTimeoutMillis;
        final boolean validateArguments;

        public Settings(int maxInFlight, int pageSize, long defaultTimeoutMillis, boolean validateArguments) {
            if (maxInFlight <= 0) {
                throw new IllegalArgumentException("maxInFlight : " + maxInFlight + " (expected: > 0)");
            }
            if (pageSize <= 0) {
                throw new IllegalArgumentException("pageSize : " + pageSize + " (expected: > 0)");
            }
            if (defaultTimeoutMillis <= 0) {
                throw new IllegalArgumentException("defaultTimeoutMillis : " + defaultTimeoutMillis + " (expected: > 0)");
            }
            this.maxInFlight = maxInFlight;
            this.pageSize = pageSize;
            this.defaultTimeoutMillis = defaultTimeoutMillis;
            this.validateArguments = validateArguments;
        }

        /** The defaults of {@code connection.max-in-flight}, {@code tools.page-size}, {@code tools.default-timeout} and {@code tools.validate-arguments}. */
        public static Settings defaults() {
            return new Settings(io.peregrine.config.ConfigKey.CONNECTION_MAX_IN_FLIGHT.builderDefault(),
                    io.peregrine.config.ConfigKey.TOOLS_PAGE_SIZE.builderDefault(),
                    io.peregrine.config.ConfigKey.TOOLS_DEFAULT_TIMEOUT.builderDefault().toMillis(),
                    io.peregrine.config.ConfigKey.TOOLS_VALIDATE_ARGUMENTS.builderDefault());
        }
    }

    /** A method of the table. Returns true when it took over the message (a call still running). */
    @FunctionalInterface
    interface Method {
        boolean handle(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException;
    }

    private static final SerializableString RESULT_TYPE = new SerializedString("resultType");
    private static final SerializableString COMPLETE = new SerializedString("complete");
    private static final SerializableString META = new SerializedString("_meta");
    private static final SerializableString SERVER_INFO = new SerializedString(Params.META_SERVER_INFO);

    private final Json json;
    private final JsonRpcWriter writer;
    private final EnvelopeDecoder decoder;
    private final KnownStrings versionIds;
    private final ServerInfo info;
    private final SerializableString serverInfoJson;
    private final ToolRegistry tools;
    private final ResourceRegistry resources = new ResourceRegistry();
    private final PromptRegistry prompts = new PromptRegistry();
    private final Subscriptions subscriptions;
    private final LoggingMethods logging;
    private final SchemaValidator validator;
    private final ToolExecutor executor;
    private final Settings settings;
    private final ClientRequestSettings clientRequests;
    private final RequestState requestStates;
    private final Tasks tasks;
    private final Map<String, Method> methods = new HashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ToolCallAnswers answers;
    private final ClientAsking asking;
    private volatile boolean draining;
    /** Authentication, authorization, rate limits, result cache, audit; null: none. Set before serving. */
    private PolicyGate policy;
    /** Who sees each request, connection, session and refusal; {@link McpObserver#NONE} unless installed. */
    private volatile McpObserver observer = McpObserver.NONE;

    public McpServer(Json json, ServerInfo info, ToolExecutor executor, Settings settings) {
        this(json, info, executor, settings, ClientRequestSettings.defaults());
    }

    public McpServer(Json json, ServerInfo info, ToolExecutor executor, Settings settings,
                     ClientRequestSettings clientRequests) {
        this.json = json;
        this.clientRequests = clientRequests;
        this.requestStates = new RequestState(clientRequests.stateKey, clientRequests.stateTtlMillis,
                clientRequests.clock::currentTimeMillis);
        this.writer = new JsonRpcWriter(json);
        this.info = info;
        Map<String, Object> implementation = new java.util.LinkedHashMap<>();
        implementation.put("name", info.name());
        implementation.put("version", info.version());
        this.serverInfoJson = new SerializedString(JsonTree.toJson(implementation));
        this.tasks = new Tasks(json, writer, serverInfoJson, clientRequests, settings.pageSize);
        this.executor = executor;
        this.settings = settings;
        this.validator = new SchemaValidator(json);
        this.tools = new ToolRegistry(validator);
        this.asking = new ClientAsking(this, json, writer, requestStates, clientRequests);
        this.answers = new ToolCallAnswers(this, json, validator, tasks, settings);
        new LifecycleMethods(this, resources, prompts).register(methods);
        new ToolMethods(this, json, tools, validator, tasks, answers, settings).register(methods);
        methods.put("tasks/get", tasks::get);
        methods.put("tasks/result", tasks::result);
        methods.put("tasks/list", tasks::list);
        methods.put("tasks/cancel", tasks::cancel);
        methods.put("tasks/update", tasks::update);
        Offload offload = new Offload(this);
        ResourceHolds holds = new ResourceHolds();
        new ResourceMethods(this, resources, offload, holds).register(methods);
        new PromptMethods(this, prompts, offload).register(methods);
        new CompletionMethods(this, prompts, resources, offload).register(methods);
        this.logging = new LoggingMethods(this);
        logging.register(methods);
        this.subscriptions = new Subscriptions(this, connections, resources, holds);
        subscriptions.register(methods);
        tools.onChange(subscriptions::toolsChanged);
        prompts.onChange(subscriptions::promptsChanged);
        resources.onChange(subscriptions::resourcesChanged);
        resources.onUpdated(subscriptions::resourceUpdated);
        List<String> names = new ArrayList<>(methods.keySet());
        names.addAll(List.of("notifications/initialized", "notifications/cancelled", "notifications/progress",
                "notifications/roots/list_changed"));
        this.versionIds = new KnownStrings(ProtocolVersion.ids());
        // A tools/call's arguments are validated as the params are read (Params#vouchedBy).
        java.util.function.Function<String, FastSchema> inputSchemas = name -> {
            ToolRegistry.Entry entry = tools.get(name);
            return entry != null && settings.validateArguments && entry.tool.validatesArguments() ? entry.fastInput : null;
        };
        this.decoder = new EnvelopeDecoder(json, new KnownStrings(names),
                (in, frame) -> Params.read(in, frame, versionIds, inputSchemas));
    }

    /**
     * Puts {@code chain} in front of dispatch: every request is admitted by it, {@code tools/list}
     * shows only what the principal may call, and {@code tools/call} is authorized, rate-limited
     * and served from the result cache where the tool allows. Call before serving.
     */
    public void policy(io.peregrine.policy.PolicyChain chain) {
        this.policy = new PolicyGate(chain, json);
        if (chain.audit().logsToolCalls()) {
            observer(new AuditObserver(chain.audit()));
        }
        tools.onToolChange(chain.cache()::invalidate);
        if (chain.sharedTasks() != null) {
            tasks.share(chain.sharedTasks());
        }
        chain.events(new io.peregrine.policy.PolicyEvents() {
            @Override
            public void rateLimitDecision(String limiter, boolean admitted) {
                observer.rateLimitDecision(limiter, admitted);
            }
        });
    }

    /**
     * Adds {@code added} to the observers of this server's traffic; several observers see every
     * event in the order they were added. Call before serving.
     */
    public void observer(McpObserver added) {
        this.observer = CompositeObserver.compose(observer, java.util.Objects.requireNonNull(added, "observer"));
    }

    /** The observers, as one; {@link McpObserver#NONE} when there are none. */
    McpObserver observer() {
        return observer;
    }

    /** A message of {@code peer} was refused before dispatch, or a request by policy. */
    void rejected(Peer peer, McpObserver.Rejection reason) {
        observer.messageRejected(peer.transport(), reason);
    }

    @Override
    public void onRefused(Transport transport, EdgeRefusal reason) {
        observer.messageRejected(transport, EDGE_REJECTIONS[reason.ordinal()]);
    }

    /** The policy in front of dispatch, or null. */
    PolicyGate policyGate() {
        return policy;
    }

    /** Whether the principal of {@code c}'s request may see {@code name} of {@code kind} (tool, resource, prompt) in a list. */
    boolean mayList(Connection c, String kind, String name) {
        return policy == null || policy.mayList(c, kind, name);
    }

    /** Refuses with -31003 unless the principal of {@code c}'s request may use {@code name} of {@code kind}. */
    void authorize(Connection c, String kind, String name) throws RpcException {
        if (policy != null) {
            policy.authorize(c, kind, name);
        }
    }

    /** The tools this server offers; add and remove them at any time. */
    public ToolRegistry tools() {
        return tools;
    }

    /** The resources and resource templates this server offers; add and remove them at any time. */
    public ResourceRegistry resources() {
        return resources;
    }

    /** The prompts this server offers; add and remove them at any time. */
    public PromptRegistry prompts() {
        return prompts;
    }

    public ServerInfo info() {
        return info;
    }

    // ---------------------------------------------------------------- transport events

    @Override
    public void onOpen(Peer peer) {
        Connection c = new Connection(peer);
        peer.attach(c);
        connections.add(c);
        // An HTTP peer is a session or one exchange, not a connection: the HTTP transport counts its connections.
        if (peer.transport() != Transport.HTTP) {
            observer.connectionOpened(peer.transport());
        }
    }

    @Override
    public void onClose(Peer peer) {
        Connection c = (Connection) peer.attachment();
        if (c == null) {
            return;
        }
        connections.remove(c);
        for (ToolCall call : c.callsInFlight()) {
            call.abandon();
        }
        ServerRequests asked = c.serverRequestsIfAny();
        if (asked != null) {
            asked.failAll();
        }
        tasks.connectionClosed(c);
        subscriptions.connectionClosed(c);
        McpObserver o = observer;
        if (c.isInitialized()) {
            o.sessionEnded(peer.transport(), System.nanoTime() - c.sessionStartNanos);
        }
        if (peer.transport() != Transport.HTTP) {
            o.connectionClosed(peer.transport());
        }
    }

    @Override
    public void onMessageTooLong(Peer peer, long limit) {
        rejected(peer, McpObserver.Rejection.TOO_LARGE);
        peer.respond(writer.error(peer.alloc(), null, JsonRpcError.INVALID_REQUEST,
                "Message too long: it exceeds the limit of " + limit + " bytes and was discarded", null),
                Outcome.error(JsonRpcError.INVALID_REQUEST));
    }

    @Override
    public void onMessage(Peer peer, ByteBuf frame) {
        Connection c = (Connection) peer.attachment();
        c.origin = peer;
        try {
            Object decoded = decoder.decode(frame);
            if (decoded instanceof RpcMessage) {
                handle(c, (RpcMessage) decoded, c.replyFor(peer));
            } else if (decoded instanceof RpcException) {
                rejected(peer, rejectionOf((RpcException) decoded));
                peer.respond(writer.error(peer.alloc(), (RpcException) decoded), Reply.outcomeOf((RpcException) decoded));
            } else {
                handleBatch(c, peer, (EnvelopeDecoder.Batch) decoded);
            }
        } catch (Throwable t) {
            failed(c, peer, t);
        } finally {
            frame.release();
        }
    }

    /** A message from {@code peer} met an unexpected failure: logged, and answered with an internal error. */
    private void failed(Connection c, Peer peer, Throwable t) {
        log.error("unexpected failure handling a message from {}", c, t);
        peer.respond(writer.error(peer.alloc(), null, JsonRpcError.INTERNAL_ERROR,
                "Internal error: " + t.getClass().getSimpleName(), null), Outcome.error(JsonRpcError.INTERNAL_ERROR));
    }

    /**
     * Reads a message for a transport that looks into it first; null for a batch, for what does not
     * decode and for params with a problem, which take {@link #onMessage}'s way to their errors.
     */
    @Override
    public MessageListener.Decoded decode(ByteBuf message) {
        Object decoded;
        try {
            decoded = decoder.decode(message);
        } catch (RuntimeException e) {
            return null; // onMessage answers it
        }
        if (decoded instanceof RpcMessage) {
            RpcMessage m = (RpcMessage) decoded;
            Params params = m.paramsView() instanceof Params ? (Params) m.paramsView() : null;
            if (params == null || !params.hasProblem()) {
                return new DecodedMessage(m, params != null ? params : Params.EMPTY);
            }
            m.release();
        } else if (decoded instanceof EnvelopeDecoder.Batch) {
            ((EnvelopeDecoder.Batch) decoded).release();
        }
        return null;
    }

    @Override
    public void onDecoded(Peer peer, MessageListener.Decoded message) {
        Connection c = (Connection) peer.attachment();
        c.origin = peer;
        try {
            handle(c, ((DecodedMessage) message).message, c.replyFor(peer));
        } catch (Throwable t) {
            failed(c, peer, t);
        }
    }

    private void handleBatch(Connection c, Peer origin, EnvelopeDecoder.Batch batch) {
        ProtocolVersion v = c.version();
        if (v == null || !v.allowsBatches()) {
            batch.release();
            String why = v == null
                    ? "Batches are not accepted before initialize, and initialize must not be batched"
                    : "Batches are not supported by protocol revision " + v.id() + " (only 2025-03-26 has them)";
            rejected(origin, McpObserver.Rejection.INVALID_REQUEST);
            origin.respond(writer.error(origin.alloc(), null, JsonRpcError.INVALID_REQUEST, why, null),
                    Outcome.error(JsonRpcError.INVALID_REQUEST));
            return;
        }
        BatchReply reply = new BatchReply(origin);
        for (Object item : batch.items()) {
            if (item instanceof RpcException) {
                rejected(origin, rejectionOf((RpcException) item));
                reply.expect();
                reply.respond(writer.error(c.peer.alloc(), (RpcException) item), Reply.outcomeOf((RpcException) item));
            } else {
                RpcMessage m = (RpcMessage) item;
                if (m.isRequest()) {
                    reply.expect();
                }
                handle(c, m, reply);
            }
        }
        reply.seal();
    }

    /** Handles one message; takes over the message's reference. */
    private void handle(Connection c, RpcMessage m, Reply reply) {
        switch (m.kind()) {
            case REQUEST:
                handleRequest(c, m, reply);
                return;
            case NOTIFICATION:
                try {
                    handleNotification(c, m);
                } finally {
                    m.release();
                }
                return;
            default:
                boolean matched;
                try {
                    ServerRequests asked = c.serverRequestsIfAny();
                    matched = asked != null && asked.complete(json, m);
                } finally {
                    m.release();
                }
                if (!matched) {
                    rejected(c.peer, McpObserver.Rejection.INVALID_REQUEST);
                    reply.respond(writer.error(c.peer.alloc(), null, JsonRpcError.INVALID_REQUEST, "Unexpected response: id "
                            + m.id() + " does not match any request this server sent and still waits for", null),
                            Outcome.error(JsonRpcError.INVALID_REQUEST));
                }
        }
    }

    /**
     * Dispatches one request. When observed, the request's reply is an {@link ObservedReply} from
     * here on: the observer hears of the request before policy and of its one answer wherever and
     * whenever that is sent.
     */
    private void handleRequest(Connection c, RpcMessage m, Reply reply) {
        boolean taken = false;
        Params read = m.paramsView() instanceof Params ? (Params) m.paramsView() : null;
        McpObserver o = observer;
        ObservedReply observed = null;
        if (o != McpObserver.NONE) {
            observed = c.observe(this, o, c.origin != null ? c.origin : c.peer, reply, m, read);
            reply = observed;
        }
        try {
            if (draining) {
                throw new RpcException(JsonRpcError.SHUTTING_DOWN,
                        "Server is shutting down and accepts no new requests; retry on another instance");
            }
            Method method = methods.get(m.method());
            if (method == null) {
                throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + m.method());
            }
            Params params = read;
            if (params != null) {
                params.throwProblem();
            } else {
                params = Params.parse(json, versionIds, m.params());
                if (observed != null) {
                    observed.params(params);
                }
            }
            if (policy != null) {
                policy.admit(c, params);
                if (observed != null) {
                    observed.principal(c.principal);
                }
            }
            taken = method.handle(c, m, params, RequestScope.resolve(c, m.method(), params), reply);
        } catch (RpcException e) {
            answerError(c, m, reply, e);
        } finally {
            if (!taken) {
                m.release();
            }
            if (observed != null) {
                c.settle(observed);
            }
        }
    }

    /** Answers request {@code m} with the error {@code e}, counting it when it is a refusal. */
    void answerError(Connection c, RpcMessage m, Reply reply, RpcException e) {
        McpObserver.Rejection why = refusalOf(e.code());
        if (why != null) {
            rejected(c.peer, why);
        }
        reply.respond(writer.error(c.peer.alloc(), m.id(), e.code(), e.getMessage(), e.data()), Reply.outcomeOf(e));
    }

    /** Why a message the decoder refused was refused. */
    private static McpObserver.Rejection rejectionOf(RpcException e) {
        return e.code() == JsonRpcError.PARSE_ERROR ? McpObserver.Rejection.PARSE_ERROR
                : McpObserver.Rejection.INVALID_REQUEST;
    }

    /**
     * The refusal a request's error is, when it is one an operator counts apart (policy, shutdown,
     * an unsupported version, headers that contradict the body); null for other errors.
     */
    private static McpObserver.Rejection refusalOf(int code) {
        switch (code) {
            case JsonRpcError.SHUTTING_DOWN: return McpObserver.Rejection.SHUTTING_DOWN;
            case JsonRpcError.UNAUTHORIZED: return McpObserver.Rejection.UNAUTHORIZED;
            case JsonRpcError.FORBIDDEN: return McpObserver.Rejection.FORBIDDEN;
            case JsonRpcError.RATE_LIMITED: return McpObserver.Rejection.RATE_LIMITED;
            case JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION: return McpObserver.Rejection.UNSUPPORTED_VERSION;
            case JsonRpcError.HEADER_MISMATCH: return McpObserver.Rejection.HEADER_MISMATCH;
            default: return null;
        }
    }

    private void handleNotification(Connection c, RpcMessage m) {
        switch (m.method()) {
            case "notifications/initialized":
                c.markReady();
                return;
            case "notifications/cancelled":
                cancelled(c, m);
                return;
            default:
                log.debug("ignoring notification {} from {}", m.method(), c);
        }
    }

    private void cancelled(Connection c, RpcMessage m) {
        RequestId target = null;
        if (m.params() != null) {
            try (JsonParser p = json.parser(m.params())) {
                Object tree = JsonTree.read(p);
                Object id = tree instanceof Map ? ((Map<?, ?>) tree).get("requestId") : null;
                if (id instanceof String) {
                    target = RequestId.of((String) id);
                } else if (id instanceof Number) {
                    target = RequestId.of(((Number) id).longValue());
                }
            } catch (IOException e) {
                log.debug("unreadable notifications/cancelled from {}", c);
            }
        }
        ToolCall call = target == null ? null : c.inFlight(target);
        if (call != null) {
            call.cancel();
        } else if (target != null && subscriptions.cancel(c, target)) {
            log.debug("subscriptions/listen {} closed by the client on {}", target, c);
        } else {
            log.debug("notifications/cancelled for unknown request {} from {}", target, c);
        }
    }

    /** Requests to clients still waiting for their answers, over all connections; for tests and metrics. */
    public int pendingClientRequests() {
        int n = 0;
        for (Connection c : connections) {
            ServerRequests asked = c.serverRequestsIfAny();
            n += asked != null ? asked.size() : 0;
        }
        return n;
    }

    // ---------------------------------------------------------------- encoding helpers

    /** {@code resultType} (and the cache hints of a list result) for 2026-07-28 requests. */
    static void writeResultPrelude(JsonGenerator g, RequestScope s, boolean cacheable) throws IOException {
        if (s.isStateless()) {
            g.writeFieldName(RESULT_TYPE);
            g.writeString(COMPLETE);
            if (cacheable) {
                g.writeNumberField("ttlMs", 0);
                g.writeStringField("cacheScope", "public");
            }
        }
    }

    void writeServerInfoMeta(JsonGenerator g, Map<String, Object> extra) throws IOException {
        g.writeFieldName(META);
        g.writeStartObject();
        if (extra != null) {
            for (Map.Entry<String, Object> e : extra.entrySet()) {
                if (!Params.META_SERVER_INFO.equals(e.getKey())) {
                    g.writeFieldName(e.getKey());
                    JsonTree.write(g, e.getValue());
                }
            }
        }
        g.writeFieldName(SERVER_INFO);
        g.writeRawValue(serverInfoJson);
        g.writeEndObject();
    }

    /** {@code {}}, or {@code {"resultType":"complete","_meta":{serverInfo}}} for 2026-07-28. */
    /** Whether {@code c} is still open (not yet closed by its transport). */
    boolean isOpen(Connection c) {
        return connections.contains(c);
    }

    ByteBuf emptyResult(Connection c, RequestId id, RequestScope s) {
        return writer.result(c.peer.alloc(), id, g -> {
            g.writeStartObject();
            writeResultPrelude(g, s, false);
            if (s.isStateless()) {
                writeServerInfoMeta(g, null);
            }
            g.writeEndObject();
        });
    }

    /** Asking the client, in either era. */
    ClientAsking asking() {
        return asking;
    }

    JsonRpcWriter writer() {
        return writer;
    }

    ToolExecutor executor() {
        return executor;
    }

    int pageSize() {
        return settings.pageSize;
    }

    LoggingMethods logging() {
        return logging;
    }

    Object tree(ByteBuf raw) throws RpcException {
        try (JsonParser p = json.parser(raw)) {
            return JsonTree.read(p);
        } catch (IOException e) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- shutdown

    /** Stops taking new requests: from now on each is answered with a shutting-down error. */
    public void startDraining() {
        draining = true;
    }

    public boolean isDraining() {
        return draining;
    }

    /** Calls that ended while their handler ignores the interrupt and runs on; for the health report. */
    public java.util.List<ToolExecutor.StrayCall> strayCalls() {
        return executor.strayCalls();
    }

    /** Calls running right now, over all connections. */
    public int callsInFlight() {
        return answers.running();
    }

    /** Tasks kept right now, running or finished, of every session and of no session (2026-07-28). */
    public long tasksKept() {
        return tasks.size();
    }

    /**
     * Waits up to {@code timeoutMillis} for running calls to finish, ends the rest with a
     * shutting-down error so that no request goes unanswered, then closes every connection once
     * its answers are flushed.
     *
     * @return whether every call finished by itself
     */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        startDraining();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (answers.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean clean = answers.running() == 0;
        tasks.cancelAll();
        subscriptions.closeAll();
        List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
        for (Connection c : connections) {
            for (ToolCall call : c.callsInFlight()) {
                call.abort();
            }
            closing.add(c.peer.close());
        }
        for (io.netty.util.concurrent.Future<?> f : closing) {
            f.awaitUninterruptibly(1_000);
        }
        return clean;
    }
}
