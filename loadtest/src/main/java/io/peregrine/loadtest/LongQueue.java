package io.peregrine.loadtest;

import java.util.NoSuchElementException;

/**
 * A first-in first-out queue of primitive longs on a growable ring: the start times of one
 * connection's requests in flight, without boxing one {@code Long} per request.
 */
final class LongQueue {

    private long[] ring;
    private int head;
    private int size;

    /** @param capacity the initial capacity, rounded up to a power of two */
    LongQueue(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity : " + capacity + " (expected: > 0)");
        }
        ring = new long[Integer.highestOneBit(Math.max(2, capacity) * 2 - 1)];
    }

    void add(long value) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) & (ring.length - 1)] = value;
        size++;
    }

    /** Removes and returns the oldest value. */
    long remove() {
        if (size == 0) {
            throw new NoSuchElementException();
        }
        long value = ring[head];
        head = (head + 1) & (ring.length - 1);
        size--;
        return value;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void grow() {
        long[] bigger = new long[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }
}
