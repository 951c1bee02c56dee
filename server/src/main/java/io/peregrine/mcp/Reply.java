package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;

/**
 * Where the messages of one request go: straight to the connection, into the batch the request
 * came in, or onto the HTTP exchange that carries it.
 */
interface Reply {

    /** Sends the response, taking ownership of it. */
    void send(ByteBuf response);

    /**
     * Sends a message that belongs to this request but is not its answer: progress, log messages,
     * requests to the client made while serving it. Takes ownership of it.
     */
    void sendRelated(ByteBuf message);

    /** A request that will get no response after all (it was cancelled). */
    default void skip() {
    }
}
