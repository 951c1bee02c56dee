package io.peregrine.gateway.discovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The loop every polling or watching source runs on a daemon thread of its own: one lookup step
 * after another. A step that fails leaves the last good list in place, is logged once per streak
 * of failures (with the count when the streak ends), and is retried with a doubling, jittered
 * backoff. The listener hears a list only when it differs (as a set) from the last one told.
 */
abstract class SourceLoop implements EndpointSource {

    private static final Logger log = LoggerFactory.getLogger(SourceLoop.class);
    static final long FIRST_BACKOFF_MILLIS = 250;
    static final long MAX_BACKOFF_MILLIS = 10_000;

    private final String upstream;
    private final String what;
    private volatile Listener listener;
    private volatile boolean closed;
    private Thread thread;
    private List<String> told;
    private int failures;

    SourceLoop(String upstream, String what) {
        this.upstream = upstream;
        this.what = what;
    }

    /**
     * One lookup: tells {@link #found} what it found (as often as it learns something, for a watch),
     * and returns how long to wait before the next step in milliseconds.
     *
     * @throws Exception when the lookup failed: the last list stays
     */
    abstract long step() throws Exception;

    /** Called by {@link #close} to interrupt a step that is blocked on I/O. */
    void abort() {
    }

    @Override
    public final synchronized void start(Listener l) {
        if (thread != null) {
            throw new IllegalStateException("started already");
        }
        this.listener = l;
        thread = new Thread(this::run, "peregrine-discovery-" + upstream);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            long wait;
            try {
                wait = step();
                if (failures > 0) {
                    log.info("upstream {}: {} answers again after {} failed lookup(s)", upstream, what, failures);
                    failures = 0;
                }
                backoff = FIRST_BACKOFF_MILLIS;
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                if (failures++ == 0) {
                    log.warn("upstream {}: {} failed ({}); keeping its last {} endpoint(s), retrying with backoff",
                            upstream, what, describe(e), told == null ? 0 : told.size());
                } else {
                    log.debug("upstream {}: {} failed again ({})", upstream, what, describe(e));
                }
                wait = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
            if (wait > 0 && !closed) {
                try {
                    TimeUnit.MILLISECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static String describe(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getMessage() == null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "");
    }

    /** Tells the listener {@code targets} unless they are the ones it heard last. */
    final void found(List<String> targets) {
        if (closed) {
            return;
        }
        if (told != null && new HashSet<>(told).equals(new HashSet<>(targets))) {
            return;
        }
        told = List.copyOf(new ArrayList<>(targets));
        log.info("upstream {}: {} lists {} endpoint(s): {}", upstream, what, told.size(), told);
        Listener l = listener;
        if (l != null) {
            l.endpoints(told);
        }
    }

    final boolean closed() {
        return closed;
    }

    @Override
    public final void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        abort();
        if (t != null) {
            t.interrupt();
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
