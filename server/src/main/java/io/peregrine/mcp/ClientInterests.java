package io.peregrine.mcp;

import io.peregrine.rpc.RequestId;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the client of one connection asked to hear about beyond the answers to its requests: the
 * resources it subscribed to (2025 revisions), and its open {@code subscriptions/listen} streams
 * (2026-07-28). Made by the first of them ({@link Connection#interests()}). Written on the event
 * loop, read from whichever thread has something to tell, hence concurrent.
 */
final class ClientInterests {

    /** URIs of {@code resources/subscribe}. */
    final Set<String> resourceUris = ConcurrentHashMap.newKeySet();

    /** Those of {@link #resourceUris} this connection holds in {@link ResourceHolds}: released when it goes. */
    final Set<String> heldUris = ConcurrentHashMap.newKeySet();

    /**
     * The latest {@code resources/subscribe} of each URI whose hold is being acquired or held, by a
     * token of its own: a subscribe that completes to find another token (or none: an unsubscribe
     * came meanwhile) was overtaken by the client's later request and lets its hold go.
     */
    final Map<String, Object> latestSubscribe = new ConcurrentHashMap<>();

    /** {@code subscriptions/listen} requests waiting for their subscriptions to be made, by id, with their reply. */
    final Map<RequestId, Reply> opening = new ConcurrentHashMap<>();

    /** Open {@code subscriptions/listen} streams by the id of the request that opened them. */
    final Map<RequestId, Subscriptions.Stream> streams = new ConcurrentHashMap<>();
}
