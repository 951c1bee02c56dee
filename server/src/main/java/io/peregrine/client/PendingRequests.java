package io.peregrine.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The requests of one connection awaiting their responses, by id.
 *
 * <p>Ids count up from 1 and are never reused, so a late response to a request that timed out can
 * never be taken for the answer to a newer one.
 */
final class PendingRequests {

    /**
     * How many requests are found by their id alone. Ids count up, so the requests in flight
     * fill consecutive slots: up to this many at once go without a hash map's node, a boxed key
     * or a hash lookup; the rest (more at once, or a slot held by a request that runs long) go to
     * {@link #overflow}.
     */
    private static final int SLOTS = 256;

    private final AtomicLong lastId = new AtomicLong();
    private final AtomicReferenceArray<PendingRequest> slots = new AtomicReferenceArray<>(SLOTS);
    private final Map<Long, PendingRequest> overflow = new ConcurrentHashMap<>();
    private final Consumer<PendingRequest> onAbandoned;

    /** @param onAbandoned told of each request cancelled or timed out here, to tell the server */
    PendingRequests(Consumer<PendingRequest> onAbandoned) {
        this.onAbandoned = onAbandoned;
    }

    long nextId() {
        return lastId.incrementAndGet();
    }

    /** Registers a request under {@code id}; it leaves again by itself when its future completes ({@link #ended}). */
    PendingRequest add(long id, String method, ProgressListener progressListener) {
        PendingRequest request = new PendingRequest(id, method, progressListener, this);
        if (!slots.compareAndSet(slot(id), null, request)) {
            overflow.put(id, request);
        }
        return request;
    }

    /** The request with this id, or null when it is not (or no longer) pending. */
    PendingRequest get(long id) {
        PendingRequest request = slots.get(slot(id));
        if (request != null && request.id() == id) {
            return request;
        }
        return overflow.isEmpty() ? null : overflow.get(id);
    }

    private static int slot(long id) {
        return (int) id & (SLOTS - 1);
    }

    /** Fails every pending request with the failure {@code cause} makes for it. */
    void failAll(Function<PendingRequest, Throwable> cause) {
        failAll(cause, request -> false);
    }

    /** Fails every pending request but those {@code kept} names, with the failure {@code cause} makes for it. */
    void failAll(Function<PendingRequest, Throwable> cause, java.util.function.Predicate<PendingRequest> kept) {
        for (PendingRequest request : all()) {
            if (!kept.test(request)) {
                request.fail(cause.apply(request));
            }
        }
    }

    void remove(PendingRequest request) {
        if (!slots.compareAndSet(slot(request.id()), request, null)) {
            overflow.remove(request.id(), request);
        }
    }

    /** How many are pending: counted when asked, since the calls themselves keep no count. */
    int size() {
        return all().size();
    }

    private java.util.List<PendingRequest> all() {
        java.util.List<PendingRequest> all = new java.util.ArrayList<>(overflow.values());
        for (int i = 0; i < SLOTS; i++) {
            PendingRequest request = slots.get(i);
            if (request != null) {
                all.add(request);
            }
        }
        return all;
    }

    /** Told by the request when its future ends, whoever ended it. */
    void ended(PendingRequest request, Throwable failure) {
        request.settle();
        if (request.abandoned(failure)) {
            onAbandoned.accept(request);
        }
    }
}
