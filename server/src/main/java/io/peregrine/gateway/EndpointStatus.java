package io.peregrine.gateway;

import java.time.Instant;

/**
 * One endpoint of an upstream as {@code /ready} and the metrics report it.
 *
 * @param target       where it is (a URL, or {@code stdio:} and a command)
 * @param state        what it is doing now
 * @param ejectedUntil when its ejection ends, while it is {@link State#EJECTED}; otherwise null
 * @param inFlight     attempts in flight on it
 * @param ejections    how many times it was ejected
 * @param weight       its configured weight
 */
public record EndpointStatus(String target, State state, Instant ejectedUntil, int inFlight, int ejections, int weight) {

    /** An endpoint's state, the first that applies in this order. */
    public enum State {
        /** Left the upstream's endpoints: finishing its calls in flight, then closed. */
        DRAINING,
        /** Not connected (or its catalog not listed) yet: reconnecting with backoff. */
        CONNECTING,
        /** Failed its active health checks: takes no calls until it passes them again. */
        UNHEALTHY,
        /** Ejected after calls in a row failed: takes no calls until {@code ejectedUntil}. */
        EJECTED,
        /** Takes calls. */
        READY
    }

    /** For {@code /ready}: {@code tcp://10.0.0.7:9001 ejected until 2026-07-28T10:00:05Z (ejections 2, in flight 0)}. */
    @Override
    public String toString() {
        String name = target.length() <= 96 ? target : target.substring(0, 93) + "...";
        return name + " " + state.name().toLowerCase(java.util.Locale.ROOT)
                + (state == State.EJECTED ? " until " + ejectedUntil : "")
                + " (in flight " + inFlight + (ejections > 0 ? ", ejections " + ejections : "") + ")";
    }
}
