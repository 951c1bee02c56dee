package io.peregrine.client;

/**
 * Hears the client's link come and go: ready (connected and the era agreed), lost, and ready
 * again after a reconnection. Called on the client's I/O thread: it must not block. The gateway
 * uses it to drop an upstream's part of its catalog while the upstream is away.
 */
public interface ConnectionListener {

    /** The link is open and the era agreed; {@code again} is true after a reconnection. */
    default void onReady(boolean again) {
    }

    /** The link was lost (not closed by this side); pending requests have failed. */
    default void onLost(String reason) {
    }
}
