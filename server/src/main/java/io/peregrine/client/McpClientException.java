package io.peregrine.client;

import io.peregrine.rpc.JsonRpcError;

/**
 * A request that did not produce a result: the server answered with a JSON-RPC error, or the
 * request failed on this side (it timed out, the connection was lost, the waiting thread was
 * interrupted).
 *
 * <p>A server error carries the server's {@link #code()}, message and {@link #data()} as sent. A
 * failure on this side has the code {@link #LOCAL}; its {@link #getCause() cause} is a
 * {@link java.util.concurrent.TimeoutException} when the request timed out, a
 * {@link java.nio.channels.ClosedChannelException} when the connection was lost or the client
 * closed, and an {@link InterruptedException} when the waiting thread was interrupted. A failure
 * that {@link #notSent() was never sent} tells so: the server cannot have acted on the request.
 */
public final class McpClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The {@link #code()} of a failure on this side, which the server never saw or never answered. */
    public static final int LOCAL = 0;

    private final int code;
    private final transient Object data;
    private final boolean notSent;

    /** A failure with a JSON-RPC {@code code}; handlers throw it to answer the server with that error. */
    public McpClientException(int code, String message, Object data) {
        super(message);
        this.code = code;
        this.data = data;
        this.notSent = false;
    }

    McpClientException(String message, Throwable cause) {
        this(message, cause, false);
    }

    McpClientException(String message, Throwable cause, boolean notSent) {
        super(message, cause);
        this.code = LOCAL;
        this.data = null;
        this.notSent = notSent;
    }

    /**
     * Whether the request provably never left this client: there was no ready connection (refused,
     * not yet made, lost before the request was written), the client was closed, or no slot for it
     * freed in time. Only such a failure makes resending a request that is not idempotent safe.
     */
    public boolean notSent() {
        return notSent;
    }

    /** The JSON-RPC error code sent by the server, or {@link #LOCAL}. */
    public int code() {
        return code;
    }

    /** The error's {@code data} as a JSON tree (see {@link io.peregrine.rpc.JsonTree}), or null. */
    public Object data() {
        return data;
    }

    @Override
    public String toString() {
        String s = super.toString();
        return code == LOCAL ? s : s + " (" + JsonRpcError.nameOf(code) + ", code " + code + ")";
    }
}
