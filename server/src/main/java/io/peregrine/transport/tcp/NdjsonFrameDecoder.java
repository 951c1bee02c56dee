package io.peregrine.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.peregrine.transport.HeapCopy;

import java.util.List;

/**
 * Splits a byte stream into newline-delimited messages (the MCP stdio framing, also used on raw
 * TCP). A trailing {@code \r} is dropped and blank lines are skipped.
 *
 * <p>Each message is copied into its own heap buffer so that the JSON parser can read the backing
 * array directly and so that the message outlives the read buffer it came in. A line longer than
 * {@code maxLength} is discarded up to its newline without being buffered, and a
 * {@link TooLongFrame} marker is passed on in its place so that the client gets an answer.
 */
public final class NdjsonFrameDecoder extends ByteToMessageDecoder {

    /** Passed on instead of a line that exceeded the limit. */
    public static final class TooLongFrame {
        private final long limit;

        TooLongFrame(long limit) {
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    private final int maxLength;
    private boolean discarding;

    public NdjsonFrameDecoder(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength : " + maxLength + " (expected: > 0)");
        }
        this.maxLength = maxLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            // indexOf looks at eight bytes a step (SWAR), where forEachByte takes one a call.
            int eol = in.indexOf(start, in.writerIndex(), (byte) '\n');
            if (discarding) {
                if (eol < 0) {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                in.readerIndex(eol + 1);
                discarding = false;
                continue;
            }
            if (eol < 0) {
                if (unfinishedLength(in) > maxLength) {
                    in.skipBytes(in.readableBytes());
                    discarding = true;
                    out.add(new TooLongFrame(maxLength));
                }
                return;
            }
            int length = eol - start;
            if (length > 0 && in.getByte(eol - 1) == '\r') {
                length--;
            }
            if (length > maxLength) {
                in.readerIndex(eol + 1);
                out.add(new TooLongFrame(maxLength));
                continue;
            }
            if (isBlank(in, start, length)) {
                in.readerIndex(eol + 1);
                continue;
            }
            ByteBuf frame = HeapCopy.of(ctx.alloc(), in, start, length);
            in.readerIndex(eol + 1);
            out.add(frame);
        }
    }

    /**
     * The length of the line still waiting for its LF, not counting a CR at the end of what has
     * arrived: that CR may be the first half of a CRLF split across two reads, and a line of
     * exactly {@code maxLength} bytes must be accepted however its CRLF is split.
     */
    private static int unfinishedLength(ByteBuf in) {
        int n = in.readableBytes();
        return n > 0 && in.getByte(in.writerIndex() - 1) == '\r' ? n - 1 : n;
    }

    private static boolean isBlank(ByteBuf in, int start, int length) {
        for (int i = start; i < start + length; i++) {
            byte b = in.getByte(i);
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
