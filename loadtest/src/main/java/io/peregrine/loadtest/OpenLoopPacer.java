package io.peregrine.loadtest;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The open loop's clock for the connections of one event loop. With {@code n} connections in the
 * run at {@code rate} requests per second, request {@code k} of connection {@code i} is due at
 * {@code start + (i + k·n) / rate}: arrivals evenly spaced over all connections, whatever the
 * server answers.
 *
 * <p>Every request goes out stamped with the time it was due, not the time it was written, and its
 * latency is counted from then. When the server (or the generator, or a full socket) falls behind,
 * the requests that should have been sent in the meantime are sent late and their wait is
 * measured, instead of silently not existing: coordinated omission is corrected by construction.
 *
 * <p>One timer per event loop rather than per connection: each tick sends everything due on every
 * connection of the loop, so the timer rate does not grow with the connection count.
 */
final class OpenLoopPacer implements Runnable {

    /** The shortest wait between ticks: the cost of a tick, amortised over the requests it sends. */
    private static final long MIN_TICK_NANOS = 50_000;

    private final EventLoop loop;
    private final LoadConnection[] connections;
    private final int[] slots;
    private final long[] sent;
    private final int totalConnections;
    private final double nanosPerRequest;
    private final long startNanos;
    private ScheduledFuture<?> next;
    private boolean stopped;

    /**
     * @param connections      the connections on {@code loop}
     * @param slots            each connection's index among all connections of the run
     * @param totalConnections the connections of the run, on every loop
     * @param rate             requests per second over all connections
     * @param startNanos       when the first request is due, in {@link System#nanoTime()} terms
     */
    OpenLoopPacer(EventLoop loop, List<LoadConnection> connections, int[] slots, int totalConnections, double rate,
                  long startNanos) {
        if (connections.size() != slots.length) {
            throw new IllegalArgumentException("connections, slots : " + connections.size() + ", " + slots.length
                    + " (expected: equal)");
        }
        this.loop = loop;
        this.connections = connections.toArray(new LoadConnection[0]);
        this.slots = slots.clone();
        this.sent = new long[slots.length];
        this.totalConnections = totalConnections;
        this.nanosPerRequest = 1e9 / rate;
        this.startNanos = startNanos;
    }

    /** Starts every connection's schedule; call on the loop. */
    void start() {
        for (LoadConnection c : connections) {
            c.startOpenLoop();
        }
        run();
    }

    /** Sends nothing more; from any thread (the stop runs on the loop). */
    void stop() {
        if (!loop.inEventLoop()) {
            loop.execute(this::stop);
            return;
        }
        stopped = true;
        if (next != null) {
            next.cancel(false);
        }
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < connections.length; i++) {
            LoadConnection c = connections[i];
            if (!c.isSending()) {
                continue; // closed under us: its schedule ends with it
            }
            long due = dueAt(i);
            if (due <= now && c.isWritable()) {
                do {
                    c.send(due);
                    sent[i]++;
                    due = dueAt(i);
                } while (due <= now && c.isWritable());
                c.flush();
            }
            // A connection that is not writable keeps its backlog, with the times it was due.
            earliest = Math.min(earliest, due);
        }
        if (earliest != Long.MAX_VALUE) {
            long wait = Math.max(earliest - System.nanoTime(), MIN_TICK_NANOS);
            next = loop.schedule(this, wait, TimeUnit.NANOSECONDS);
        }
    }

    private long dueAt(int i) {
        // Computed from the start each time rather than accumulated, so rounding never drifts.
        return startNanos + Math.round((slots[i] + sent[i] * (double) totalConnections) * nanosPerRequest);
    }
}
