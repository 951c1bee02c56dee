package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Cuts a {@code text/event-stream} body into events, as the HTML standard's event-stream
 * interpretation does: lines end with CR, LF or CRLF; {@code data} lines are joined with LF;
 * {@code id} sets the last event id even on an event without data; {@code retry} sets the
 * reconnection delay; comment lines (a leading colon) are ignored; a blank line dispatches.
 *
 * <p>Chunks may split lines anywhere. A line or an event longer than the limit is refused rather
 * than buffered without end. Not thread-safe: one per response, on its event loop.
 */
final class SseDecoder {

    /** Receives the decoded events. */
    interface Events {
        /** An event with data; the receiver releases {@code data}. {@code id} is the last event id seen, or null. */
        void onEvent(String id, ByteBuf data);

        /** The server set the reconnection delay. */
        default void onRetry(long millis) {
        }
    }

    /** Thrown when a line or an event exceeds the limit. */
    static final class TooLongException extends Exception {
        private static final long serialVersionUID = 1L;

        TooLongException(String message) {
            super(message);
        }
    }

    private final ByteBufAllocator alloc;
    private final int maxEventBytes;
    private final Events events;
    private ByteBuf line;
    private ByteBuf data;
    private boolean lastWasCr;
    private String lastEventId;

    SseDecoder(ByteBufAllocator alloc, int maxEventBytes, Events events) {
        this.alloc = alloc;
        this.maxEventBytes = maxEventBytes;
        this.events = events;
    }

    /** The id of the last event seen, or null: what {@code Last-Event-ID} names when resuming. */
    String lastEventId() {
        return lastEventId;
    }

    /** Continues from a stream that broke: a resumption carries on with the same last event id. */
    void lastEventId(String id) {
        this.lastEventId = id;
    }

    /** Decodes a chunk; does not release it. */
    void decode(ByteBuf chunk) throws TooLongException {
        while (chunk.isReadable()) {
            byte b = chunk.readByte();
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endOfLine();
                continue;
            }
            if (line == null) {
                line = alloc.heapBuffer(128);
            }
            if (line.readableBytes() >= maxEventBytes) {
                throw new TooLongException("an SSE line is longer than maxMessageBytes (" + maxEventBytes + " bytes)");
            }
            line.writeByte(b);
        }
    }

    private void endOfLine() throws TooLongException {
        if (line == null || !line.isReadable()) {
            dispatch();
            return;
        }
        int colon = line.indexOf(line.readerIndex(), line.writerIndex(), (byte) ':');
        if (colon == line.readerIndex()) {
            line.clear();
            return;
        }
        String field;
        int valueStart;
        if (colon < 0) {
            field = line.toString(StandardCharsets.UTF_8);
            valueStart = line.writerIndex();
        } else {
            field = line.toString(line.readerIndex(), colon - line.readerIndex(), StandardCharsets.UTF_8);
            valueStart = colon + 1;
            if (valueStart < line.writerIndex() && line.getByte(valueStart) == ' ') {
                valueStart++;
            }
        }
        int valueLength = line.writerIndex() - valueStart;
        switch (field) {
            case "data":
                if (data == null) {
                    data = alloc.heapBuffer(Math.max(valueLength, 64));
                } else {
                    data.writeByte('\n');
                }
                if (data.readableBytes() + valueLength > maxEventBytes) {
                    throw new TooLongException("an SSE event is longer than maxMessageBytes (" + maxEventBytes + " bytes)");
                }
                data.writeBytes(line, valueStart, valueLength);
                break;
            case "id":
                String id = line.toString(valueStart, valueLength, StandardCharsets.UTF_8);
                if (id.indexOf('\0') < 0) {
                    lastEventId = id;
                }
                break;
            case "retry":
                String retry = line.toString(valueStart, valueLength, StandardCharsets.US_ASCII);
                if (!retry.isEmpty() && retry.chars().allMatch(Character::isDigit) && retry.length() < 10) {
                    events.onRetry(Long.parseLong(retry));
                }
                break;
            default:
                // "event" names are not used by MCP; unknown fields are ignored, as the standard says.
                break;
        }
        line.clear();
    }

    private void dispatch() {
        ByteBuf d = data;
        data = null;
        if (d == null || !d.isReadable()) {
            if (d != null) {
                d.release();
            }
            return;
        }
        events.onEvent(lastEventId, d);
    }

    /** Releases what is buffered. */
    void release() {
        if (line != null) {
            line.release();
            line = null;
        }
        if (data != null) {
            data.release();
            data = null;
        }
    }
}
