package io.peregrine.client;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A stream of change notifications from the server, as {@link PeregrineClient#listen} opened it:
 * a {@code subscriptions/listen} request in the 2026-07-28 era (each notification tagged with its
 * id), or {@code resources/subscribe} and the notifications every 2025 session receives, filtered.
 * Closing it ends it: the listen request is cancelled, or the resources unsubscribed.
 */
public final class Subscription implements AutoCloseable {

    private final CompletableFuture<Map<String, Object>> acknowledged = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Subscription.class);

    private final SubscriptionFilter filter;
    private final java.util.function.BiConsumer<String, Map<String, Object>> listener;
    private volatile Runnable closer = () -> { };

    Subscription(SubscriptionFilter filter, java.util.function.BiConsumer<String, Map<String, Object>> listener) {
        this.filter = filter;
        this.listener = listener;
    }

    /** Hands a notification to the listener, unless the subscription has ended. */
    void deliver(String method, Map<String, Object> params) {
        if (ended.isDone()) {
            return;
        }
        try {
            listener.accept(method, params);
        } catch (RuntimeException e) {
            log.warn("a subscription listener failed on {}", method, e);
        }
    }

    void closer(Runnable closer) {
        this.closer = closer;
    }

    SubscriptionFilter filter() {
        return filter;
    }

    /**
     * Completes with the filter the server agreed to honor (the {@code notifications} of its
     * acknowledgment; in the 2025 era, what was asked once the resources are subscribed).
     */
    public CompletableFuture<Map<String, Object>> acknowledged() {
        return acknowledged;
    }

    /**
     * Completes when the server ends the subscription gracefully; fails when the connection is lost
     * or the server refuses it. Closing it from this side completes it too.
     */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    CompletableFuture<Map<String, Object>> ack() {
        return acknowledged;
    }

    CompletableFuture<Void> end() {
        return ended;
    }

    /** Ends the subscription. Safe to call more than once. */
    @Override
    public void close() {
        if (ended.complete(null)) {
            closer.run();
        }
    }
}
