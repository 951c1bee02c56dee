package io.peregrine.client;

/** Receives the {@code notifications/progress} of one request. */
@FunctionalInterface
public interface ProgressListener {

    /** @param total and message may be null */
    void onProgress(double progress, Double total, String message);
}
