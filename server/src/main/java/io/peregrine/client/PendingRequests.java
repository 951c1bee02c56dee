package io.peregrine.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The requests of one connection awaiting their responses, by id.
 *
 * <p>Ids count up from 1 and are never reused, so a late response to a request that timed out can
 * never be taken for the answer to a newer one.
 */
final class PendingRequests {

    private final AtomicLong lastId = new AtomicLong();
    private final Map<Long, PendingRequest> byId = new ConcurrentHashMap<>();
    private final Consumer<PendingRequest> onAbandoned;

    /** @param onAbandoned told of each request cancelled or timed out here, to tell the server */
    PendingRequests(Consumer<PendingRequest> onAbandoned) {
        this.onAbandoned = onAbandoned;
    }

    long nextId() {
        return lastId.incrementAndGet();
    }

    /** Registers a request under {@code id}; it leaves again by itself when its future completes. */
    PendingRequest add(long id, String method, ProgressListener progressListener) {
        PendingRequest request = new PendingRequest(id, method, progressListener, this);
        byId.put(id, request);
        request.future().whenComplete((result, failure) -> ended(request, failure));
        return request;
    }

    /** The request with this id, or null when it is not (or no longer) pending. */
    PendingRequest get(long id) {
        return byId.get(id);
    }

    /** Fails every pending request with the failure {@code cause} makes for it. */
    void failAll(Function<PendingRequest, Throwable> cause) {
        failAll(cause, request -> false);
    }

    /** Fails every pending request but those {@code kept} names, with the failure {@code cause} makes for it. */
    void failAll(Function<PendingRequest, Throwable> cause, java.util.function.Predicate<PendingRequest> kept) {
        for (PendingRequest request : byId.values()) {
            if (!kept.test(request)) {
                request.fail(cause.apply(request));
            }
        }
    }

    void remove(PendingRequest request) {
        byId.remove(request.id(), request);
    }

    int size() {
        return byId.size();
    }

    private void ended(PendingRequest request, Throwable failure) {
        request.settle();
        if (request.abandoned(failure)) {
            onAbandoned.accept(request);
        }
    }
}
