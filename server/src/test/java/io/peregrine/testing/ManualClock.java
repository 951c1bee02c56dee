package io.peregrine.testing;

import io.peregrine.mcp.ServerClock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ServerClock} that moves only when the test says so: {@link #advance} moves the time
 * and hands every timer that came due to its executor, in the order they came due. Expiry
 * becomes a step of the test instead of a wait.
 */
public final class ManualClock implements ServerClock {

    /** A timer: its task runs on its executor once the clock passes its time. */
    private static final class Timer extends FutureTask<Void> implements Comparable<Timer> {
        final long dueNanos;
        final long order;
        final ScheduledExecutorService executor;

        Timer(long dueNanos, long order, ScheduledExecutorService executor, Runnable task) {
            super(task, null);
            this.dueNanos = dueNanos;
            this.order = order;
            this.executor = executor;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos, o.dueNanos);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** An arbitrary start, well after the epoch, so that no computed time is negative. */
    private static final long START_MILLIS = 1_800_000_000_000L;

    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long nanos;
    private long scheduled;

    @Override
    public synchronized long currentTimeMillis() {
        return START_MILLIS + TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Future<?> schedule(ScheduledExecutorService executor, Runnable task, long delay, TimeUnit unit) {
        Timer t = new Timer(nanos + unit.toNanos(delay), scheduled++, executor, task);
        timers.add(t);
        return t;
    }

    /** Moves the time forward by {@code d} and runs the timers that came due, each on its own executor. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("d : " + d + " (expected: >= 0)");
        }
        List<Timer> due = new ArrayList<>();
        synchronized (this) {
            nanos += d.toNanos();
            while (!timers.isEmpty() && timers.peek().dueNanos <= nanos) {
                due.add(timers.poll());
            }
        }
        for (Timer t : due) {
            if (!t.isCancelled()) {
                t.executor.execute(t);
            }
        }
    }

    /** Timers set and neither run, cancelled nor due yet. */
    public synchronized int pendingTimers() {
        timers.removeIf(Future::isCancelled);
        return timers.size();
    }
}
