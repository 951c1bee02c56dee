package io.peregrine.transport;

/**
 * What an answer says, handed to the transport beside its bytes so that the transport never reads
 * the bytes back: a result, or a JSON-RPC error with the details a transport turns into status and
 * headers (the scope a 403 names, the wait a 429's {@code Retry-After} gives). Streamable HTTP maps
 * it to a status line; sockets ignore it.
 */
public final class Outcome {

    /** A result. */
    public static final Outcome RESULT = new Outcome(0, null, -1);

    private final int errorCode;
    private final String requiredScope;
    private final long retryAfterMillis;

    private Outcome(int errorCode, String requiredScope, long retryAfterMillis) {
        this.errorCode = errorCode;
        this.requiredScope = requiredScope;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** A JSON-RPC error with code {@code code} and no details a transport acts on. */
    public static Outcome error(int code) {
        return new Outcome(code, null, -1);
    }

    /**
     * A JSON-RPC error with the details a transport acts on: the scope a refused call lacked
     * (or null), and how long to wait before retrying (or -1).
     */
    public static Outcome error(int code, String requiredScope, long retryAfterMillis) {
        return new Outcome(code, requiredScope, retryAfterMillis);
    }

    public boolean isError() {
        return errorCode != 0;
    }

    /** The JSON-RPC error code, or 0 for a result. */
    public int errorCode() {
        return errorCode;
    }

    /** The scope a forbidden call lacked, or null. */
    public String requiredScope() {
        return requiredScope;
    }

    /** How long the client should wait before retrying, in milliseconds, or -1 when not said. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    @Override
    public String toString() {
        return errorCode == 0 ? "result" : "error " + errorCode;
    }
}
