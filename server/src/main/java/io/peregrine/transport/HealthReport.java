package io.peregrine.transport;

/**
 * What a server says about itself to probes: {@code GET /ready} asks {@link #ready()},
 * {@code GET /health?verbose} and {@code GET /health/details} show {@link #details()}. The running
 * server implements it; the HTTP listener only asks, so it knows nothing of what readiness means.
 *
 * <p>Both are called on an I/O thread: they must not block. {@code GET /health} (liveness) asks
 * neither: a process that can answer it is alive.
 */
@FunctionalInterface
public interface HealthReport {

    /** Always ready, no details: for a listener served without a server around it (benchmarks, tests). */
    HealthReport ALWAYS_READY = () -> true;

    /**
     * Whether this server wants traffic: false while it starts, once shutdown has begun, and while
     * a dependency registered as required is down.
     */
    boolean ready();

    /**
     * The body of {@code /ready}, a JSON object, for the readiness {@code ready} just found: its
     * {@code status} ({@code ready} or {@code not ready}) and, where the server has some, the
     * state of each dependency, so that a 503 says which one is down and why.
     */
    default String readiness(boolean ready) {
        return ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}";
    }

    /** The verbose report, a JSON object; by default only the status and readiness. */
    default String details() {
        return "{\"status\":\"up\",\"ready\":" + ready() + "}";
    }
}
