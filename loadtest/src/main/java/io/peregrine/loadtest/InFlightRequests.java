package io.peregrine.loadtest;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The requests one connection has in flight, by id. Ids are given in order from 1; answers may
 * come back in any order (JSON-RPC does not order responses, and a gateway forwards one
 * connection's calls concurrently). Each request's start time sits in a ring indexed by its id,
 * spanning the oldest unanswered id to the newest, so that neither a request nor an answer boxes
 * anything; the ring grows when answers fall further behind than it spans.
 */
final class InFlightRequests {

    /** What {@link #remove} returns for an id that is not in flight. */
    static final long ABSENT = Long.MIN_VALUE;

    private long[] starts;
    /** The oldest id not answered yet; {@link #next} when none is in flight. */
    private long oldest = 1;
    private long next = 1;
    private int size;

    /** @param capacity the ids the ring spans at first, rounded up to a power of two */
    InFlightRequests(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity : " + capacity + " (expected: > 0)");
        }
        starts = new long[Integer.highestOneBit(Math.max(2, capacity) * 2 - 1)];
        Arrays.fill(starts, ABSENT);
    }

    /** Records a request that started at {@code startNanos}; returns its id. */
    long add(long startNanos) {
        if (next - oldest == starts.length) {
            grow();
        }
        starts[index(next)] = startNanos;
        size++;
        return next++;
    }

    /** Request {@code id} is answered: returns its start time, or {@link #ABSENT} if it was not in flight. */
    long remove(long id) {
        if (id < oldest || id >= next) {
            return ABSENT;
        }
        int i = index(id);
        long start = starts[i];
        if (start == ABSENT) {
            return ABSENT;
        }
        starts[i] = ABSENT;
        size--;
        while (oldest < next && starts[index(oldest)] == ABSENT) {
            oldest++;
        }
        return start;
    }

    /** Removes the oldest request in flight (for an answer that names none of them) and returns its start time. */
    long removeOldest() {
        if (size == 0) {
            throw new NoSuchElementException();
        }
        return remove(oldest);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Forgets every request in flight; ids go on from where they were. */
    void clear() {
        for (long id = oldest; id < next; id++) {
            starts[index(id)] = ABSENT;
        }
        oldest = next;
        size = 0;
    }

    private int index(long id) {
        return (int) (id & (starts.length - 1));
    }

    private void grow() {
        long[] bigger = new long[starts.length * 2];
        Arrays.fill(bigger, ABSENT);
        for (long id = oldest; id < next; id++) {
            bigger[(int) (id & (bigger.length - 1))] = starts[index(id)];
        }
        starts = bigger;
    }
}
