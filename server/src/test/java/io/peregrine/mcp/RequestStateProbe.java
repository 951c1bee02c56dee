package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.RpcException;

import java.util.Map;
import java.util.function.LongSupplier;

/** {@link RequestState}, which is package-private, opened to the fuzz target in io.peregrine.fuzz. */
public final class RequestStateProbe {

    private final RequestState state;

    public RequestStateProbe(byte[] key, long ttlMillis, LongSupplier clock) {
        this.state = new RequestState(key, ttlMillis, clock);
    }

    public String seal(String method, String name, String argumentsDigest, String principal, Map<String, Object> answers) {
        return state.seal(method, name, argumentsDigest, principal, answers);
    }

    public Map<String, Object> open(String sealed, String method, String name, String argumentsDigest, String principal)
            throws RpcException {
        return state.open(sealed, method, name, argumentsDigest, principal);
    }

    public static String digest(ByteBuf arguments) {
        return RequestState.digest(arguments);
    }
}
