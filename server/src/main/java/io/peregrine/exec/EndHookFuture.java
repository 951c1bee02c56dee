package io.peregrine.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;

/**
 * A future that acts once when it ends, however it ends: {@link #complete}, {@link
 * #completeExceptionally} (by its owner, or by {@code orTimeout} and {@code completeOnTimeout}) or
 * {@link #cancel}. It acts through the hook {@link #ended} of a subclass, then through one
 * listener ({@link #listen}): what {@code whenComplete(...)} does, without the dependent stage and
 * its future that every call would allocate for it.
 *
 * <p>Both run once, on the thread that ends the future, after the future's dependents have heard
 * of it. {@code obtrudeValue}, {@code obtrudeException} and {@code completeAsync} bypass them.
 *
 * @param <T> the result
 */
public class EndHookFuture<T> extends CompletableFuture<T> {

    private static final Logger log = LoggerFactory.getLogger(EndHookFuture.class);

    private static final AtomicIntegerFieldUpdater<EndHookFuture> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(EndHookFuture.class, "endedOnce");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<EndHookFuture, BiConsumer> LISTENER =
            AtomicReferenceFieldUpdater.newUpdater(EndHookFuture.class, BiConsumer.class, "listener");
    /** In the listener's place once the future has told it, or ended with none. */
    private static final BiConsumer<Object, Throwable> TOLD = (value, failure) -> { };

    private volatile int endedOnce;
    private volatile BiConsumer<? super T, ? super Throwable> listener;

    /**
     * Runs once when the future ends, before the listener; does nothing unless overridden.
     *
     * @param value   the result; null when it failed
     * @param failure why it failed (a {@link CancellationException} when cancelled); null for a result
     */
    protected void ended(T value, Throwable failure) {
    }

    /**
     * Tells {@code action} of the end, as {@code whenComplete(action)} would: when the future ends,
     * or at once if it has. A future has room for one such listener.
     *
     * @return false, having done nothing, when the future has a listener already
     */
    public final boolean listen(BiConsumer<? super T, ? super Throwable> action) {
        Objects.requireNonNull(action, "action");
        if (LISTENER.compareAndSet(this, null, action)) {
            return true; // told by end(), which may be running already and finds it there
        }
        if (listener != TOLD) {
            return false;
        }
        // Ended before: tell it here, with what the future holds.
        Throwable failure = failureHeld();
        tell(action, failure == null ? getNow(null) : null, failure);
        return true;
    }

    /**
     * Tells {@code action} of the end of {@code future}: through its listener's place when it is
     * an {@link EndHookFuture} with room for one, else with {@code whenComplete}.
     */
    public static <T> void whenEnded(CompletableFuture<T> future, BiConsumer<? super T, ? super Throwable> action) {
        if (!(future instanceof EndHookFuture) || !((EndHookFuture<T>) future).listen(action)) {
            future.whenComplete(action);
        }
    }

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
            end(null, failureHeld());
        }
        return cancelled;
    }

    /** What an ended future failed with (its {@link CancellationException} when cancelled); null when it holds a result. */
    private Throwable failureHeld() {
        try {
            join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
            return e;
        }
    }

    @SuppressWarnings("unchecked")
    private void end(T value, Throwable failure) {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            ended(value, failure);
        } finally {
            BiConsumer<? super T, ? super Throwable> action = LISTENER.getAndSet(this, TOLD);
            if (action != null) {
                tell(action, value, failure);
            }
        }
    }

    /** Runs the listener; what it throws is logged, not thrown at whoever ended the future. */
    private void tell(BiConsumer<? super T, ? super Throwable> action, T value, Throwable failure) {
        try {
            action.accept(value, failure);
        } catch (RuntimeException | Error e) {
            log.error("a listener of {} threw", this, e);
        }
    }
}
