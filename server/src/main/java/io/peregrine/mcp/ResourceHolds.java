package io.peregrine.mcp;

import io.peregrine.resource.SubscriptionHandler;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The subscribers of each URI whose resource has a {@link SubscriptionHandler}, counted across
 * every client of the server: a 2025 session that subscribed, or a 2026-07-28 stream that names
 * it, is one holder. The first holder makes the handler subscribe, the last one's release makes
 * it unsubscribe.
 *
 * <p>A URI is held through one subscription at a time: a holder that comes while the first
 * subscribe is on its way waits for its outcome (and fails with it), and a hold released before
 * its subscribe completed is let go only once it did, so that the handler never sees an
 * unsubscribe before its subscribe, nor two subscribes of one URI.
 */
final class ResourceHolds {

    private static final class Hold {
        final SubscriptionHandler handler;
        final CompletableFuture<Void> subscribed = new CompletableFuture<>();
        /** Holders counted, those whose subscribe is still on its way among them; guarded by the holds. */
        int count;

        Hold(SubscriptionHandler handler) {
            this.handler = handler;
        }
    }

    private final Map<String, Hold> holds = new HashMap<>();

    /**
     * One more holder of {@code uri}: completes once {@code handler} subscribed (at once when the
     * URI is held already), or fails with why it refused, the holder then not counted.
     */
    CompletableFuture<Void> acquire(String uri, SubscriptionHandler handler) {
        Hold hold;
        boolean first;
        synchronized (this) {
            hold = holds.get(uri);
            first = hold == null;
            if (first) {
                hold = new Hold(handler);
                holds.put(uri, hold);
            }
            hold.count++;
        }
        Hold h = hold;
        if (first) {
            CompletableFuture<Void> asked;
            try {
                asked = handler.subscribe(uri);
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            asked.whenComplete((v, failure) -> {
                if (failure != null) {
                    h.subscribed.completeExceptionally(failure);
                } else {
                    h.subscribed.complete(null);
                }
                settle(uri, h);
            });
        }
        CompletableFuture<Void> out = new CompletableFuture<>();
        h.subscribed.whenComplete((v, failure) -> {
            if (failure != null) {
                release(uri, h);
                out.completeExceptionally(failure);
            } else {
                out.complete(null);
            }
        });
        return out;
    }

    /** A holder of {@code uri} let go of it (it unsubscribed, its stream or connection ended). */
    void release(String uri) {
        Hold hold;
        synchronized (this) {
            hold = holds.get(uri);
        }
        if (hold != null) {
            release(uri, hold);
        }
    }

    private void release(String uri, Hold hold) {
        synchronized (this) {
            hold.count--;
        }
        settle(uri, hold);
    }

    /** A hold with no holder left whose subscribe ended goes; the handler unsubscribes it if it was subscribed. */
    private void settle(String uri, Hold hold) {
        synchronized (this) {
            if (hold.count > 0 || !hold.subscribed.isDone() || !holds.remove(uri, hold)) {
                return;
            }
        }
        if (!hold.subscribed.isCompletedExceptionally()) {
            hold.handler.unsubscribe(uri);
        }
    }
}
