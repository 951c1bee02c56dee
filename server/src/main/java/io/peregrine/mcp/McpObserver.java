package io.peregrine.mcp;

import io.peregrine.transport.Transport;

/**
 * Sees the server's traffic at its edges, once per event: each request where it enters dispatch and
 * where it is answered, connections and sessions opening and closing, messages refused before
 * dispatch, and the policy's decisions. Metrics, traces, the audit log and cache statistics are
 * observers; the core calls them and knows nothing of what they do.
 *
 * <p>Calls come from the thread that does the work: an event loop, or the executor thread that
 * answers a tool call. An observer must be cheap, must not block, and must not throw (what it
 * throws is logged and dropped). The core passes strings it already holds and allocates nothing
 * for an observer; {@link #NONE} is the default, and with it the hot path pays one interface call
 * per event.
 *
 * <p>Every request that enters dispatch gets exactly one {@link #requestEnded}: answered with a
 * result, with an error, or not at all (cancelled, or its connection went away).
 */
public interface McpObserver {

    /** Observes nothing. */
    McpObserver NONE = new McpObserver() {
    };

    /**
     * Whether {@link #requestStarted} wants to be called. When false the core skips it and hands
     * {@code null} as the state to {@link #requestEnded}; metrics need only the end, traces the start.
     */
    default boolean observesStart() {
        return false;
    }

    /**
     * A request entered dispatch (it was read and is a well-formed request). Returns a state the
     * core hands back to {@link #requestEnded} (a span, for instance), or null. Runs on the event
     * loop before policy and the method handler, so a tool's handler runs inside what this opens.
     */
    default Object requestStarted(ObservedRequest request) {
        return null;
    }

    /**
     * A request was answered, or will get no answer. {@code errorCode} is the JSON-RPC error code of
     * the answer, or 0 for a result; {@code toolError} is true for a {@code tools/call} result with
     * {@code isError: true}; {@code answered} is false when no answer was sent (cancelled, or the
     * connection closed first).
     */
    default void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                              boolean answered, long durationNanos) {
    }

    /**
     * The work of a request that runs on another thread (a blocking tool's handler, a blocking
     * resource read or prompt): returns what the executor runs in its place, so that an observer
     * can make what {@link #requestStarted} opened current on that thread (a span, for instance)
     * around {@code task}. {@code state} is what {@link #requestStarted} returned. A handler that
     * runs on the event loop is wrapped the same way. Called only when {@link #observesStart()};
     * the default runs {@code task} as it is.
     */
    default Runnable wrap(Object state, Runnable task) {
        return task;
    }

    /** A connection opened (a socket, a WebSocket, an HTTP connection, a stdio pipe). */
    default void connectionOpened(Transport transport) {
    }

    default void connectionClosed(Transport transport) {
    }

    /**
     * A 2025-era session started: {@code initialize} succeeded on a socket or WebSocket, or an HTTP
     * session was created.
     */
    default void sessionStarted(Transport transport) {
    }

    /** A session ended (closed, deleted, or expired), after {@code durationNanos}. */
    default void sessionEnded(Transport transport, long durationNanos) {
    }

    /**
     * A message was refused before it reached a method handler, or a request was refused by policy.
     * {@code reason} is one of the {@link Rejection} names.
     */
    default void messageRejected(Transport transport, Rejection reason) {
    }

    /**
     * A rate-limit decision: {@code limiter} is the bucket's scope (global, principal, tool,
     * principal_tool, connection), {@code admitted} whether a token was taken.
     */
    default void rateLimitDecision(String limiter, boolean admitted) {
    }

    /** A lookup in a cache ({@code result} for the tool-result cache): {@code hit} or miss. */
    default void cacheLookup(String cache, boolean hit) {
    }

    /** Why a message was refused; {@link #label()} is the metric label value. */
    enum Rejection {
        PARSE_ERROR, INVALID_REQUEST, TOO_LARGE, OVERLOADED, UNAUTHORIZED, FORBIDDEN, RATE_LIMITED,
        SESSION_NOT_FOUND, UNSUPPORTED_VERSION, HEADER_MISMATCH, SHUTTING_DOWN;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        public String label() {
            return label;
        }
    }
}
