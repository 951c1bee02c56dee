package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.tool.LogLevel;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the core knows about one connection: the 2025-era session it carries, if any, and the
 * calls running for it.
 *
 * <p>The session fields are written once, by {@code initialize} on the event loop, and read by
 * later requests on the same loop; they are volatile only so that tool threads reading them see
 * the values. The tables of calls in flight, of the client's interests and of the requests sent to
 * it are made by their first entry, whatever thread adds it: most connections (an idle WebSocket,
 * a stateless 2026-07-28 exchange) never need some of them, and their empty maps were a large part
 * of an idle session's heap. Until then each reads as empty. The calls in flight are touched from
 * tool threads as calls finish.
 */
final class Connection implements Reply {

    enum State { NEW, INITIALIZING, READY }

    final Peer peer;
    /** Blocking tool calls running, by request id; null until the first. */
    private volatile Map<RequestId, ToolCall> inFlight;
    /** Tool calls waiting for a rate-limit decision made elsewhere (Redis); they count as in flight. Null until the first. */
    private volatile Set<RequestId> admitting;
    /** Null until the client subscribes to something. */
    private volatile ClientInterests interests;
    /** The (2025) tasks this session created and the server still keeps; null until the first. */
    private volatile Set<Task> tasks;
    /** Requests this server sent to the client (2025 era), correlated here whatever exchange answers them; null until the first. */
    private volatile ServerRequests serverRequests;
    /** The level from {@code logging/setLevel}, or null: no log messages until the client sets one. */
    volatile LogLevel logLevel;
    private volatile State state = State.NEW;
    private volatile ProtocolVersion version;
    private volatile Object clientCapabilities;
    private volatile Object clientInfo;
    /** Policy state, made on the first request when a policy is set; event loop only. */
    io.peregrine.policy.ConnectionPolicy policy;
    /** The peer the message being served arrived through (an HTTP exchange of a session); event loop only. */
    Peer origin;
    /** The principal of the request being served; event loop only. */
    io.peregrine.policy.Principal principal;
    /** When {@code initialize} succeeded (System.nanoTime), for the session's duration. */
    long sessionStartNanos;
    /** An observation done with its request, ready for this connection's next one; event loop only. */
    private ObservedReply spareObservation;

    Connection(Peer peer) {
        this.peer = peer;
    }

    State state() {
        return state;
    }

    // ---------------------------------------------------------------- tables made by their first entry

    /** The blocking tool calls running, to add one to. */
    Map<RequestId, ToolCall> inFlight() {
        Map<RequestId, ToolCall> m = inFlight;
        return m != null ? m : makeInFlight();
    }

    private synchronized Map<RequestId, ToolCall> makeInFlight() {
        if (inFlight == null) {
            inFlight = new ConcurrentHashMap<>();
        }
        return inFlight;
    }

    /** The blocking tool call running for {@code id}, or null. */
    ToolCall inFlight(RequestId id) {
        Map<RequestId, ToolCall> m = inFlight;
        return m != null ? m.get(id) : null;
    }

    /** The blocking tool calls running (a live view, or an empty list). */
    Collection<ToolCall> callsInFlight() {
        Map<RequestId, ToolCall> m = inFlight;
        return m != null ? m.values() : List.of();
    }

    /** Removes {@code call} from the calls in flight; true when it was there. */
    boolean removeInFlight(ToolCall call) {
        Map<RequestId, ToolCall> m = inFlight;
        return m != null && m.remove(call.id(), call);
    }

    /** Records a task this session created. */
    void ownTask(Task task) {
        Set<Task> t = tasks;
        if (t == null) {
            synchronized (this) {
                t = tasks;
                if (t == null) {
                    tasks = t = ConcurrentHashMap.newKeySet();
                }
            }
        }
        t.add(task);
    }

    /** Forgets a task of this session the server no longer keeps. */
    void disownTask(Task task) {
        Set<Task> t = tasks;
        if (t != null) {
            t.remove(task);
        }
    }

    /** The tasks this session created that the server still keeps (a live view, or an empty set). */
    Collection<Task> ownedTasks() {
        Set<Task> t = tasks;
        return t != null ? t : Set.of();
    }

    /** The tool calls waiting for admission, to add one to. */
    Set<RequestId> admitting() {
        Set<RequestId> a = admitting;
        return a != null ? a : makeAdmitting();
    }

    private synchronized Set<RequestId> makeAdmitting() {
        if (admitting == null) {
            admitting = ConcurrentHashMap.newKeySet();
        }
        return admitting;
    }

    /** Whether a tool call with {@code id} waits for admission. */
    boolean isAdmitting(RequestId id) {
        Set<RequestId> a = admitting;
        return a != null && a.contains(id);
    }

    /** The tool calls this connection has in flight, admitted or waiting for admission: what {@code connection.max-in-flight} bounds. */
    int callsCounted() {
        Map<RequestId, ToolCall> m = inFlight;
        Set<RequestId> a = admitting;
        return (m != null ? m.size() : 0) + (a != null ? a.size() : 0);
    }

    /** What the client asked to hear about, to add to. */
    ClientInterests interests() {
        ClientInterests i = interests;
        return i != null ? i : makeInterests();
    }

    private synchronized ClientInterests makeInterests() {
        if (interests == null) {
            interests = new ClientInterests();
        }
        return interests;
    }

    /** What the client asked to hear about, or null when it never subscribed to anything. */
    ClientInterests interestsIfAny() {
        return interests;
    }

    /** The requests sent to the client, to add one to. */
    ServerRequests serverRequests() {
        ServerRequests r = serverRequests;
        return r != null ? r : makeServerRequests();
    }

    private synchronized ServerRequests makeServerRequests() {
        if (serverRequests == null) {
            serverRequests = new ServerRequests();
        }
        return serverRequests;
    }

    /** The requests sent to the client, or null when none ever was. */
    ServerRequests serverRequestsIfAny() {
        return serverRequests;
    }

    /** True once {@code initialize} was answered: the connection carries a 2025-era session. */
    boolean isInitialized() {
        return state != State.NEW;
    }

    /** The negotiated 2025 revision, or null before {@code initialize}. */
    ProtocolVersion version() {
        return version;
    }

    Object clientCapabilities() {
        return clientCapabilities;
    }

    Object clientInfo() {
        return clientInfo;
    }

    void initialize(ProtocolVersion negotiated, Object capabilities, Object info) {
        this.version = negotiated;
        this.clientCapabilities = compact(capabilities);
        this.clientInfo = compact(info);
        this.state = State.INITIALIZING;
    }

    /**
     * A JSON tree as the session keeps it for its whole life, read the same but smaller: an empty
     * object is the shared empty map, and an object's table is no larger than its entries need
     * (a parsed one starts with sixteen slots).
     */
    private static Object compact(Object tree) {
        if (!(tree instanceof Map)) {
            return tree;
        }
        Map<?, ?> m = (Map<?, ?>) tree;
        if (m.isEmpty()) {
            return Map.of();
        }
        Map<Object, Object> c = new LinkedHashMap<>(m.size(), 1f);
        m.forEach((k, v) -> c.put(k, compact(v)));
        return c;
    }

    void markReady() {
        if (state == State.INITIALIZING) {
            state = State.READY;
        }
    }

    @Override
    public void respond(ByteBuf response, Outcome outcome) {
        peer.respond(response, outcome);
    }

    @Override
    public void send(ByteBuf message) {
        peer.send(message);
    }

    @Override
    public void respondNothing() {
        peer.respondNothing();
    }

    /**
     * Where the messages of a request that arrived on {@code origin} go: this connection itself for
     * socket transports, or the exchange when a transport carries each request on its own (an HTTP
     * POST of this session).
     */
    Reply replyFor(Peer origin) {
        return origin == peer ? this : new ExchangeReply(origin);
    }

    /** The messages of one request carried by an exchange of its own. */
    private static final class ExchangeReply implements Reply {
        private final Peer exchange;

        ExchangeReply(Peer exchange) {
            this.exchange = exchange;
        }

        @Override
        public void respond(ByteBuf response, Outcome outcome) {
            exchange.respond(response, outcome);
        }

        @Override
        public void send(ByteBuf message) {
            exchange.send(message);
        }

        @Override
        public void respondNothing() {
            exchange.respondNothing();
        }
    }

    /**
     * Starts observing request {@code m}, which arrived through {@code origin} and is answered
     * through {@code inner}. A socket connection reuses the observation of its previous request;
     * the exchanges of an HTTP session may arrive on several event loops at once, so each gets its own.
     */
    ObservedReply observe(McpServer server, McpObserver observer, Peer origin, Reply inner, RpcMessage m,
                          Params params) {
        ObservedReply o = null;
        if (origin == peer) {
            o = spareObservation;
            spareObservation = null;
        }
        if (o == null || o.observer() != observer) {
            o = new ObservedReply(server, observer);
        }
        o.begin(this, origin, inner, m, params);
        return o;
    }

    /** The request's method returned: keep its observation for the next request if nobody holds it any more. */
    void settle(ObservedReply o) {
        if (o.origin() == peer && o.isSettled()) {
            spareObservation = o;
        }
    }

    @Override
    public String toString() {
        return peer.toString();
    }
}
