package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;

/** Where the response to a request goes: straight to the peer, or into the batch it came in. */
interface Reply {

    /** Sends one response, taking ownership of it. */
    void send(ByteBuf response);

    /** A request that will get no response after all (it was cancelled). */
    default void skip() {
    }
}
