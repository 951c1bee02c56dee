package io.peregrine.tool;

import java.util.Map;

/**
 * What a running tool call can ask of, and tell, the client that made it. Asking the client
 * (elicitation, sampling, roots) is described at {@link ClientQuestions}.
 */
public interface ToolContext extends ClientQuestions {

    /**
     * The {@code _meta} key by which a client gives a request its own deadline, in milliseconds
     * from when the request is received (a positive integer). A {@code tools/call} that carries it
     * ends at the shorter of that and the tool's timeout; the gateway passes it on to upstreams
     * with what remains of the call's time.
     */
    String META_TIMEOUT_MS = "io.peregrine/timeoutMs";

    /** The JSON-RPC id of the call, as JSON text ({@code 7} or {@code "abc"}). */
    String requestId();

    /** The protocol revision of the request, e.g. {@code 2025-11-25} or {@code 2026-07-28}. */
    String protocolVersion();

    /** The client's self-reported {@code clientInfo}, or an empty map. */
    Map<String, Object> clientInfo();

    /**
     * Who made the call, as policy authenticated them ({@code api-key:alice}, {@code jwt:bob}); null
     * when no authentication admitted the request (an anonymous client).
     */
    default String principal() {
        return null;
    }

    /**
     * The client's 2025-era session the call belongs to: its {@code Mcp-Session-Id} on Streamable
     * HTTP, its connection on TCP, WebSocket and stdio; null for a 2026-07-28 request, which
     * belongs to no session.
     */
    default String sessionKey() {
        return null;
    }

    /** True once the client cancelled the call, its deadline passed, or the server is closing. */
    boolean isCancelled();

    /**
     * Reports progress against the request's {@code progressToken}; does nothing when the client
     * asked for none. {@code total} and {@code message} may be null.
     */
    void progress(double progress, Double total, String message);

    /**
     * Whether the client asked for progress ({@code progressToken}): when it did not,
     * {@link #progress} does nothing, and a tool that forwards the call need not ask for any.
     */
    default boolean wantsProgress() {
        return true;
    }

    /**
     * Sends a log message to the client ({@code notifications/message}) if it asked for
     * {@code level} or a lower one: with {@code logging/setLevel} on its connection (2025
     * revisions) or {@code _meta["io.modelcontextprotocol/logLevel"]} on this request
     * (2026-07-28). Otherwise, and after the call ended, it does nothing.
     *
     * @param logger the name of the logger, or null
     * @param data   what to log: a string or a tree of plain values (see {@link io.peregrine.rpc.JsonTree})
     */
    default void log(LogLevel level, String logger, Object data) {
    }

    /** Whether a message of {@code level} would reach the client, to skip building ones that would not. */
    default boolean isLoggable(LogLevel level) {
        return false;
    }

    /**
     * Sends {@code notifications/elicitation/complete} for a URL-mode elicitation this call made,
     * telling the client the out-of-band interaction finished (2025-11-25 only; other revisions have
     * no such notification and nothing is sent). The returned action may be run after the call has
     * ended, from any thread, at most once; it does nothing once the connection is closed.
     */
    /**
     * For a tool built with {@code startsTaskItself(true)}: makes the rest of this call a task
     * (2026-07-28, when the client declared the tasks extension). The request is answered with the
     * task at once, and what the handler returns becomes the task's result; questions asked from
     * here on wait for {@code tasks/update}. Call it once the handler's {@code input_required}
     * rounds are settled, before the long part of its work.
     *
     * @return whether the call is now a task; false when no task is possible (2025 era, a client
     *         without the extension, a tool not built for it) or the call already is one, and it
     *         then simply goes on
     */
    default boolean continueAsTask() {
        return false;
    }

    /**
     * How many milliseconds the call has left before its deadline (the tool's timeout, or the
     * shorter {@link #META_TIMEOUT_MS} the client gave); {@link Long#MAX_VALUE} when it has none.
     * Work the tool hands on (a request to another service) should not be given longer.
     */
    default long remainingMillis() {
        return Long.MAX_VALUE;
    }

    default Runnable elicitationCompletion(String elicitationId) {
        return () -> { };
    }
}
