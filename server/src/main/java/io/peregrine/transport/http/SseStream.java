package io.peregrine.transport.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * One SSE stream of a 2025-era session (a POST's response stream, or the standalone GET stream),
 * with the events it carried, so that a client whose connection broke can resume it with
 * {@code Last-Event-ID} (a GET naming the last event it saw).
 *
 * <p>Event ids are {@code <stream>_<sequence>}: unique within the session, and naming the stream
 * they belong to, so a resumption replays only that stream's events. The last
 * {@code replayEvents} events are kept; a client that fell further behind is refused (it would
 * miss events without knowing), and so is every resumption after an event with data when none are
 * kept. The stream is delivered to at most one connection at a time (its sink);
 * while it has none, events are only kept. Thread-safe: events come from tool threads and I/O
 * threads alike.
 */
final class SseStream {

    private static final class Event {
        final long seq;
        final byte[] data;

        Event(long seq, byte[] data) {
            this.seq = seq;
            this.data = data;
        }
    }

    final int id;
    /** Whether this is the session's standalone (GET) stream rather than a POST's. */
    final boolean standalone;
    private final int replayEvents;
    private final ArrayDeque<Event> kept = new ArrayDeque<>();
    private long nextSeq;
    /** The last event with data that is no longer kept (-1: none): a resumption from before it would skip it. */
    private long droppedThrough = -1;
    private HttpExchange sink;
    private boolean ended;

    SseStream(int id, boolean standalone, int replayEvents) {
        this.id = id;
        this.standalone = standalone;
        this.replayEvents = replayEvents;
    }

    /** The SSE id of event {@code seq} of this stream. */
    String eventId(long seq) {
        return id + "_" + seq;
    }

    /**
     * Parses {@code <stream>_<sequence>}; null when the id is not one of ours. Only the form this
     * class writes (decimal digits, no sign, no leading zero) is ours: {@code 1_-1}, {@code 1_+1} or
     * {@code 1_01} were resumed as if the server had sent them, {@code 1_-1} replaying events from
     * before any id the client could have seen.
     */
    static long[] parseEventId(String lastEventId) {
        int sep = lastEventId.indexOf('_');
        if (sep <= 0 || !isCanonical(lastEventId, 0, sep) || !isCanonical(lastEventId, sep + 1, lastEventId.length())) {
            return null;
        }
        try {
            return new long[] {Integer.parseInt(lastEventId.substring(0, sep)), Long.parseLong(lastEventId.substring(sep + 1))};
        } catch (NumberFormatException e) {
            return null; // too large to be one of ours
        }
    }

    /** Whether {@code s[from, to)} is a non-negative decimal number as {@code Long.toString} writes it. */
    private static boolean isCanonical(String s, int from, int to) {
        if (from >= to || (s.charAt(from) == '0' && to - from > 1)) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Delivers this stream to {@code exchange} from now on (a new connection, or a resumption). */
    synchronized void attach(HttpExchange exchange) {
        this.sink = exchange;
    }

    /** The sink's connection is gone; keep events until the client resumes. */
    synchronized void detach(HttpExchange exchange) {
        if (sink == exchange) {
            sink = null;
        }
    }

    synchronized boolean hasSink() {
        return sink != null;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    /** Appends an event (empty data: a priming event that only carries an id) and delivers it if connected. */
    synchronized void emit(byte[] data, boolean last) {
        long seq = nextSeq++;
        if (data != null) {
            if (replayEvents > 0) {
                kept.addLast(new Event(seq, data));
                while (kept.size() > replayEvents) {
                    droppedThrough = kept.removeFirst().seq;
                }
            } else {
                droppedThrough = seq;
            }
        }
        if (last) {
            ended = true;
        }
        if (sink != null) {
            // No data: only the end of the stream, not an event.
            sink.writeEvent(data == null ? null : eventId(seq), data, last);
        }
    }

    /**
     * Whether every event after {@code afterSeq} is still kept, so that resuming from it loses
     * nothing; a client that fell further behind is refused rather than resumed with a gap it
     * could not see.
     */
    synchronized boolean canResumeAfter(long afterSeq) {
        return droppedThrough <= afterSeq;
    }

    /**
     * Resumes the stream on {@code exchange}: replays the events after {@code afterSeq}, then keeps
     * delivering there. Ends the exchange at once when the stream had already ended.
     */
    synchronized void resume(HttpExchange exchange, long afterSeq) {
        sink = exchange;
        boolean wroteLast = false;
        for (Iterator<Event> it = kept.iterator(); it.hasNext(); ) {
            Event e = it.next();
            if (e.seq > afterSeq) {
                wroteLast = ended && !it.hasNext();
                exchange.writeEvent(eventId(e.seq), e.data, wroteLast);
            }
        }
        if (ended && !wroteLast) {
            exchange.writeEvent(null, null, true);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
