package io.peregrine.policy;

/**
 * The decisions of the policy chain as they are made, for whoever counts them (the core hands them
 * to its observers). Called on the thread that decides, once per decision; must be cheap and must
 * not throw. {@link #NONE} is the default.
 */
public interface PolicyEvents {

    /** Hears nothing. */
    PolicyEvents NONE = new PolicyEvents() {
    };

    /**
     * A rate-limit bucket decided: {@code limiter} is its scope ({@code global}, {@code principal},
     * {@code tool}, {@code principal_tool}, {@code connection}), {@code admitted} whether it gave a
     * token. A call that several buckets apply to is one decision per bucket consulted, up to the
     * first that refuses.
     */
    default void rateLimitDecision(String limiter, boolean admitted) {
    }
}
