package io.peregrine.gateway;

import java.util.List;

/**
 * Chooses one endpoint of an upstream for a call, among candidates that are all eligible (ready,
 * healthy, not ejected, not already tried by the call when another is left). Generic over the
 * endpoint so that each strategy can be tested alone; {@link View} tells it what it needs to know
 * of one.
 *
 * @param <E> the endpoint
 */
interface Balancer<E> {

    /**
     * One of {@code candidates}, which holds at least two endpoints.
     *
     * @param key the call's affinity key, or null
     */
    E pick(List<E> candidates, String key);

    /** What a strategy reads of an endpoint. */
    interface View<E> {
        /** A stable name: the endpoint's target. */
        String id(E endpoint);

        /** Attempts in flight on it now. */
        int inFlight(E endpoint);

        /** Its configured weight (1 and up). */
        int weight(E endpoint);

        /** Its weight now: the configured one, times the slow-start ramp (a tenth up to one). */
        double effectiveWeight(E endpoint);
    }

    /** The strategy {@code balancing} names, over endpoints seen through {@code view}. */
    static <E> Balancer<E> of(LoadBalancing balancing, View<E> view) {
        switch (balancing) {
            case ROUND_ROBIN:
                return new RoundRobin<>();
            case WEIGHTED_ROUND_ROBIN:
                return new SmoothWeightedRoundRobin<>(view);
            case CONSISTENT_HASH:
                return new HashRing<>(view, new LeastInFlight<>(view));
            default:
                return new LeastInFlight<>(view);
        }
    }
}
