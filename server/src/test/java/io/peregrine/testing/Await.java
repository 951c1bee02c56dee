package io.peregrine.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a state instead of sleeping: polls a condition until it holds, and fails, naming
 * what it waited for, when it does not within a bound generous enough that only a broken server
 * reaches it (a slow machine only makes the test slower). Tests never wait a fixed time.
 */
public final class Await {

    /** How long any condition may take before the test fails. */
    public static final Duration BOUND = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 5;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; throws {@link AssertionError} naming {@code description}
     * after {@link #BOUND}.
     */
    public static void until(BooleanSupplier condition, String description) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still waiting after " + BOUND.toSeconds() + " s for: " + description);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + description, e);
            }
        }
    }
}
