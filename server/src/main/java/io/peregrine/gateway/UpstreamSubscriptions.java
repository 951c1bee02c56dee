package io.peregrine.gateway;

import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.Subscription;
import io.peregrine.client.SubscriptionFilter;
import io.peregrine.resource.SubscriptionHandler;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The resource subscriptions the gateway's clients hold on one upstream: each URI is subscribed
 * once, on one link, whoever and however many of the gateway's clients subscribed to it (the
 * server counts them and calls this handler for the first and the last, see
 * {@link SubscriptionHandler}).
 *
 * <p>The link is the upstream's first ready endpoint when the first client subscribes, the one
 * whose catalog the gateway serves; the subscription stays there while that link is up. A link
 * that is lost takes its subscriptions with it: they are made again on the first ready endpoint as
 * soon as there is one, which is the same endpoint once it is back (a link that reconnects starts
 * a new upstream session, which knows none of them). On each link a subscription is the client's
 * {@link PeregrineClient#listen}: {@code resources/subscribe} on a 2025 link, a
 * {@code subscriptions/listen} stream of its own on a 2026-07-28 link.
 *
 * <p>URIs here are the served ones ({@link ResourceUris}), the upstream's own only on the link:
 * each is subscribed upstream under its own URI, and every {@code notifications/resources/updated}
 * heard of it is passed to {@code updated} under the served URI, which tells the gateway's
 * subscribed clients.
 */
final class UpstreamSubscriptions implements SubscriptionHandler {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSubscriptions.class);

    /**
     * Where one URI is subscribed: on {@code replica} during its {@code link}-th connection, through
     * {@code subscription}; a null subscription with a replica is one being made, a null replica
     * one waiting for a ready endpoint.
     */
    private record Placed(Replica replica, int link, Subscription subscription) {
        static final Placed WAITING = new Placed(null, 0, null);

        boolean lost() {
            return replica == null || (subscription != null
                    && (subscription.ended().isDone() || !replica.isReady() || replica.link() != link));
        }
    }

    private final Upstream upstream;
    private final Consumer<String> updated;
    /** By URI; guarded by this. */
    private final Map<String, Placed> placed = new HashMap<>();

    UpstreamSubscriptions(Upstream upstream, Consumer<String> updated) {
        this.upstream = upstream;
        this.updated = updated;
    }

    @Override
    public CompletableFuture<Void> subscribe(String uri) {
        Replica r = upstream.readyReplica();
        if (r == null) {
            return CompletableFuture.failedFuture(new RpcException(JsonRpcError.UPSTREAM_UNAVAILABLE, "Cannot subscribe to "
                    + uri + ": upstream " + upstream.name() + " is not reachable (" + upstream.failure() + ")", null,
                    Map.of("upstream", upstream.name(), "uri", uri)));
        }
        int link = r.link();
        synchronized (this) {
            placed.put(uri, new Placed(r, link, null));
        }
        return place(uri, r, link, true).thenAccept(s -> { });
    }

    @Override
    public void unsubscribe(String uri) {
        Placed p;
        synchronized (this) {
            p = placed.remove(uri);
        }
        if (p != null && p.subscription() != null) {
            p.subscription().close();
        }
    }

    /**
     * The upstream's endpoints changed (one was lost, came back, left or joined): each subscription
     * whose link is gone is made again on the first ready endpoint, or waits for one.
     */
    void relink() {
        Map<String, Placed> lost = new HashMap<>();
        Replica r = upstream.readyReplica();
        int link = r != null ? r.link() : 0;
        synchronized (this) {
            placed.forEach((uri, p) -> {
                if (p.lost()) {
                    lost.put(uri, p);
                }
            });
            lost.keySet().forEach(uri -> placed.put(uri, r != null ? new Placed(r, link, null) : Placed.WAITING));
        }
        lost.forEach((uri, p) -> {
            if (p.subscription() != null) {
                p.subscription().close(); // its session is gone; this forgets it on the client's side
            }
            if (r != null) {
                log.info("upstream {}: subscribing to {} again on {}", upstream.name(), uri, r.target());
                place(uri, r, link, false).whenComplete((s, failure) -> {
                    if (failure != null) {
                        log.warn("upstream {}: subscribing to {} again failed: {}; trying again when its endpoints change",
                                upstream.name(), uri, failure.getMessage());
                    }
                });
            }
        });
    }

    /**
     * Subscribes to {@code uri} on {@code r} during its {@code link}-th connection. Failing, the URI
     * waits for the next change of the endpoints, unless this was the {@code first} subscription:
     * then the subscriber is refused and nobody holds the URI.
     */
    private CompletableFuture<Subscription> place(String uri, Replica r, int link, boolean first) {
        PeregrineClient client = r.client();
        String own = upstream.uris().upstream(uri);
        Subscription s;
        try {
            s = client.listen(SubscriptionFilter.resources(own), (method, params) -> updated.accept(uri));
        } catch (RuntimeException e) {
            return failed(uri, own, r, link, null, e, first);
        }
        return s.acknowledged().handle((agreed, failure) -> {
            if (failure == null && !(agreed.get("resourceSubscriptions") instanceof List
                    && ((List<?>) agreed.get("resourceSubscriptions")).contains(own))) {
                failure = new RpcException(JsonRpcError.RESOURCE_NOT_FOUND, "Cannot subscribe to " + uri + ": upstream "
                        + upstream.name() + " did not accept the subscription", null,
                        Map.of("upstream", upstream.name(), "uri", uri));
            }
            return failure != null ? failed(uri, own, r, link, s, failure, first) : placed(uri, r, link, s);
        }).thenCompose(f -> f);
    }

    /** {@code s} is made: recorded, or closed at once if the URI was let go meanwhile or placed elsewhere. */
    private CompletableFuture<Subscription> placed(String uri, Replica r, int link, Subscription s) {
        boolean kept;
        synchronized (this) {
            Placed p = placed.get(uri);
            kept = p != null && p.replica() == r && p.link() == link && p.subscription() == null;
            if (kept) {
                placed.put(uri, new Placed(r, link, s));
            }
        }
        if (!kept) {
            s.close();
            return CompletableFuture.completedFuture(s);
        }
        // A stream the upstream ends, or a link that went while the subscription was made, is made again.
        s.ended().whenComplete((v, f) -> relink());
        if (!r.isReady() || r.link() != link) {
            relink();
        }
        return CompletableFuture.completedFuture(s);
    }

    private CompletableFuture<Subscription> failed(String uri, String own, Replica r, int link, Subscription s,
                                                   Throwable failure, boolean first) {
        if (s != null) {
            s.close();
        }
        synchronized (this) {
            placed.computeIfPresent(uri, (k, p) -> p.replica() == r && p.link() == link && p.subscription() == null
                    ? (first ? null : Placed.WAITING) : p);
        }
        return CompletableFuture.failedFuture(upstream.uris().served(translate(uri, failure), own, uri));
    }

    /** The upstream's own error as it sent it; a lost link as the upstream being unavailable. */
    private RpcException translate(String uri, Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RpcException) {
            return (RpcException) t;
        }
        if (t instanceof McpClientException && ((McpClientException) t).code() != McpClientException.LOCAL) {
            McpClientException e = (McpClientException) t;
            return new RpcException(e.code(), e.getMessage(), null, e.data());
        }
        return new RpcException(JsonRpcError.UPSTREAM_UNAVAILABLE, "Cannot subscribe to " + uri + " on upstream "
                + upstream.name() + ": " + t.getMessage(), null, Map.of("upstream", upstream.name(), "uri", uri));
    }
}
