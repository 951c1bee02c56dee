package io.peregrine.exec;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A future that acts when it is cancelled: by {@link #cancel}, or completed with a
 * {@link CancellationException}. What {@code whenComplete(... if isCancelled() ...)} does, without
 * the dependent stage and its future that every call would allocate for it.
 *
 * <p>{@link #cancelled()} runs once, on the thread that cancels, after the dependents of the
 * future have heard of it.
 *
 * @param <T> the result
 */
public abstract class CancelHookFuture<T> extends CompletableFuture<T> {

    private static final AtomicIntegerFieldUpdater<CancelHookFuture> HOOKED =
            AtomicIntegerFieldUpdater.newUpdater(CancelHookFuture.class, "hooked");

    private volatile int hooked;

    /** Runs once when the future is cancelled. */
    protected abstract void cancelled();

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            hook();
        }
        return cancelled;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean completed = super.completeExceptionally(failure);
        if (completed && failure instanceof CancellationException) {
            hook();
        }
        return completed;
    }

    private void hook() {
        if (HOOKED.compareAndSet(this, 0, 1)) {
            cancelled();
        }
    }
}
