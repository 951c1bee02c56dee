package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.RpcException;
import io.peregrine.transport.Outcome;

import java.util.Map;

/**
 * Where the messages of one request go: straight to the connection, into the batch the request
 * came in, or onto the HTTP exchange that carries it. The verbs are the {@link
 * io.peregrine.transport.Peer}'s: {@code respond} for the one answer, {@code send} for everything
 * else the request sends on its way.
 */
interface Reply {

    /**
     * What a {@code tools/call} result with {@code isError: true} says: a result to every
     * transport (its error code is 0), told apart by identity so that observers see a tool error.
     */
    Outcome TOOL_ERROR = Outcome.error(0);

    /**
     * Sends the answer, taking ownership of it, with what it says beside it: the transport picks
     * its status from {@code outcome} (Streamable HTTP) and never reads the bytes back.
     */
    void respond(ByteBuf response, Outcome outcome);

    /** Sends an answer that carries a result, taking ownership of it. */
    default void respond(ByteBuf result) {
        respond(result, Outcome.RESULT);
    }

    /**
     * Sends a message that belongs to this request but is not its answer: progress, log messages,
     * requests to the client made while serving it. Takes ownership of it.
     */
    void send(ByteBuf message);

    /** A request that will get no answer after all (it was cancelled). */
    default void respondNothing() {
    }

    /** A request that will get no response because its connection went away: nothing is sent. */
    default void dropped() {
    }

    /**
     * What the error response to {@code e} says to a transport: its code, and for a policy refusal
     * the scope it lacked and when to retry, which {@link PolicyGate#toRpc} put in its data.
     */
    static Outcome outcomeOf(RpcException e) {
        String scope = null;
        long retryAfterMillis = -1;
        if (e.data() instanceof Map) {
            Map<?, ?> data = (Map<?, ?>) e.data();
            if (data.get("scope") instanceof String) {
                scope = (String) data.get("scope");
            }
            if (data.get("retryAfterMs") instanceof Number) {
                retryAfterMillis = ((Number) data.get("retryAfterMs")).longValue();
            }
        }
        return Outcome.error(e.code(), scope, retryAfterMillis);
    }
}
