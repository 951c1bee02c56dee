package io.peregrine.client;

/** A request that failed: a JSON-RPC error from the server, a timeout, or a lost connection. */
public class McpClientException extends RuntimeException {

    /** Not a JSON-RPC error: the failure happened on this side (timeout, connection lost). */
    public static final int LOCAL = 0;

    private final int code;
    private final Object data;

    public McpClientException(int code, String message, Object data) {
        super(message, null, false, false);
        this.code = code;
        this.data = data;
    }

    /** The JSON-RPC error code, or {@link #LOCAL}. */
    public int code() {
        return code;
    }

    /** The error's {@code data} as a tree, or null. */
    public Object data() {
        return data;
    }
}
