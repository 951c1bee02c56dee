package io.peregrine.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The circuit breakers of one upstream (Resilience4j's): one per endpoint, which makes calls skip
 * an endpoint that keeps failing, and one per tool, which makes calls of a tool that keeps
 * failing everywhere fail at once. Each judges a count-based window of the latest calls; only
 * failures of the upstream's health count (timeouts, lost links, internal errors, endpoints not
 * reached), never an answer the upstream chose (a tool's {@code isError}, invalid params).
 */
final class Breakers {

    /** A breaker and when it last opened, to tell callers when to come back. */
    static final class Breaker {
        final CircuitBreaker circuit;
        final String scope;
        final String name;
        volatile long openedAt;
        private volatile CircuitBreaker.State seen = CircuitBreaker.State.CLOSED;
        private volatile Consumer<CircuitBreaker.State> onChange;
        private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<Breaker, CircuitBreaker.State> SEEN =
                java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(Breaker.class, CircuitBreaker.State.class, "seen");

        Breaker(CircuitBreaker circuit, String scope, String name) {
            this.circuit = circuit;
            this.scope = scope;
            this.name = name;
        }

        /** Milliseconds until it lets a probe through (at least 1). */
        long retryAfterMillis(Duration openFor) {
            if (circuit.getState() != CircuitBreaker.State.OPEN) {
                return 100;
            }
            long left = openFor.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt);
            return Math.max(1, left);
        }

        boolean tryAcquire() {
            boolean permitted = circuit.tryAcquirePermission();
            observe(); // an open breaker whose wait is over turns half-open here
            return permitted;
        }

        void release() {
            circuit.releasePermission();
        }

        void success(long nanos) {
            circuit.onSuccess(nanos, TimeUnit.NANOSECONDS);
            observe();
        }

        void failure(long nanos, Throwable why) {
            circuit.onError(nanos, TimeUnit.NANOSECONDS, why);
            observe();
        }

        /**
         * Reports a change of state once. The breaker changes state only in the calls above (no
         * automatic transition is configured), so looking after each of them sees every change,
         * without an event consumer: with one, the breaker would build an event, and read the
         * wall clock for it, on every call.
         */
        private void observe() {
            CircuitBreaker.State now = circuit.getState();
            CircuitBreaker.State before = seen;
            if (now != before && SEEN.compareAndSet(this, before, now)) {
                if (now == CircuitBreaker.State.OPEN || now == CircuitBreaker.State.FORCED_OPEN) {
                    openedAt = System.nanoTime();
                }
                Consumer<CircuitBreaker.State> c = onChange;
                if (c != null) {
                    c.accept(now);
                }
            }
        }

        CircuitBreaker.State state() {
            return circuit.getState();
        }
    }

    private final String upstream;
    private final ResilienceSpec spec;
    private final CircuitBreakerConfig config;
    private final Supplier<ResilienceEvents> events;
    private final Map<String, Breaker> endpoints = new ConcurrentHashMap<>();
    private final Map<String, Breaker> tools = new ConcurrentHashMap<>();

    Breakers(String upstream, ResilienceSpec spec, Supplier<ResilienceEvents> events) {
        this.upstream = upstream;
        this.spec = spec;
        this.events = events;
        this.config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(spec.breakerWindow())
                .minimumNumberOfCalls(Math.min(spec.breakerMinimumCalls(), spec.breakerWindow()))
                .failureRateThreshold(spec.breakerFailureRate())
                .waitDurationInOpenState(spec.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(spec.breakerProbes())
                .build();
    }

    boolean enabled() {
        return spec.breakerEnabled();
    }

    /** The breaker of the endpoint {@code target}; null when breakers are off. */
    Breaker endpoint(String target) {
        return spec.breakerEnabled() ? endpoints.computeIfAbsent(target, t -> make("endpoint", t)) : null;
    }

    /** The breaker of the tool {@code tool} (the upstream's own name); null when breakers are off. */
    Breaker tool(String tool) {
        return spec.breakerEnabled() && tool != null ? tools.computeIfAbsent(tool, t -> make("tool", t)) : null;
    }

    /** Forgets the breaker of an endpoint that left. */
    void forget(String target) {
        endpoints.remove(target);
    }

    private Breaker make(String scope, String name) {
        Breaker b = new Breaker(CircuitBreaker.of(upstream + "/" + scope + "/" + name, config), scope, name);
        b.onChange = to -> events.get().breakerState(upstream, scope, name, code(to));
        events.get().breakerCreated(upstream, scope, name);
        return b;
    }

    /** Every breaker's state, as {@code endpoint <target>} or {@code tool <name>}. */
    Map<String, Integer> states() {
        Map<String, Integer> states = new java.util.TreeMap<>();
        endpoints.forEach((t, b) -> states.put("endpoint " + t, code(b.state())));
        tools.forEach((t, b) -> states.put("tool " + t, code(b.state())));
        return states;
    }

    /** 0 closed, 1 open, 2 half-open, as {@code peregrine_circuit_state} shows it. */
    static int code(CircuitBreaker.State s) {
        switch (s) {
            case OPEN:
            case FORCED_OPEN:
                return 1;
            case HALF_OPEN:
                return 2;
            default:
                return 0;
        }
    }
}
