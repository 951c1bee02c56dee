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
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.MissingClientCapabilityException;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;
import io.peregrine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
 */
public final class McpServer implements MessageListener {

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

        /** 256 calls in flight per connection, pages of 100 tools, 30 s timeout, validation on. */
        public static Settings defaults() {
            return new Settings(256, 100, 30_000, true);
        }
    }

    /** A method of the table. Returns true when it took over the message (a call still running). */
    @FunctionalInterface
    interface Method {
        boolean handle(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException;
    }

    private static final String CURSOR_PREFIX = "after:";
    private static final SerializableString RESULT_TYPE = new SerializedString("resultType");
    private static final SerializableString COMPLETE = new SerializedString("complete");
    private static final SerializableString META = new SerializedString("_meta");
    private static final SerializableString SERVER_INFO = new SerializedString(Params.META_SERVER_INFO);
    /** A call refused because the executor is full: retry after 100 ms. */
    private static final Outcome OVERLOADED = Outcome.error(JsonRpcError.SERVER_OVERLOADED, null, 100);

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
    private final AtomicInteger callsInFlight = new AtomicInteger();
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
                System::currentTimeMillis);
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
        methods.put("initialize", this::initialize);
        methods.put("ping", this::ping);
        methods.put("server/discover", this::discover);
        methods.put("tools/list", this::toolsList);
        methods.put("tools/call", this::toolsCall);
        methods.put("tasks/get", tasks::get);
        methods.put("tasks/result", tasks::result);
        methods.put("tasks/list", tasks::list);
        methods.put("tasks/cancel", tasks::cancel);
        methods.put("tasks/update", tasks::update);
        Offload offload = new Offload(this);
        new ResourceMethods(this, resources, offload).register(methods);
        new PromptMethods(this, prompts, offload).register(methods);
        new CompletionMethods(this, prompts, resources, offload).register(methods);
        this.logging = new LoggingMethods(this);
        logging.register(methods);
        this.subscriptions = new Subscriptions(this, connections, resources);
        subscriptions.register(methods);
        tools.onChange(subscriptions::toolsChanged);
        prompts.onChange(subscriptions::promptsChanged);
        resources.onChange(subscriptions::resourcesChanged);
        resources.onUpdated(subscriptions::resourceUpdated);
        List<String> names = new ArrayList<>(methods.keySet());
        names.addAll(List.of("notifications/initialized", "notifications/cancelled", "notifications/progress",
                "notifications/roots/list_changed"));
        this.versionIds = new KnownStrings(ProtocolVersion.ids());
        this.decoder = new EnvelopeDecoder(json, new KnownStrings(names),
                (in, frame) -> Params.read(in, frame, versionIds));
    }

    /**
     * Puts {@code chain} in front of dispatch: every request is admitted by it, {@code tools/list}
     * shows only what the principal may call, and {@code tools/call} is authorized, rate-limited
     * and served from the result cache where the tool allows. Call before serving.
     */
    public void policy(io.peregrine.policy.PolicyChain chain) {
        this.policy = new PolicyGate(chain, json);
        tools.onChange(chain.cache()::invalidateAll);
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

    /**
     * {@code task}, to run on another thread (or later) inside what the observer opened for the
     * request {@code r} answers (a span made current, for instance); {@code task} itself when unobserved.
     */
    Runnable inContext(Reply r, Runnable task) {
        if (r instanceof ObservedReply) {
            ObservedReply o = (ObservedReply) r;
            if (o.observer().observesStart()) {
                return o.observer().wrap(o.state(), task);
            }
        }
        return task;
    }

    /** Whether {@link #inContext} would wrap work for {@code r}. */
    static boolean runsInContext(Reply r) {
        return r instanceof ObservedReply && ((ObservedReply) r).observer().observesStart();
    }

    /** A message of {@code peer} was refused before dispatch, or a request by policy. */
    void rejected(Peer peer, McpObserver.Rejection reason) {
        observer.messageRejected(peer.transport(), reason);
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
        for (ToolCall call : c.inFlight.values()) {
            call.abandon();
        }
        c.serverRequests.failAll();
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
            log.error("unexpected failure handling a message from {}", c, t);
            peer.respond(writer.error(peer.alloc(), null, JsonRpcError.INTERNAL_ERROR,
                    "Internal error: " + t.getClass().getSimpleName(), null), Outcome.error(JsonRpcError.INTERNAL_ERROR));
        } finally {
            frame.release();
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
                reply.send(writer.error(c.peer.alloc(), (RpcException) item), Reply.outcomeOf((RpcException) item));
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
                    matched = c.serverRequests.complete(json, m);
                } finally {
                    m.release();
                }
                if (!matched) {
                    rejected(c.peer, McpObserver.Rejection.INVALID_REQUEST);
                    reply.send(writer.error(c.peer.alloc(), null, JsonRpcError.INVALID_REQUEST, "Unexpected response: id "
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
            }
            taken = method.handle(c, m, params, scope(c, m.method(), params), reply);
        } catch (RpcException e) {
            McpObserver.Rejection why = refusalOf(e.code());
            if (why != null) {
                rejected(c.peer, why);
            }
            reply.send(writer.error(c.peer.alloc(), m.id(), e.code(), e.getMessage(), e.data()), Reply.outcomeOf(e));
        } finally {
            if (!taken) {
                m.release();
            }
            if (observed != null) {
                c.settle(observed);
            }
        }
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

    /**
     * Works out which revision a request is served under.
     */
    private RequestScope scope(Connection c, String method, Params params) throws RpcException {
        String requested = params.protocolVersion();
        if (requested != null && ("initialize".equals(method) || "ping".equals(method))) {
            ProtocolVersion v = ProtocolVersion.find(requested);
            if (v != null && v.isModern()) {
                throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + method + " is not part of "
                        + "protocol " + v.id() + ", which has no handshake and no ping; "
                        + ("initialize".equals(method) ? "call server/discover, or send requests with their _meta at once"
                        : "any request shows the server is there"));
            }
        }
        if (requested != null && !"initialize".equals(method)) {
            ProtocolVersion v = ProtocolVersion.find(requested);
            if (v == null) {
                throw unsupportedVersion(requested, ProtocolVersion.ids(),
                        "Unsupported protocol version: " + requested);
            }
            if (v.isModern()) {
                LoggingMethods.checkRequestLevel(params);
                return new RequestScope(v, params, c);
            }
            if (!c.isInitialized()) {
                throw unsupportedVersion(requested, ProtocolVersion.modernIds(), "Protocol version " + requested
                        + " is served only after initialize; per-request _meta accepts " + ProtocolVersion.modernIds());
            }
        }
        if (c.isInitialized()) {
            return new RequestScope(c.version(), params, c);
        }
        switch (method) {
            case "initialize":
            case "ping":
            case "server/discover":
                return new RequestScope(ProtocolVersion.LATEST, params, c);
            default:
                throw new RpcException(JsonRpcError.INVALID_REQUEST, "Not initialized: send initialize first "
                        + "(protocol 2025-03-26 to 2025-11-25), or give each request "
                        + "_meta[\"io.modelcontextprotocol/protocolVersion\"] (protocol 2026-07-28)");
        }
    }

    private static RpcException unsupportedVersion(String requested, List<String> supported, String message) {
        Map<String, Object> data = new HashMap<>();
        data.put("supported", supported);
        data.put("requested", requested);
        return new RpcException(JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION, message, null, data);
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
        ToolCall call = target == null ? null : c.inFlight.get(target);
        if (call != null) {
            call.cancel();
        } else if (target != null && subscriptions.cancel(c, target)) {
            log.debug("subscriptions/listen {} closed by the client on {}", target, c);
        } else {
            log.debug("notifications/cancelled for unknown request {} from {}", target, c);
        }
    }

    // ---------------------------------------------------------------- lifecycle methods

    private boolean initialize(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        if (c.isInitialized()) {
            throw new RpcException(JsonRpcError.INVALID_REQUEST, "Already initialized with protocol version "
                    + c.version().id() + ": initialize may be sent once per connection");
        }
        String requested = p.requireString("initialize", "protocolVersion");
        ByteBuf capabilities = p.object("initialize", "capabilities");
        ByteBuf clientInfo = p.object("initialize", "clientInfo");
        if (capabilities == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for initialize: missing required object \"capabilities\"");
        }
        if (clientInfo == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for initialize: missing required object \"clientInfo\"");
        }
        ProtocolVersion v = ProtocolVersion.find(requested);
        ProtocolVersion negotiated = v != null && !v.isModern() ? v : ProtocolVersion.LATEST_LEGACY;
        c.initialize(negotiated, tree(capabilities), tree(clientInfo));
        c.sessionStartNanos = System.nanoTime();
        observer.sessionStarted(c.peer.transport());
        r.send(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            g.writeStringField("protocolVersion", negotiated.id());
            g.writeFieldName("capabilities");
            writeCapabilities(g, negotiated);
            g.writeFieldName("serverInfo");
            info.writeImplementation(g);
            if (info.instructions() != null) {
                g.writeStringField("instructions", info.instructions());
            }
            g.writeEndObject();
        }));
        return false;
    }

    private boolean ping(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) {
        r.send(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            writeResultPrelude(g, s, false);
            g.writeEndObject();
        }));
        return false;
    }

    private boolean discover(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) {
        r.send(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            g.writeStringField("resultType", "complete");
            g.writeArrayFieldStart("supportedVersions");
            for (String id : ProtocolVersion.ids()) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeFieldName("capabilities");
            writeCapabilities(g, ProtocolVersion.LATEST);
            if (info.instructions() != null) {
                g.writeStringField("instructions", info.instructions());
            }
            g.writeNumberField("ttlMs", 0);
            g.writeStringField("cacheScope", "public");
            writeServerInfoMeta(g, null);
            g.writeEndObject();
        }));
        return false;
    }

    /** What this server offers, as it stands now: resources, prompts and completions only when there are any. */
    private void writeCapabilities(JsonGenerator g, ProtocolVersion v) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("tools");
        g.writeBooleanField("listChanged", true);
        g.writeEndObject();
        if (!resources.isEmpty()) {
            g.writeObjectFieldStart("resources");
            g.writeBooleanField("subscribe", true);
            g.writeBooleanField("listChanged", true);
            g.writeEndObject();
        }
        if (prompts.size() > 0) {
            g.writeObjectFieldStart("prompts");
            g.writeBooleanField("listChanged", true);
            g.writeEndObject();
        }
        if (prompts.size() > 0 || resources.hasTemplates()) {
            g.writeObjectFieldStart("completions");
            g.writeEndObject();
        }
        g.writeObjectFieldStart("logging");
        g.writeEndObject();
        Tasks.writeCapability(g, v);
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- tools

    private boolean toolsList(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String cursor = p.string("tools/list", "cursor");
        String after = cursor == null ? null : decodeCursor(cursor);
        List<ToolRegistry.Entry> page = tools.page(after, settings.pageSize);
        String next = page.size() == settings.pageSize && tools.hasAfter(page.get(page.size() - 1).tool.name())
                ? encodeCursor(page.get(page.size() - 1).tool.name()) : null;
        r.send(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            writeResultPrelude(g, s, true);
            g.writeArrayFieldStart("tools");
            for (ToolRegistry.Entry e : page) {
                if (policy == null || policy.mayList(c, e.tool.name())) {
                    g.writeRawValue(e.tool.definitionJson());
                }
            }
            g.writeEndArray();
            if (next != null) {
                g.writeStringField("nextCursor", next);
            }
            if (s.isModern()) {
                writeServerInfoMeta(g, null);
            }
            g.writeEndObject();
        }));
        return false;
    }

    private static String encodeCursor(String lastName) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastName).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) throws RpcException {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(CURSOR_PREFIX)) {
                return decoded.substring(CURSOR_PREFIX.length());
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                "Invalid cursor: \"" + cursor + "\" is not a cursor this server issued; list again without one");
    }

    private boolean toolsCall(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String name = p.requireString("tools/call", "name");
        ByteBuf args = p.object("tools/call", "arguments");
        PolicyGate gate = policy;
        if (gate != null) {
            // Before the lookup, so that a principal cannot learn which tools exist beyond its grants.
            gate.authorize(c, name);
        }
        ToolRegistry.Entry entry = tools.get(name);
        if (entry == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name);
        }
        if (gate != null) {
            gate.acquire(c, name);
        }
        if (entry.paramHeaders != null && s.isModern() && c.peer.transport() == io.peregrine.transport.Transport.HTTP) {
            entry.paramHeaders.check(argumentTree(args), c.peer::requestHeader);
        }
        if (settings.validateArguments && entry.tool.validatesArguments()) {
            List<String> problems;
            try {
                problems = validator.validate(entry.inputSchema, args);
            } catch (IOException e) {
                problems = List.of("arguments could not be read: " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                return invalidArguments(c, m, s, r, name, String.join("; ", problems));
            }
        }
        if (entry.tool.taskSupport() != TaskSupport.FORBIDDEN || (!s.isModern() && p.has("task"))) {
            Task task = tasks.plan(c, s, p, entry);
            if (task != null) {
                return startTask(c, m, s, entry, args, r, task);
            }
        }
        io.peregrine.policy.ResultCache.Lookup cached = null;
        if (gate != null && entry.tool.isCacheable() && !(s.isModern() && InputRequests.carriesInput(p))) {
            cached = gate.lookup(c, entry.tool, args);
            if (cached != null) {
                observer.cacheLookup("result", !cached.isLeader());
            }
            if (cached != null && !cached.isLeader()) {
                answerShared(c, m, s, r, entry, cached);
                return true;
            }
        }
        ToolCall call = new ToolCall(this, c, m, s, entry, new ByteBufToolArguments(json, args), r);
        if (gate != null) {
            call.principal = c.principal;
            call.cacheFill = cached;
            if (gate.chain().audit().logsToolCalls()) {
                call.startNanos = System.nanoTime();
            }
        }
        if (s.isModern() && InputRequests.carriesInput(p)) {
            call.inputs(InputRequests.open(json, requestStates, p, "tools/call", name, args, s.version().id(),
                    principalOf(c)));
        }
        if (!entry.tool.isBlocking()) {
            callsInFlight.incrementAndGet();
            inContext(r, call).run();
            return true;
        }
        if (c.inFlight.putIfAbsent(m.id(), call) != null) {
            throw new RpcException(JsonRpcError.INVALID_REQUEST,
                    "Duplicate request id " + m.id() + ": a request with this id is still in flight");
        }
        callsInFlight.incrementAndGet();
        if (c.inFlight.size() >= settings.maxInFlight) {
            c.peer.pauseReading(true);
        }
        long timeout = entry.tool.timeout() != null ? entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
        call.scheduleDeadline(timeout);
        if (!executor.tryExecute(inContext(r, call))) {
            call.drop();
            call.abortOverloaded();
        }
        return true;
    }

    /** Answers {@code m} with the result of the identical call it coalesced with, once there is one. */
    private void answerShared(Connection c, RpcMessage m, RequestScope s, Reply r, ToolRegistry.Entry entry,
                              io.peregrine.policy.ResultCache.Lookup shared) {
        io.peregrine.policy.Principal principal = c.principal;
        long start = System.nanoTime();
        shared.future().whenComplete((result, failure) -> {
            try {
                ToolResult answer = result != null ? result : ToolResult.error("Tool " + entry.tool.name()
                        + ": the identical call this one waited on ended without a result; retry");
                r.send(writer.result(c.peer.alloc(), m.id(), g -> writeToolResult(g, s, answer)),
                        answer.isError() ? Reply.TOOL_ERROR : Outcome.RESULT);
                policy.chain().audit().toolCall(principal, c.peer.transport().label(), entry.tool.name(),
                        result == null ? "shared-failed" : "cached", System.nanoTime() - start);
            } finally {
                m.release();
            }
        });
    }

    /** A call ended with {@code result} (null: without one): fill or forget its cache entry, audit it. */
    private void settled(ToolCall call, String outcome, ToolResult result) {
        PolicyGate gate = policy;
        if (gate == null) {
            return;
        }
        if (call.cacheFill != null) {
            if (result != null) {
                gate.chain().cache().complete(call.cacheFill, result);
            } else {
                gate.chain().cache().abandon(call.cacheFill);
            }
        }
        if (call.startNanos != 0) {
            gate.chain().audit().toolCall(call.principal, call.connection.peer.transport().label(), call.entry.tool.name(),
                    outcome, System.nanoTime() - call.startNanos);
        }
    }

    /** The call was cancelled or its connection closed: no answer follows. */
    void callDropped(ToolCall call) {
        settled(call, "cancelled", null);
    }

    /** Runs the call as {@code task}: answered at once with the task, the call's own answer kept for later. */
    private boolean startTask(Connection c, RpcMessage m, RequestScope s, ToolRegistry.Entry entry, ByteBuf args,
                              Reply r, Task task) {
        ToolCall call = new ToolCall(this, c, m, s, entry, new ByteBufToolArguments(json, args), new TaskReply(json, task));
        call.task(task);
        task.attach(call);
        // Not in the connection's in-flight map: a task outlives its request, and in 2026-07-28 its connection.
        callsInFlight.incrementAndGet();
        long timeout = entry.tool.timeout() != null ? entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
        call.scheduleDeadline(timeout);
        if (!executor.tryExecute(inContext(r, call))) {
            tasks.forget(task);
            call.drop();
            call.abandon();
            rejected(c.peer, McpObserver.Rejection.OVERLOADED);
            r.send(overloaded(c, m.id()), OVERLOADED);
            return true;
        }
        r.send(writer.result(c.peer.alloc(), m.id(), g -> tasks.writeCreated(g, task)));
        return true;
    }

    private boolean invalidArguments(Connection c, RpcMessage m, RequestScope s, Reply r, String tool, String problems)
            throws RpcException {
        String message = "Invalid arguments for tool " + tool + ": " + problems;
        if (!s.version().reportsArgumentErrorsInResult()) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, message);
        }
        ToolResult result = ToolResult.error(message);
        r.send(writer.result(c.peer.alloc(), m.id(), g -> writeToolResult(g, s, result)), Reply.TOOL_ERROR);
        return false;
    }

    // ---------------------------------------------------------------- call outcomes (any thread)

    void answerResult(ToolCall call, ToolResult result) {
        ToolRegistry.Entry entry = call.entry;
        if (entry.outputSchema != null && settings.validateArguments && !result.isError()) {
            String problem = checkOutput(entry, result);
            if (problem != null) {
                log.warn("tool {} returned a result that breaks its outputSchema: {}", entry.tool.name(), problem);
                settled(call, "error", null);
                answerError(call, JsonRpcError.INTERNAL_ERROR, "Tool " + entry.tool.name()
                        + " returned structuredContent that does not match its outputSchema: " + problem);
                return;
            }
        }
        settled(call, result.isError() ? "error" : "ok", result);
        call.reply.send(writer.result(call.connection.peer.alloc(), call.id(),
                g -> writeToolResult(g, call.scope, result)), result.isError() ? Reply.TOOL_ERROR : Outcome.RESULT);
    }

    private String checkOutput(ToolRegistry.Entry entry, ToolResult result) {
        if (!result.hasStructuredContent()) {
            return "the tool declares an outputSchema but returned no structuredContent";
        }
        try {
            List<String> problems = validator.validateTree(entry.outputSchema, result.structuredContent());
            return problems.isEmpty() ? null : String.join("; ", problems);
        } catch (IOException | RuntimeException e) {
            return "structuredContent could not be checked: " + e.getMessage();
        }
    }

    void answerFailure(ToolCall call, Throwable t) {
        settled(call, "error", null);
        String tool = call.entry.tool.name();
        if (t instanceof InvalidArgumentsException) {
            String message = "Invalid arguments for tool " + tool + ": " + t.getMessage();
            if (!call.scope.version().reportsArgumentErrorsInResult()) {
                answerError(call, JsonRpcError.INVALID_PARAMS, message);
                return;
            }
            answerToolError(call, message);
            return;
        }
        if (t instanceof MissingClientCapabilityException) {
            ClientFeature feature = ((MissingClientCapabilityException) t).feature();
            call.reply.send(writer.error(call.connection.peer.alloc(), call.id(),
                    JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, t.getMessage(),
                    Map.of("requiredCapabilities", feature.requiredCapabilities())),
                    Outcome.error(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY));
            return;
        }
        if (t instanceof ToolException) {
            answerToolError(call, t.getMessage());
            return;
        }
        if (t instanceof InterruptedException) {
            answerToolError(call, "Tool " + tool + " was interrupted");
            return;
        }
        log.warn("tool {} failed on {}", tool, call.connection, t);
        answerToolError(call, "Tool " + tool + " failed: " + (t.getMessage() != null ? t.getMessage() : t.toString()));
    }

    /**
     * The call goes on as a task: its request is answered with the task now, and its own answer
     * will be the task's. False when it already ended (its answer went to the request).
     */
    boolean continueAsTask(ToolCall call) {
        Task task = tasks.createDetached();
        Reply original;
        synchronized (call) {
            if (call.hasEnded()) {
                tasks.forget(task);
                return false;
            }
            original = call.reply;
            call.task(task);
            task.attach(call);
            call.reply = new TaskReply(json, task);
        }
        // The request is answered: its id and its slot on the connection are free again.
        Connection c = call.connection;
        if (c.inFlight.remove(call.id(), call) && c.inFlight.size() < settings.maxInFlight) {
            c.peer.pauseReading(false);
        }
        original.send(writer.result(c.peer.alloc(), call.id(), g -> tasks.writeCreated(g, task)));
        return true;
    }

    /** 2026-07-28: the call asked what the client has not answered yet. */
    void answerInputRequired(ToolCall call) {
        call.reply.send(inputRequired(call.connection, call.id(), call.inputs()));
    }

    /** An {@code input_required} result listing what {@code inputs} still waits for, with a fresh request state. */
    ByteBuf inputRequired(Connection c, RequestId id, InputRequests inputs) {
        return writer.result(c.peer.alloc(), id, g -> {
            g.writeStartObject();
            g.writeStringField("resultType", "input_required");
            inputs.writeFields(g, requestStates);
            writeServerInfoMeta(g, null);
            g.writeEndObject();
        });
    }

    /**
     * The answers a request brings (2026-07-28), verified, for {@code method} of {@code name}; a
     * request that brings none gets an empty set.
     */
    InputRequests inputsOf(Connection c, Params p, RequestScope s, String method, String name, ByteBuf arguments)
            throws RpcException {
        return InputRequests.carriesInput(p)
                ? InputRequests.open(json, requestStates, p, method, name, arguments, s.version().id(), principalOf(c))
                : InputRequests.none(method, name, arguments, s.version().id(), principalOf(c));
    }

    /** Who a request state is issued to: the connection's authenticated principal. */
    static String principalOf(Connection c) {
        io.peregrine.policy.Principal principal = PolicyGate.principal(c);
        return principal.method() + ":" + principal.name();
    }

    /** 2025 era: asks the client through requests of this server's own, waiting for the answers. */
    List<Object> askClient(ToolCall call, ClientRequest[] requests) throws ClientRequestException, InterruptedException {
        return askClient(call.connection, call.reply, call.scope.version(), "Tool " + call.entry.tool.name(),
                call.task() != null ? call.task().id : null, requests);
    }

    List<Object> askClient(Connection c, Reply reply, ProtocolVersion version, String asker, String relatedTask,
                           ClientRequest[] requests) throws ClientRequestException, InterruptedException {
        return c.serverRequests.ask(writer, c.peer, reply, version.id(), asker, relatedTask, requests,
                clientRequests.timeoutMillis);
    }

    /** Sent on the stream of the call that elicited, which is the client that asked, ahead of the call's answer. */
    void sendElicitationComplete(Connection c, Reply reply, String elicitationId) {
        if (!c.peer.isOpen()) {
            return;
        }
        reply.sendRelated(writer.notification(c.peer.alloc(), "notifications/elicitation/complete", g -> {
            g.writeStartObject();
            g.writeStringField("elicitationId", elicitationId);
            g.writeEndObject();
        }));
    }

    /** Requests to clients still waiting for their answers, over all connections; for tests and metrics. */
    public int pendingClientRequests() {
        int n = 0;
        for (Connection c : connections) {
            n += c.serverRequests.size();
        }
        return n;
    }

    void answerTimeout(ToolCall call) {
        settled(call, "timeout", null);
        long ms = call.entry.tool.timeout() != null ? call.entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
        answerToolError(call, "Tool " + call.entry.tool.name() + " timed out after " + ms + " ms and was cancelled");
    }

    void answerShutdown(ToolCall call) {
        settled(call, "shutdown", null);
        answerError(call, JsonRpcError.SHUTTING_DOWN,
                "Server shut down before tool " + call.entry.tool.name() + " finished; retry on another instance");
    }

    private void answerToolError(ToolCall call, String message) {
        ToolResult result = ToolResult.error(message);
        call.reply.send(writer.result(call.connection.peer.alloc(), call.id(),
                g -> writeToolResult(g, call.scope, result)), Reply.TOOL_ERROR);
    }

    private void answerError(ToolCall call, int code, String message) {
        call.reply.send(writer.error(call.connection.peer.alloc(), call.id(), code, message, null), Outcome.error(code));
    }

    void answerOverloaded(ToolCall call) {
        settled(call, "overloaded", null);
        rejected(call.connection.peer, McpObserver.Rejection.OVERLOADED);
        call.reply.send(overloaded(call.connection, call.id()), OVERLOADED);
    }

    private ByteBuf overloaded(Connection c, RequestId id) {
        Map<String, Object> data = new HashMap<>();
        data.put("retryAfterMs", OVERLOADED.retryAfterMillis());
        data.put("maxConcurrency", executor.maxConcurrency());
        return writer.error(c.peer.alloc(), id, JsonRpcError.SERVER_OVERLOADED,
                "Server overloaded: " + executor.maxConcurrency()
                        + " blocking tool calls are already running (exec.max-concurrency); retry shortly", data);
    }

    /** Bookkeeping once a call has ended, whoever ended it. */
    void callEnded(ToolCall call) {
        Connection c = call.connection;
        if (c.inFlight.remove(call.id(), call) && c.inFlight.size() < settings.maxInFlight) {
            c.peer.pauseReading(false);
        }
        callsInFlight.decrementAndGet();
    }

    void sendProgress(Connection c, Reply reply, RequestId token, double progress, Double total, String message) {
        reply.sendRelated(writer.notification(c.peer.alloc(), "notifications/progress", g -> {
            g.writeStartObject();
            g.writeFieldName("progressToken");
            token.writeTo(g);
            g.writeNumberField("progress", progress);
            if (total != null) {
                g.writeNumberField("total", total);
            }
            if (message != null) {
                g.writeStringField("message", message);
            }
            g.writeEndObject();
        }));
    }

    // ---------------------------------------------------------------- encoding helpers

    private void writeToolResult(JsonGenerator g, RequestScope s, ToolResult result) throws IOException {
        g.writeStartObject();
        writeResultPrelude(g, s, false);
        result.writeFields(g);
        if (s.isModern()) {
            writeServerInfoMeta(g, result.meta());
        } else if (result.meta() != null) {
            g.writeFieldName("_meta");
            JsonTree.write(g, result.meta());
        }
        g.writeEndObject();
    }

    /** {@code resultType} (and the cache hints of a list result) for 2026-07-28 requests. */
    static void writeResultPrelude(JsonGenerator g, RequestScope s, boolean cacheable) throws IOException {
        if (s.isModern()) {
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
    ByteBuf emptyResult(Connection c, RequestId id, RequestScope s) {
        return writer.result(c.peer.alloc(), id, g -> {
            g.writeStartObject();
            writeResultPrelude(g, s, false);
            if (s.isModern()) {
                writeServerInfoMeta(g, null);
            }
            g.writeEndObject();
        });
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

    @SuppressWarnings("unchecked")
    private Map<String, Object> argumentTree(ByteBuf args) throws RpcException {
        Object tree = args == null ? null : tree(args);
        return tree instanceof Map ? (Map<String, Object>) tree : Map.of();
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

    /** Calls running right now, over all connections. */
    public int callsInFlight() {
        return callsInFlight.get();
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
        while (callsInFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean clean = callsInFlight.get() == 0;
        tasks.cancelAll();
        subscriptions.closeAll();
        List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
        for (Connection c : connections) {
            for (ToolCall call : c.inFlight.values()) {
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
