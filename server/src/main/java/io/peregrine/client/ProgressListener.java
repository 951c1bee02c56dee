package io.peregrine.client;

/**
 * Receives the {@code notifications/progress} the server sends for one request.
 *
 * <p>Called on the client's I/O thread, in the order the notifications arrive and always before
 * the request's result is delivered; it must not block.
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param progress how far the work has come; increases with every call
     * @param total    the amount of work, or null when the server does not know it
     * @param message  a human-readable description of the current step, or null
     */
    void onProgress(double progress, Double total, String message);
}
