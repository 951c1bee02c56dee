package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;
import io.peregrine.transport.Transport;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The reply of one request while an {@link McpObserver} watches: it passes every message on to
 * the reply it stands in front of and, at the request's one answer (or at its end without one),
 * tells the observer how it ended. It is also what the observer sees of the request.
 *
 * <p>The method table hands it around as any {@link Reply}, so whatever keeps a request's reply
 * past its method (a tool call on the executor, a blocking resource read, a waiting
 * {@code tasks/result}, an open {@code subscriptions/listen}) ends the observation when it
 * answers, whoever answers first: {@link #ended} decides once.
 *
 * <p>A socket connection serves one request at a time on its event loop, and most requests are
 * answered before their method returns: their observation is then reused for the connection's next
 * request ({@link Connection#observe}), so observing allocates nothing on that path. One that
 * outlives its method (a blocking call) is left to its holder and a fresh one takes its place.
 */
final class ObservedReply implements Reply, ObservedRequest {

    private static final int RUNNING = 0;
    private static final int ENDING = 1;
    private static final int ENDED = 2;
    private static final AtomicIntegerFieldUpdater<ObservedReply> STATE =
            AtomicIntegerFieldUpdater.newUpdater(ObservedReply.class, "ended");

    private final McpServer server;
    private final McpObserver observer;
    private Connection connection;
    private Peer origin;
    private Reply inner;
    private RpcMessage message;
    private Params params;
    private long startNanos;
    private Object state;
    private io.peregrine.policy.Principal principal;
    private volatile int ended = ENDED;

    ObservedReply(McpServer server, McpObserver observer) {
        this.server = server;
        this.observer = observer;
    }

    /** Starts observing {@code m}, which arrived through {@code origin} and is answered through {@code inner}. */
    void begin(Connection c, Peer origin, Reply inner, RpcMessage m, Params params) {
        this.connection = c;
        this.origin = origin;
        this.inner = inner;
        this.message = m;
        this.params = params;
        this.state = null;
        this.principal = null;
        this.ended = RUNNING;
        this.startNanos = System.nanoTime();
        if (observer.observesStart()) {
            state = observer.requestStarted(this);
        }
    }

    /** The params, once read (when the envelope pass did not read them). */
    void params(Params params) {
        this.params = params;
    }

    /** The principal policy admitted the request for. */
    void principal(io.peregrine.policy.Principal principal) {
        this.principal = principal;
    }

    /** The principal policy admitted the request for, or null (no policy, or refused before admission). */
    io.peregrine.policy.Principal principal() {
        return principal;
    }

    /** What {@link McpObserver#requestStarted} returned. */
    Object state() {
        return state;
    }

    McpObserver observer() {
        return observer;
    }

    /** Whether the request ended and the observer is done with it, so this may serve another. */
    boolean isSettled() {
        return ended == ENDED;
    }

    Peer origin() {
        return origin;
    }

    /**
     * {@code task}, to run on another thread (or later) inside what the observer opened for the
     * request {@code r} answers (a span made current, for instance); {@code task} itself when unobserved.
     */
    static Runnable inContext(Reply r, Runnable task) {
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

    // ---------------------------------------------------------------- Reply

    @Override
    public void respond(ByteBuf response, Outcome outcome) {
        boolean open = origin.isOpen();
        inner.respond(response, outcome);
        end(outcome.errorCode(), outcome == TOOL_ERROR, open);
    }

    @Override
    public void send(ByteBuf message) {
        inner.send(message);
    }

    @Override
    public void respondNothing() {
        inner.respondNothing();
        end(0, false, false);
    }

    @Override
    public void dropped() {
        inner.dropped();
        end(0, false, false);
    }

    private void end(int errorCode, boolean toolError, boolean answered) {
        if (!STATE.compareAndSet(this, RUNNING, ENDING)) {
            return;
        }
        long duration = System.nanoTime() - startNanos;
        try {
            observer.requestEnded(this, state, errorCode, toolError, answered, duration);
        } finally {
            // The request and its params are not kept while this waits, idle, for the connection's next request.
            state = null;
            message = null;
            params = null;
            principal = null;
            ended = ENDED;
        }
    }

    // ---------------------------------------------------------------- ObservedRequest

    @Override
    public Transport transport() {
        return connection.peer.transport();
    }

    @Override
    public String method() {
        return message.method();
    }

    @Override
    public String target() {
        if (params == null) {
            return null;
        }
        switch (message.method()) {
            case "tools/call":
            case "prompts/get":
                return params.stringOrNull("name");
            case "resources/read":
                return params.stringOrNull("uri");
            default:
                return null;
        }
    }

    @Override
    public boolean targetRegistered() {
        if (params == null) {
            return false;
        }
        String name = params.stringOrNull("name");
        if (name == null) {
            return false;
        }
        switch (message.method()) {
            case "tools/call":
                return server.tools().get(name) != null;
            case "prompts/get":
                return server.prompts().prompt(name) != null;
            default:
                return false;
        }
    }

    @Override
    public String protocolVersion() {
        String requested = params != null ? params.protocolVersion() : null;
        if (requested != null) {
            ProtocolVersion v = ProtocolVersion.find(requested);
            if (v != null && v.isStateless()) {
                return v.id();
            }
        }
        ProtocolVersion session = connection.version();
        return session != null ? session.id() : null;
    }

    @Override
    public String requestId() {
        return message.id().toString();
    }

    @Override
    public String sessionId() {
        return connection.peer.sessionId();
    }

    @Override
    public String meta(String key) {
        return params != null ? params.meta(key) : null;
    }

    @Override
    public String httpHeader(CharSequence name) {
        return origin.requestHeader(name);
    }

    @Override
    public String toString() {
        return message + " on " + connection;
    }
}
