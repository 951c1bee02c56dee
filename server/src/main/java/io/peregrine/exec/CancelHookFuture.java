package io.peregrine.exec;

import java.util.concurrent.CancellationException;

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
public abstract class CancelHookFuture<T> extends EndHookFuture<T> {

    /** Runs once when the future is cancelled. */
    protected abstract void cancelled();

    @Override
    protected final void ended(T value, Throwable failure) {
        if (failure instanceof CancellationException) {
            cancelled();
        }
    }
}
