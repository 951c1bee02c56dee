package io.peregrine.gateway;

import io.peregrine.rpc.RpcException;

import java.util.Map;

/**
 * A forwarded call that failed because the upstream could not answer it (its breaker is open, no
 * endpoint is reachable, the deadline passed, every attempt failed), as opposed to an error the
 * upstream chose to answer with. Only these are answered by a fallback.
 */
final class UpstreamFailure extends RpcException {

    private static final long serialVersionUID = 1L;

    /** Why, as {@code _meta["io.peregrine/fallback"]} and the metrics name it. */
    enum Reason {
        CIRCUIT_OPEN, UNAVAILABLE, TIMEOUT, FAILED, OVERLOADED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    UpstreamFailure(int code, String message, Map<String, Object> data, Reason reason) {
        super(code, message, null, data);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
