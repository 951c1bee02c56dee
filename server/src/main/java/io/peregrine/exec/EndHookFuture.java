package io.peregrine.exec;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A future that acts once when it ends, however it ends: {@link #complete}, {@link
 * #completeExceptionally} (by its owner, or by {@code orTimeout} and {@code completeOnTimeout}) or
 * {@link #cancel}. What {@code whenComplete(...)} does, without the dependent stage and its future
 * that every call would allocate for it.
 *
 * <p>{@link #ended} runs once, on the thread that ends the future, after the future's dependents
 * have heard of it. {@code obtrudeValue}, {@code obtrudeException} and {@code completeAsync} bypass it.
 *
 * @param <T> the result
 */
public abstract class EndHookFuture<T> extends CompletableFuture<T> {

    private static final AtomicIntegerFieldUpdater<EndHookFuture> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(EndHookFuture.class, "endedOnce");

    private volatile int endedOnce;

    /**
     * Runs once when the future ends.
     *
     * @param value   the result; null when it failed
     * @param failure why it failed (a {@link CancellationException} when cancelled); null for a result
     */
    protected abstract void ended(T value, Throwable failure);

    @Override
    public boolean complete(T value) {
        boolean completed = super.complete(value);
        if (completed) {
            end(value, null);
        }
        return completed;
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean completed = super.completeExceptionally(failure);
        if (completed) {
            end(null, failure);
        }
        return completed;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        // True as well when it was cancelled before: the once-guard keeps the hook to one run.
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            end(null, cancellation());
        }
        return cancelled;
    }

    /** The exception the cancelled future holds. */
    private CancellationException cancellation() {
        try {
            join();
        } catch (CancellationException e) {
            return e;
        }
        return new CancellationException();
    }

    private void end(T value, Throwable failure) {
        if (ENDED.compareAndSet(this, 0, 1)) {
            ended(value, failure);
        }
    }
}
