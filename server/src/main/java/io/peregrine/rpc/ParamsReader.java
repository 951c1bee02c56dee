package io.peregrine.rpc;

import io.netty.buffer.ByteBuf;

import java.io.IOException;

/**
 * Reads a request's {@code params} object during the envelope pass, so that the protocol layer's
 * first look at the parameters costs no second tokenization. The reader is positioned on the
 * object's START_OBJECT and must leave the parser on its END_OBJECT; offsets it records are
 * relative to the frame's reader index ({@link JsonInput#startOffset()}).
 */
@FunctionalInterface
public interface ParamsReader {

    /**
     * Returns the reader's view of the params, kept with the message ({@link RpcMessage#paramsView()}).
     * Problems with the content are for the view to record, not to throw: the message's id may
     * not have been read yet.
     */
    Object read(JsonInput in, ByteBuf frame) throws IOException;
}
