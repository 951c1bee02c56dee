package io.peregrine.client;

import io.netty.util.concurrent.EventExecutor;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request awaiting its response.
 *
 * <p>Its future completes exactly once, by whichever comes first: the result, the server's error,
 * the timeout, a cancellation, or the loss of the connection. {@link CompletableFuture} settles
 * that race; the losers' attempts are no-ops.
 */
final class PendingRequest {

    private final long id;
    private final String method;
    private final ProgressListener progressListener;
    private final PendingRequests owner;
    /** However it ends (here, or by a caller cancelling it), the request leaves its table and, abandoned, is told of. */
    private final CompletableFuture<Map<String, Object>> future = new io.peregrine.exec.EndHookFuture<>() {
        @Override
        protected void ended(Map<String, Object> value, Throwable failure) {
            owner.ended(PendingRequest.this, failure);
        }
    };
    private volatile io.peregrine.exec.Deadlines.Timer timeout;
    private volatile boolean expired;
    private volatile String cancelReason;
    /** The call this request is a round of, when the server may ask questions during it; else null. */
    private volatile CallScopes.Scope scope;
    /** Sent again in a new session once already; on the connection's loop only. */
    private boolean resent;
    /** Run once when the request settles, before anyone hears its outcome: frees its slot among the calls in flight. */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> onSettle = new java.util.concurrent.atomic.AtomicReference<>();

    PendingRequest(long id, String method, ProgressListener progressListener, PendingRequests owner) {
        this.id = id;
        this.method = method;
        this.progressListener = progressListener;
        this.owner = owner;
    }

    /** Where a request that was never sent is kept: nowhere, it is never added. */
    private static final PendingRequests NOWHERE = new PendingRequests(abandoned -> { });

    /** A request that failed before it was sent: {@code failure} is its outcome. */
    static PendingRequest failed(String method, Throwable failure) {
        PendingRequest r = new PendingRequest(0, method, null, NOWHERE);
        r.fail(failure);
        return r;
    }

    long id() {
        return id;
    }

    String method() {
        return method;
    }

    /** Null when the caller asked for no progress. */
    ProgressListener progressListener() {
        return progressListener;
    }

    CallScopes.Scope scope() {
        return scope;
    }

    void scope(CallScopes.Scope scope) {
        this.scope = scope;
    }

    CompletableFuture<Map<String, Object>> future() {
        return future;
    }

    boolean complete(Map<String, Object> result) {
        settle();
        return future.complete(result);
    }

    boolean fail(Throwable cause) {
        settle();
        return future.completeExceptionally(cause);
    }

    /** Whether the request may be sent again in a new session: true the first time only. */
    boolean markResent() {
        if (resent) {
            return false;
        }
        resent = true;
        return true;
    }

    /** Ends the request with a {@link CancellationException}; false when it had already ended. */
    boolean cancel(String reason) {
        if (future.isDone()) {
            return false;
        }
        cancelReason = reason;
        settle();
        return future.completeExceptionally(new CancellationException(
                this + " cancelled" + (reason != null ? ": " + reason : "")));
    }

    /** The reason given to {@link #cancel}, or the timeout; null when there was none. */
    String cancelReason() {
        return cancelReason;
    }

    /**
     * Whether the request ended on this side while the server may still be working on it, so the
     * server should be told to stop. A lost connection does not count: there is no one to tell.
     */
    boolean abandoned(Throwable failure) {
        return failure instanceof CancellationException || failure != null && expired;
    }

    /** Schedules the timeout on {@code loop}, where it cannot race with the response being read. */
    void armTimeout(EventExecutor loop, long timeoutMillis) {
        io.peregrine.exec.Deadlines.Timer t = io.peregrine.exec.Deadlines.arm(loop, () -> expire(timeoutMillis),
                TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        timeout = t;
        // The response may have come in before the timeout was stored, and found nothing to disarm.
        if (future.isDone()) {
            t.cancel();
        }
    }

    /**
     * Leaves the table before the outcome is told: whoever hears of it, on whatever thread, finds
     * the request gone. Completing the future by other means ends up here too, a little later.
     */
    void settle() {
        owner.remove(this);
        disarmTimeout();
        Runnable r = onSettle.getAndSet(null);
        if (r != null) {
            r.run();
        }
    }

    /**
     * Runs {@code action} once when the request settles, before its future completes: a caller
     * woken by the outcome finds what the request held already given back. Runs at once if it has
     * settled already.
     */
    void onSettle(Runnable action) {
        onSettle.set(action);
        if (future.isDone()) {
            Runnable r = onSettle.getAndSet(null);
            if (r != null) {
                r.run();
            }
        }
    }

    private void disarmTimeout() {
        io.peregrine.exec.Deadlines.Timer t = timeout;
        if (t != null) {
            t.cancel();
        }
    }

    private void expire(long timeoutMillis) {
        if (future.isDone()) {
            return;
        }
        String reason = "timed out after " + timeoutMillis + " ms";
        cancelReason = reason;
        expired = true;
        settle();
        future.completeExceptionally(new McpClientException(this + " " + reason,
                new TimeoutException("no response within " + timeoutMillis + " ms")));
    }

    /** {@code tools/call (id 7)}: how failure messages name the request. */
    @Override
    public String toString() {
        return method + " (id " + id + ")";
    }
}
