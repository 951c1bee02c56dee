package io.peregrine.mcp;

import io.peregrine.transport.Transport;

/**
 * What an {@link McpObserver} can see of one request. Implemented by the core's own observation of
 * the request, which a socket connection reuses from one request to the next, so observing
 * allocates nothing there (a request that outlives its method, such as a blocking tool call, and
 * each Streamable HTTP request get one of their own); valid only during the observer call (copy
 * what must outlive it). Its methods compute nothing until asked, and allocate nothing except
 * {@link #requestId()} for a string id.
 */
public interface ObservedRequest {

    Transport transport();

    /** The JSON-RPC method, e.g. {@code tools/call}. */
    String method();

    /**
     * The tool of a {@code tools/call}, the prompt of a {@code prompts/get}, the URI of a
     * {@code resources/read}; null for other methods. Not necessarily registered: an observer that
     * makes a label of it checks {@link #targetRegistered()}.
     */
    String target();

    /** Whether {@link #target()} names a registered tool or prompt. */
    boolean targetRegistered();

    /** The protocol revision the request is served under, e.g. {@code 2025-11-25}; null if not yet known. */
    String protocolVersion();

    /** The request's id as JSON text ({@code 7}, {@code "abc"}). */
    String requestId();

    /** The 2025-era session id ({@code Mcp-Session-Id} on HTTP), or null. */
    String sessionId();

    /**
     * A string value of the request's {@code params._meta}, e.g. {@code traceparent},
     * {@code tracestate}, {@code baggage} (SEP-414); null when absent.
     */
    String meta(String key);

    /** A header of the HTTP request that carried it (e.g. {@code traceparent}); null elsewhere. */
    String httpHeader(CharSequence name);
}
