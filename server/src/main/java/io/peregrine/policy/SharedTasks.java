package io.peregrine.policy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The state of 2026-07-28 tasks kept outside this process (Redis), so that whichever replica a
 * {@code tasks/get}, {@code tasks/update} or {@code tasks/cancel} lands on can answer it: the
 * replica running a task writes its state on every change; the others read it, and hand a cancel
 * or an update to the replica running it through a message every replica hears.
 *
 * <p>Every method returns at once: the work happens on the store client's threads. A future
 * that fails (the store is down, or did not answer within {@link #timeout()}) is answered with a
 * clear error; nothing waits longer.
 */
public interface SharedTasks {

    /** Hears the cancels and updates any replica sends, for the tasks this replica runs. */
    interface Listener {
        /** {@code tasks/cancel} of {@code taskId} arrived on some replica. */
        void cancelled(String taskId);

        /** {@code tasks/update} of {@code taskId} arrived on some replica, with its {@code inputResponses} (JSON). */
        void updated(String taskId, String inputResponsesJson);
    }

    /** Writes the state of {@code taskId} (a JSON object of its fields), kept for {@code ttlMillis}. */
    CompletableFuture<Void> put(String taskId, String stateJson, long ttlMillis);

    /** The state written last for {@code taskId}; null when there is none (never, or expired). */
    CompletableFuture<String> get(String taskId);

    /** Tells every replica that {@code taskId} is to be cancelled. */
    CompletableFuture<Void> cancel(String taskId);

    /** Tells every replica the answers {@code inputResponsesJson} (JSON) for {@code taskId}. */
    CompletableFuture<Void> update(String taskId, String inputResponsesJson);

    /** Who hears the cancels and updates; one listener, set before serving. */
    void listen(Listener listener);

    /** The longest an operation waits on the store. */
    Duration timeout();
}
