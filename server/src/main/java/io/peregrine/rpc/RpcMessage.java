package io.peregrine.rpc;

import io.netty.buffer.ByteBuf;

/**
 * One decoded JSON-RPC message: its envelope read, its {@code params} (or {@code result}) left as
 * a raw slice of the frame it came in.
 *
 * <p>The slices share the frame's memory and are valid only while the frame is: whoever holds a
 * message releases it with {@link #release()} once the request is answered.
 */
public final class RpcMessage {

    /** What a message is. */
    public enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    private final Kind kind;
    private final RequestId id;
    private final String method;
    /** Where {@code params} lies in {@link #frame} (an absolute index); a negative length when absent. */
    private final int paramsIndex;
    private final int paramsLength;
    private final Object paramsView;
    private final ByteBuf result;
    private final RpcErrorBody error;
    private final ByteBuf frame;

    RpcMessage(Kind kind, RequestId id, String method, int paramsIndex, int paramsLength, Object paramsView,
               ByteBuf result, RpcErrorBody error, ByteBuf frame) {
        this.kind = kind;
        this.id = id;
        this.method = method;
        this.paramsIndex = paramsIndex;
        this.paramsLength = paramsLength;
        this.paramsView = paramsView;
        this.result = result;
        this.error = error;
        this.frame = frame;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRequest() {
        return kind == Kind.REQUEST;
    }

    /** The id; null for notifications. */
    public RequestId id() {
        return id;
    }

    /** The method; null for responses. Known MCP method names are canonical instances. */
    public String method() {
        return method;
    }

    /**
     * The raw {@code params} object, or null when absent: a new slice of the frame on each call,
     * made only when asked for, as most requests are served from {@link #paramsView()}.
     */
    public ByteBuf params() {
        return paramsLength < 0 ? null : frame.slice(paramsIndex, paramsLength);
    }

    /** What the decoder's {@link ParamsReader} made of {@code params}, or null. */
    public Object paramsView() {
        return paramsView;
    }

    /** For a success response: the raw {@code result} value. */
    public ByteBuf result() {
        return result;
    }

    /** For an error response: its code and message. */
    public RpcErrorBody error() {
        return error;
    }

    /** Releases the frame behind the slices; call once when done with the message. */
    public void release() {
        frame.release();
    }

    /** Keeps the frame alive for one more {@link #release()}. */
    public RpcMessage retain() {
        frame.retain();
        return this;
    }

    @Override
    public String toString() {
        return kind + (id != null ? " id=" + id : "") + (method != null ? " method=" + method : "");
    }

    /** The code and message of an error response received from the peer. */
    public static final class RpcErrorBody {
        private final int code;
        private final String message;

        RpcErrorBody(int code, String message) {
            this.code = code;
            this.message = message;
        }

        public int code() {
            return code;
        }

        public String message() {
            return message;
        }
    }
}
