package io.peregrine.rpc;

/**
 * JSON-RPC 2.0 error codes used by Peregrine, with the MCP revision that defines each.
 *
 * <p>Codes from -32768 to -32000 are reserved by JSON-RPC; MCP 2026-07-28 reserves -32020 to
 * -32099 for itself. Peregrine's own server conditions (overload, shutdown) therefore live outside
 * the reserved range, as the 2026-07-28 error-code allocation policy asks.
 */
public final class JsonRpcError {

    /** Invalid JSON was received: not JSON, invalid UTF-8, or trailing data after the message. */
    public static final int PARSE_ERROR = -32700;
    /** The JSON is not a valid request object (missing {@code jsonrpc}, bad {@code id}, ...). */
    public static final int INVALID_REQUEST = -32600;
    /** The method does not exist, or is not available in the request's protocol revision. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** Invalid method parameters: wrong type, unknown tool, invalid cursor, ... */
    public static final int INVALID_PARAMS = -32602;
    /** An unexpected condition inside the server. */
    public static final int INTERNAL_ERROR = -32603;

    /**
     * 2025 revisions: the resource a URI names does not exist. 2026-07-28 uses
     * {@link #INVALID_PARAMS} instead (and asks clients to accept both).
     */
    public static final int RESOURCE_NOT_FOUND = -32002;

    /** 2026-07-28: HTTP headers do not match the body. */
    public static final int HEADER_MISMATCH = -32020;
    /** 2026-07-28: the request needs a client capability it did not declare. */
    public static final int MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
    /** 2026-07-28: the requested protocol version is not supported. */
    public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    /** Peregrine: the server cannot take this request now; {@code data.retryAfterMs} says when to retry. */
    public static final int SERVER_OVERLOADED = -31000;
    /** Peregrine: the server is draining before shutdown and accepts no new requests. */
    public static final int SHUTTING_DOWN = -31001;
    /** Peregrine: no valid credentials (HTTP 401); {@code data} says why and how to authenticate. */
    public static final int UNAUTHORIZED = -31002;
    /** Peregrine: the principal lacks the scope named in {@code data.scope} (HTTP 403, {@code insufficient_scope}). */
    public static final int FORBIDDEN = -31003;
    /** Peregrine: a rate limit refused the request (HTTP 429); {@code data.retryAfterMs} says when to retry. */
    public static final int RATE_LIMITED = -31004;
    /** Peregrine gateway: the upstream server of this tool, resource or prompt cannot be reached; {@code data.upstream} names it. */
    public static final int UPSTREAM_UNAVAILABLE = -31005;
    /** Peregrine gateway: the upstream did not answer within its call timeout and was told to cancel; {@code data.upstream} names it. */
    public static final int UPSTREAM_TIMEOUT = -31006;

    private JsonRpcError() {
    }

    /** A short name for an error code, used in logs. */
    public static String nameOf(int code) {
        switch (code) {
            case PARSE_ERROR: return "ParseError";
            case INVALID_REQUEST: return "InvalidRequest";
            case METHOD_NOT_FOUND: return "MethodNotFound";
            case INVALID_PARAMS: return "InvalidParams";
            case INTERNAL_ERROR: return "InternalError";
            case RESOURCE_NOT_FOUND: return "ResourceNotFound";
            case HEADER_MISMATCH: return "HeaderMismatch";
            case MISSING_REQUIRED_CLIENT_CAPABILITY: return "MissingRequiredClientCapability";
            case UNSUPPORTED_PROTOCOL_VERSION: return "UnsupportedProtocolVersion";
            case SERVER_OVERLOADED: return "ServerOverloaded";
            case SHUTTING_DOWN: return "ShuttingDown";
            case UNAUTHORIZED: return "Unauthorized";
            case FORBIDDEN: return "Forbidden";
            case RATE_LIMITED: return "RateLimited";
            case UPSTREAM_UNAVAILABLE: return "UpstreamUnavailable";
            case UPSTREAM_TIMEOUT: return "UpstreamTimeout";
            default: return "Error(" + code + ")";
        }
    }
}
