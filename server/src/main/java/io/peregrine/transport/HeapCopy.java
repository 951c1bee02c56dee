package io.peregrine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A message's bytes copied out of the read buffer into a heap buffer of its own, which the JSON
 * parser reads through its backing array and which outlives the read buffer.
 */
public final class HeapCopy {

    private HeapCopy() {
    }

    /** {@code length} bytes of {@code source} from {@code index}, in a new heap buffer of exactly that capacity. */
    public static ByteBuf of(ByteBufAllocator alloc, ByteBuf source, int index, int length) {
        ByteBuf copy = alloc.heapBuffer(length, length);
        if (copy.hasArray()) {
            // Straight into the array: a pooled heap buffer's writeBytes(ByteBuf) goes through an NIO
            // view of itself on every call.
            source.getBytes(index, copy.array(), copy.arrayOffset(), length);
            copy.writerIndex(length);
        } else {
            copy.writeBytes(source, index, length);
        }
        return copy;
    }

    /** The readable bytes of {@code source}, as {@link #of(ByteBufAllocator, ByteBuf, int, int)}. */
    public static ByteBuf of(ByteBufAllocator alloc, ByteBuf source) {
        return of(alloc, source, source.readerIndex(), source.readableBytes());
    }
}
