package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;

/** Finding a few known bytes in a message without decoding it: enough for the reference server, never a JSON parser. */
final class ByteSearch {

    private ByteSearch() {
    }

    /** The index just past the first {@code needle} at or after {@code from} in the readable bytes of {@code buf}, or -1. */
    static int indexAfter(ByteBuf buf, int from, byte[] needle) {
        int last = buf.writerIndex() - needle.length;
        outer:
        for (int i = Math.max(from, buf.readerIndex()); i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length;
        }
        return -1;
    }

    /** Whether the readable bytes of {@code buf} at {@code index} begin with {@code prefix}. */
    static boolean startsWith(ByteBuf buf, int index, byte[] prefix) {
        if (index < buf.readerIndex() || index + prefix.length > buf.writerIndex()) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (buf.getByte(index + j) != prefix[j]) {
                return false;
            }
        }
        return true;
    }
}
