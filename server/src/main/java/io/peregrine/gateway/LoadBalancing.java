package io.peregrine.gateway;

import java.util.Locale;

/** How the gateway chooses one of an upstream's healthy endpoints for a call (docs/gateway-balancing.md). */
public enum LoadBalancing {
    /** Two endpoints at random; the one with fewer calls in flight for its weight. */
    LEAST_IN_FLIGHT,
    /** Each endpoint in turn. */
    ROUND_ROBIN,
    /** Smooth weighted round robin: each endpoint its weight's share, interleaved. */
    WEIGHTED_ROUND_ROBIN,
    /** A ring of virtual nodes hashed on the call's key, for affinity. */
    CONSISTENT_HASH;

    /** The value of {@code load-balancing} that names it, e.g. {@code least-in-flight}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The strategy {@code key} names ({@code round-robin}, ...). */
    public static LoadBalancing of(String key) {
        return valueOf(key.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
