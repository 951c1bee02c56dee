package io.peregrine.policy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The second level of the {@link ResultCache}, kept outside this process (Redis), so that a result
 * computed on one replica is a hit on the others; and the channel by which replicas tell each other
 * that a tool changed, so that each drops what its first level holds of it.
 *
 * <p>Every method returns at once: the work happens on the store client's threads. A lookup that
 * fails or does not answer within {@link #timeout()} is a miss (the call runs); a write that fails
 * is forgotten. Nothing waits longer, and nothing becomes an error.
 */
public interface SharedCache {

    /** Hears what other replicas (and this one) say about changed tools, and losses of the connection. */
    interface Listener {
        /** {@code tool} changed somewhere; null: the whole tool list did. Drop what is cached of it. */
        void invalidated(String tool);

        /**
         * The connection to the store was lost (or came back): invalidations may have been missed
         * meanwhile, so nothing cached locally can be trusted.
         */
        void disconnected();
    }

    /** The value stored under {@code key}, null when there is none; completes within {@link #timeout()} or fails. */
    CompletableFuture<byte[]> get(String key);

    /** Stores {@code value} under {@code key} for {@code ttlMillis}; best effort. */
    void put(String key, byte[] value, long ttlMillis);

    /**
     * Claims the single flight {@code key} for {@code millis} ({@code SET NX PX}): true when this
     * caller won it and is to run the call, false when another replica runs it; fails when the
     * store failed or did not answer in time.
     */
    CompletableFuture<Boolean> claim(String key, long millis);

    /** Lets go of a flight claimed with {@link #claim}; best effort (it expires anyway). */
    void release(String key);

    /**
     * Waits for the value under {@code key} while the flight {@code flightKey} is held by another
     * replica, polling, for at most {@code maxMillis}: the value once stored, or null when the
     * flight ended without one, the time ran out, or the store failed. Never fails.
     */
    CompletableFuture<byte[]> await(String key, String flightKey, long maxMillis);

    /**
     * Tells every replica that {@code tool} changed (null: the tool list did), and forgets what is
     * stored of it; best effort.
     */
    void invalidate(String tool);

    /** Who hears invalidations and disconnections; one listener, set before serving. */
    void listen(Listener listener);

    /** Whether a lookup should ask the store now (false during a known outage, except for a probe now and then). */
    boolean available();

    /** The longest a lookup waits on the store. */
    Duration timeout();
}
