package io.peregrine.rpc;

/**
 * A request that must be answered with a JSON-RPC error. Carries the id to answer with when it
 * could be read, and optional structured {@code data}.
 */
public class RpcException extends Exception {

    private final int code;
    private final RequestId id;
    private final Object data;

    public RpcException(int code, String message) {
        this(code, message, null, null);
    }

    public RpcException(int code, String message, RequestId id, Object data) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
        this.data = data;
    }

    public int code() {
        return code;
    }

    /** The id of the request this answers, or null when it could not be read. */
    public RequestId id() {
        return id;
    }

    /** A value for the error's {@code data} member (a tree of Maps, Lists, strings, numbers), or null. */
    public Object data() {
        return data;
    }

    /** The same error, answering the request {@code id}. */
    public RpcException withId(RequestId newId) {
        return new RpcException(code, getMessage(), newId, data);
    }
}
