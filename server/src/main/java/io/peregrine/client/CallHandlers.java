package io.peregrine.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Answers for what the server asks of the client, and a listener for its log messages, that serve
 * one call only: given to {@link PeregrineClient#callToolAsync(String, Map, ProgressListener, CallHandlers)},
 * they take precedence over the client's own handlers (those of its builder) for the requests the
 * client can tie to that call. Immutable: each {@code on...} method returns a new set.
 *
 * <p>Which requests belong to a call:
 * <ul>
 *   <li>2026-07-28: the {@code inputRequests} of the call's own {@code input_required} results.</li>
 *   <li>2025 era over Streamable HTTP: the requests and log messages that arrive on the call's
 *       POST response stream.</li>
 *   <li>2025-11-25, any transport: a request whose {@code _meta["io.modelcontextprotocol/related-task"]}
 *       names a task belongs to the call that created that task
 *       ({@link PeregrineClient#callToolAsTaskAsync}), or to no call.</li>
 *   <li>2025 era over TCP, WebSocket or stdio, and messages on an HTTP session's GET stream: the
 *       protocol carries no other link from a server's request to the client request it serves,
 *       so a request is tied to a call only while that call is the one call with handlers
 *       of its own in flight on the connection. Otherwise the client's own handlers answer, as
 *       they answer every request tied to no call.</li>
 * </ul>
 *
 * <p>The questions tied to one call are answered one at a time, in the order the server asked
 * them, on the client's handler threads (never the I/O thread); a handler may block. A handler
 * whose question does not depend on those before it may let the next one start at once
 * ({@link #letNextQuestionStart()}), so that questions the server asked together wait for their
 * answers together.
 */
public final class CallHandlers {

    private static final CallHandlers NONE = new CallHandlers(null, null, null, null);

    /** Null for each question the call leaves to the client's own handlers. */
    private final ClientRequestHandler elicitation;
    private final ClientRequestHandler sampling;
    private final ClientRequestHandler roots;
    private final BiConsumer<String, Map<String, Object>> log;

    private CallHandlers(ClientRequestHandler elicitation, ClientRequestHandler sampling, ClientRequestHandler roots,
                         BiConsumer<String, Map<String, Object>> log) {
        this.elicitation = elicitation;
        this.sampling = sampling;
        this.roots = roots;
        this.log = log;
    }

    /** An empty set: every request goes to the client's own handlers. */
    public static CallHandlers create() {
        return NONE;
    }

    /**
     * A set made at once: what {@code create().onElicitation(...).onSampling(...)...} makes, as one
     * object rather than one for each step. Each may be null, for the client's own handlers (or,
     * for {@code log}, its notification listener).
     */
    public static CallHandlers of(ClientRequestHandler elicitation, ClientRequestHandler sampling,
                                  ClientRequestHandler roots, BiConsumer<String, Map<String, Object>> log) {
        return elicitation == null && sampling == null && roots == null && log == null ? NONE
                : new CallHandlers(elicitation, sampling, roots, log);
    }

    /** Answers the call's {@code elicitation/create} requests. */
    public CallHandlers onElicitation(ClientRequestHandler handler) {
        return new CallHandlers(Objects.requireNonNull(handler, "handler"), sampling, roots, log);
    }

    /** Answers the call's {@code sampling/createMessage} requests. */
    public CallHandlers onSampling(ClientRequestHandler handler) {
        return new CallHandlers(elicitation, Objects.requireNonNull(handler, "handler"), roots, log);
    }

    /** Answers the call's {@code roots/list} requests. */
    public CallHandlers onRootsList(ClientRequestHandler handler) {
        return new CallHandlers(elicitation, sampling, Objects.requireNonNull(handler, "handler"), log);
    }

    /**
     * Receives the call's log messages ({@code notifications/message}: the method and its
     * {@code params}) instead of the client's notification listener. It runs on the I/O thread and
     * must not block.
     */
    public CallHandlers onLog(BiConsumer<String, Map<String, Object>> listener) {
        return new CallHandlers(elicitation, sampling, roots, Objects.requireNonNull(listener, "listener"));
    }

    /**
     * From within a handler of a call's question: the call's next question may start now, on
     * another handler thread, rather than when this handler returns. Questions still start in the
     * order the server asked them. Does nothing on any other thread.
     */
    public static void letNextQuestionStart() {
        CompletableFuture<Void> turn = CallScopes.TURN.get();
        if (turn != null) {
            turn.complete(null);
        }
    }

    boolean handles(String method) {
        return handler(method) != null;
    }

    ClientRequestHandler handler(String method) {
        switch (method) {
            case ServerRequestHandlers.ELICITATION:
                return elicitation;
            case ServerRequestHandlers.SAMPLING:
                return sampling;
            case ServerRequestHandlers.ROOTS:
                return roots;
            default:
                return null;
        }
    }

    BiConsumer<String, Map<String, Object>> log() {
        return log;
    }

    boolean isEmpty() {
        return elicitation == null && sampling == null && roots == null && log == null;
    }

    @Override
    public String toString() {
        StringJoiner answered = new StringJoiner(", ", "CallHandlers[", "]");
        for (String method : List.of(ServerRequestHandlers.ELICITATION, ServerRequestHandlers.SAMPLING,
                ServerRequestHandlers.ROOTS)) {
            if (handles(method)) {
                answered.add(method);
            }
        }
        return answered + (log != null ? "+log" : "");
    }
}
