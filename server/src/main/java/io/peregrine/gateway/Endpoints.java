package io.peregrine.gateway;

import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The endpoints of one upstream, and the choice of one for each call. The set can change while
 * the gateway runs ({@link #update}): an endpoint that leaves takes no new calls and is closed once
 * its calls in flight ended, so a change never drops a call.
 *
 * <p>A call goes to an <em>eligible</em> endpoint: ready (connected, catalog listed), healthy by
 * the active checks ({@link HealthChecks}) and not ejected; among those the configured
 * {@link Balancer} chooses, skipping endpoints the call already tried while another is left. When
 * no endpoint is eligible but some are ready (every one failed its checks), the ready ones take
 * calls: a gateway that refuses everything helps nobody. Passive outlier detection runs in
 * {@link #report}: calls that failed in a row eject an endpoint for a time that grows with each
 * ejection, never more than {@code outlier.max-ejection-percent} of the endpoints at once, and
 * never the last eligible one.
 */
final class Endpoints implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);

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
    /** Endpoints that left and still finish calls in flight, for the report. */
    private final Set<Replica> leaving = ConcurrentHashMap.newKeySet();
    private final Balancer<Replica> balancer;
    private final HealthChecks checks;
    private final AtomicLong ejections = new AtomicLong();

    Endpoints(Upstream upstream, EventLoopGroup loops, ScheduledExecutorService timer, Executor workers) {
        this.upstream = upstream;
        this.loops = loops;
        this.timer = timer;
        this.workers = workers;
        UpstreamSpec spec = upstream.spec();
        this.balancer = Balancer.of(spec.loadBalancing(), new Balancer.View<>() {
            @Override
            public String id(Replica r) {
                return r.target();
            }

            @Override
            public int inFlight(Replica r) {
                return r.inFlight();
            }

            @Override
            public int weight(Replica r) {
                return spec.weight(r.target());
            }

            @Override
            public double effectiveWeight(Replica r) {
                return spec.weight(r.target()) * ramp(r.health().since(), System.nanoTime(), spec.slowStart().toNanos());
            }
        });
        this.checks = new HealthChecks(upstream, timer);
    }

    /**
     * The share of its weight an endpoint has {@code now}, {@code since} it took calls again: a
     * tenth at first, growing in a straight line to all of it at the end of the slow-start window.
     */
    static double ramp(long since, long now, long windowNanos) {
        long elapsed = now - since;
        if (windowNanos <= 0 || elapsed >= windowNanos) {
            return 1;
        }
        return Math.max(0.1, (double) Math.max(0, elapsed) / windowNanos);
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
            leaving.add(gone);
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
        checks.start(this::all);
    }

    /**
     * An endpoint for the next call, or null when none is ready: an eligible one the balancer
     * chooses; endpoints in {@code avoid} (ones this call already tried) are taken only when no
     * other is eligible.
     *
     * @param key the call's affinity key (a principal, a session), or null
     */
    Replica pick(String key, Collection<Replica> avoid) {
        List<Replica> rs = live;
        if (rs.size() == 1) {
            // The one endpoint takes the call if it is ready, eligible, tried or not: what the rest
            // below comes to, without its lists.
            Replica only = rs.get(0);
            return only.isReady() ? only : null;
        }
        long now = System.nanoTime();
        List<Replica> ready = new ArrayList<>(rs.size());
        List<Replica> eligible = new ArrayList<>(rs.size());
        for (Replica r : rs) {
            if (r.isReady()) {
                ready.add(r);
                if (r.health().isEligible(now)) {
                    eligible.add(r);
                }
            }
        }
        if (eligible.isEmpty()) {
            // None healthy: every ready endpoint takes calls rather than none.
            eligible = ready;
        }
        if (eligible.isEmpty()) {
            return null;
        }
        List<Replica> candidates = eligible;
        if (avoid != null && !avoid.isEmpty()) {
            candidates = new ArrayList<>(eligible);
            candidates.removeAll(avoid);
            if (candidates.isEmpty()) {
                candidates = eligible;
            }
        }
        return candidates.size() == 1 ? candidates.get(0) : balancer.pick(candidates, key);
    }

    /**
     * Hears how an attempt on {@code replica} ended, {@code nanos} after it was sent: an answer
     * ends the endpoint's run of failures; a failure lengthens it, and a run of
     * {@code outlier.consecutive-failures} ejects the endpoint if the cap allows.
     */
    void report(Replica replica, Outcome outcome, long nanos) {
        EndpointHealth h = replica.health();
        if (outcome == Outcome.OK) {
            h.callSucceeded();
            return;
        }
        UpstreamSpec spec = upstream.spec();
        int threshold = spec.outlierConsecutiveFailures();
        if (threshold > 0 && h.callFailed() >= threshold) {
            eject(replica, outcome);
        }
    }

    /** Ejects {@code replica} unless it is ejected already or the cap is reached. */
    private synchronized void eject(Replica replica, Outcome last) {
        long now = System.nanoTime();
        EndpointHealth h = replica.health();
        if (h.isEjected(now) || !live.contains(replica)) {
            return;
        }
        List<Replica> rs = live;
        int ejected = 0;
        int eligible = 0;
        for (Replica r : rs) {
            if (r.health().isEjected(now)) {
                ejected++;
            } else if (r.isReady() && r.health().isHealthy()) {
                eligible++;
            }
        }
        UpstreamSpec spec = upstream.spec();
        int allowed = Math.min(rs.size() - 1, rs.size() * spec.outlierMaxEjectionPercent() / 100);
        boolean lastEligible = eligible <= 1 && replica.isReady() && h.isHealthy();
        if (ejected + 1 > allowed || lastEligible) {
            log.debug("upstream {}: {} failed {} calls in a row but stays ({} of {} endpoints ejected, at most {})",
                    upstream.name(), replica.target(), spec.outlierConsecutiveFailures(), ejected, rs.size(), allowed);
            return;
        }
        long length = h.eject(now, spec.outlierBaseEjection().toNanos(), spec.outlierMaxEjection().toNanos());
        ejections.incrementAndGet();
        log.warn("upstream {}: {} ejected for {} ms after {} calls in a row failed (the last: {}); ejection {}",
                upstream.name(), replica.target(), TimeUnit.NANOSECONDS.toMillis(length),
                spec.outlierConsecutiveFailures(), last, h.ejections());
    }

    /** The upstream's endpoints and their state, draining ones last. */
    UpstreamStatus status() {
        long now = System.nanoTime();
        Instant wall = Instant.now();
        List<EndpointStatus> out = new ArrayList<>();
        UpstreamSpec spec = upstream.spec();
        for (Replica r : live) {
            out.add(status(r, spec, now, wall));
        }
        leaving.removeIf(Replica::isClosed);
        for (Replica r : leaving) {
            out.add(status(r, spec, now, wall));
        }
        return new UpstreamStatus(upstream.name(), spec.loadBalancing(), List.copyOf(out), ejections.get(),
                checks.passed(), checks.failed());
    }

    private static EndpointStatus status(Replica r, UpstreamSpec spec, long now, Instant wall) {
        EndpointHealth h = r.health();
        EndpointStatus.State state;
        Instant until = null;
        if (r.isDraining()) {
            state = EndpointStatus.State.DRAINING;
        } else if (!r.isReady()) {
            state = EndpointStatus.State.CONNECTING;
        } else if (!h.isHealthy()) {
            state = EndpointStatus.State.UNHEALTHY;
        } else if (h.isEjected(now)) {
            state = EndpointStatus.State.EJECTED;
            until = wall.plusMillis(TimeUnit.NANOSECONDS.toMillis(h.ejectedUntil() - now));
        } else {
            state = EndpointStatus.State.READY;
        }
        return new EndpointStatus(r.target(), state, until, r.inFlight(), h.ejections(), spec.weight(r.target()));
    }

    @Override
    public synchronized void close() {
        checks.close();
        live.forEach(Replica::close);
        live = List.of();
    }
}
