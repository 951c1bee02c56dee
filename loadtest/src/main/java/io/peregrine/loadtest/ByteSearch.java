package io.peregrine.loadtest;

import io.netty.buffer.ByteBuf;

/** Finding a few known bytes in a line without decoding it: enough for a load tool, never a JSON parser. */
final class ByteSearch {

    private ByteSearch() {
    }

    /** The index just past the first {@code needle} in the readable bytes of {@code line}, or -1. */
    static int indexAfter(ByteBuf line, byte[] needle) {
        outer:
        for (int i = line.readerIndex(); i <= line.writerIndex() - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (line.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i + needle.length;
        }
        return -1;
    }
}
