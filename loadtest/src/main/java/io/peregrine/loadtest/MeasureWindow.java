package io.peregrine.loadtest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measured part of a run, shared by its connections. It opens when warm-up ends and closes
 * at the deadline or with the last of {@code maxResponses} responses, whichever is first; only
 * responses that arrive while it is open are counted and timed.
 *
 * <p>Connections check it on every response instead of being told about phases by a task each,
 * so the window starts and ends at one instant for all of them.
 */
final class MeasureWindow {

    private final AtomicLong remaining;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean open;
    private volatile long openedAt;
    private volatile long closedAt;

    MeasureWindow(long maxResponses) {
        if (maxResponses <= 0) {
            throw new IllegalArgumentException("maxResponses : " + maxResponses + " (expected: > 0)");
        }
        this.remaining = new AtomicLong(maxResponses);
    }

    void open() {
        openedAt = System.nanoTime();
        open = true;
    }

    boolean isOpen() {
        return open;
    }

    /**
     * Counts one response against the window. False when the window is not open or is already
     * full, in which case the response must not be measured; the response that fills it closes it.
     */
    boolean claim() {
        if (!open) {
            return false;
        }
        long left = remaining.decrementAndGet();
        if (left == 0) {
            close();
        }
        return left >= 0;
    }

    /** Closes the window if it is still open; idempotent. */
    void close() {
        if (closing.compareAndSet(false, true)) {
            closedAt = System.nanoTime();
            open = false;
            closed.countDown();
        }
    }

    /** Waits until the window closes or {@code timeout} passes; true if it closed by itself (it is full). */
    boolean awaitFull(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** How long the window was open; valid once it has closed. */
    double seconds() {
        return (closedAt - openedAt) / 1e9;
    }
}
