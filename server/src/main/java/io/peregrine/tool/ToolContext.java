package io.peregrine.tool;

import java.util.Map;

/** What a running tool call can ask of, and tell, the client that made it. */
public interface ToolContext {

    /** The JSON-RPC id of the call, as JSON text ({@code 7} or {@code "abc"}). */
    String requestId();

    /** The protocol revision of the request, e.g. {@code 2025-11-25} or {@code 2026-07-28}. */
    String protocolVersion();

    /** The client's self-reported {@code clientInfo}, or an empty map. */
    Map<String, Object> clientInfo();

    /** True once the client cancelled the call, its deadline passed, or the server is closing. */
    boolean isCancelled();

    /**
     * Reports progress against the request's {@code progressToken}; does nothing when the client
     * asked for none. {@code total} and {@code message} may be null.
     */
    void progress(double progress, Double total, String message);
}
