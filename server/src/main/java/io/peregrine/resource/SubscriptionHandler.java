package io.peregrine.resource;

import java.util.concurrent.CompletableFuture;

/**
 * What a resource (or a template, for the URIs it names) does when clients subscribe to it, for a
 * resource whose changes come from elsewhere and must be asked for: a resource the gateway
 * federates is subscribed on its upstream, for instance.
 *
 * <p>The server counts the subscribers of each URI across all its clients (each 2025 session's
 * {@code resources/subscribe}, each 2026-07-28 {@code subscriptions/listen} stream that names it):
 * {@link #subscribe} is called when the first one comes, {@link #unsubscribe} when the last one
 * goes (it unsubscribed, its stream closed or its connection went), never both at once for one
 * URI. The handler tells the server of changes with {@code ResourceRegistry.updated(uri)}.
 *
 * <p>A resource without a handler is subscribable as it is: the server keeps the subscriptions,
 * and its author calls {@code updated} when the contents change.
 */
public interface SubscriptionHandler {

    /**
     * A resource nobody can subscribe to: {@code resources/subscribe} of it is refused (-32602),
     * a {@code subscriptions/listen} does not honor it, and the server declares
     * {@code resources.subscribe} only when some resource or template can be subscribed.
     */
    SubscriptionHandler UNSUPPORTED = new SubscriptionHandler() {
        @Override
        public CompletableFuture<Void> subscribe(String uri) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException(uri + " cannot be subscribed to"));
        }

        @Override
        public void unsubscribe(String uri) {
        }

        @Override
        public String toString() {
            return "SubscriptionHandler.UNSUPPORTED";
        }
    };

    /**
     * The first client subscribes to {@code uri}. The future fails to refuse it: the client gets
     * the error (an {@link io.peregrine.rpc.RpcException}'s code, message and data as they are;
     * anything else as an internal error) and is not counted. Must not block.
     */
    CompletableFuture<Void> subscribe(String uri);

    /** The last client of {@code uri} let go of it; called only after a {@link #subscribe} that succeeded. */
    void unsubscribe(String uri);
}
