package io.peregrine.gateway;

import io.netty.channel.EventLoopGroup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints of one upstream, and the choice of one for each call. The set can change while
 * the gateway runs ({@link #update}): an endpoint that leaves takes no new calls and is closed once
 * its calls in flight ended, so a change never drops a call.
 */
final class Endpoints implements AutoCloseable {

    /** How one attempt on an endpoint ended, for health and outlier detection. */
    enum Outcome {
        /** Answered (a result, or an error the upstream's tool or method chose to return). */
        OK,
        /** The link could not be made, or broke before the request was written: the upstream never saw it. */
        NOT_SENT,
        /** The link broke after the request was written: the upstream may have acted. */
        LOST,
        /** No answer within the deadline. */
        TIMEOUT,
        /** The upstream answered with an internal error (JSON-RPC -32603, an HTTP 5xx). */
        INTERNAL_ERROR
    }

    private final Upstream upstream;
    private final EventLoopGroup loops;
    private final ScheduledExecutorService timer;
    private final Executor workers;
    private volatile List<Replica> live = List.of();
    private final AtomicInteger turn = new AtomicInteger();

    Endpoints(Upstream upstream, EventLoopGroup loops, ScheduledExecutorService timer, Executor workers) {
        this.upstream = upstream;
        this.loops = loops;
        this.timer = timer;
        this.workers = workers;
    }

    /** The endpoints that take calls now (ready or not). */
    List<Replica> all() {
        return live;
    }

    /**
     * Makes {@code targets} the upstream's endpoints: new ones are created, kept ones stay as they
     * are, and the ones that left are drained: they take no new call and close once their calls in
     * flight ended. With {@code start} (the upstream runs), new endpoints start connecting and the
     * upstream hears of the change.
     */
    synchronized void update(Collection<String> targets, boolean start) {
        Map<String, Replica> current = new LinkedHashMap<>();
        for (Replica r : live) {
            current.put(r.target(), r);
        }
        List<Replica> next = new ArrayList<>();
        List<Replica> added = new ArrayList<>();
        for (String t : targets) {
            Replica r = current.remove(t);
            if (r == null) {
                r = new Replica(upstream, t, loops, timer, workers);
                added.add(r);
            }
            if (!next.contains(r)) {
                next.add(r);
            }
        }
        live = List.copyOf(next);
        for (Replica gone : current.values()) {
            gone.drain();
        }
        if (start) {
            added.forEach(Replica::start);
        }
        if (start && (!added.isEmpty() || !current.isEmpty())) {
            upstream.changed();
        }
    }

    /** Starts every endpoint's connection. */
    void start() {
        live.forEach(Replica::start);
    }

    /**
     * A ready endpoint for the next call, or null when none is; endpoints in {@code avoid} (ones
     * this call already tried) are taken only when no other is ready.
     *
     * @param key the call's affinity key (a principal, a session), or null
     */
    Replica pick(String key, Collection<Replica> avoid) {
        List<Replica> rs = live;
        int n = rs.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(turn.getAndIncrement(), n);
        Replica fallback = null;
        for (int i = 0; i < n; i++) {
            Replica r = rs.get((start + i) % n);
            if (r.isReady()) {
                if (avoid == null || !avoid.contains(r)) {
                    return r;
                }
                if (fallback == null) {
                    fallback = r;
                }
            }
        }
        return fallback;
    }

    /** Hears how an attempt on {@code replica} ended, {@code nanos} after it was sent. */
    void report(Replica replica, Outcome outcome, long nanos) {
    }

    @Override
    public synchronized void close() {
        live.forEach(Replica::close);
        live = List.of();
    }
}
