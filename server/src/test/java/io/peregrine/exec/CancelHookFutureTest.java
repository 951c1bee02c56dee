package io.peregrine.exec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The hook runs once when the future is cancelled, whichever way, and never otherwise. */
class CancelHookFutureTest {

    private final AtomicInteger hooked = new AtomicInteger();
    private final List<String> order = new ArrayList<>();

    private CancelHookFuture<String> future() {
        return new CancelHookFuture<>() {
            @Override
            protected void cancelled() {
                hooked.incrementAndGet();
                order.add("hook");
            }
        };
    }

    @Test
    void cancellingRunsTheHookOnceAfterTheDependents() {
        CancelHookFuture<String> f = future();
        f.whenComplete((v, e) -> order.add("dependent"));
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.cancel(true)).isTrue(); // already cancelled: true again, as CompletableFuture says
        assertThat(f.completeExceptionally(new CancellationException("again"))).isFalse();
        assertThat(hooked).hasValue(1);
        assertThat(order).containsExactly("dependent", "hook");
        assertThat(f.isCancelled()).isTrue();
    }

    @Test
    void aCancellationExceptionCountsAsCancelling() {
        CancelHookFuture<String> f = future();
        assertThat(f.completeExceptionally(new CancellationException("the caller gave up"))).isTrue();
        assertThat(f.cancel(false)).isTrue();
        assertThat(hooked).hasValue(1);
    }

    @Test
    void otherEndsRunNoHook() {
        CancelHookFuture<String> answered = future();
        answered.complete("ok");
        assertThat(answered.cancel(false)).isFalse();

        CancelHookFuture<String> failed = future();
        failed.completeExceptionally(new IllegalStateException("upstream down"));
        assertThat(failed.cancel(false)).isFalse();
        assertThat(failed.completeExceptionally(new CancellationException())).isFalse();

        CancelHookFuture<String> timedOut = future();
        timedOut.orTimeout(1, TimeUnit.MILLISECONDS);
        assertThat(timedOut).failsWithin(5, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(TimeoutException.class);
        assertThat(timedOut.cancel(false)).isFalse();

        assertThat(hooked).hasValue(0);
    }

    @Test
    void manyThreadsCancellingAtOnceRunItOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            CancelHookFuture<String> f = future();
            io.peregrine.testing.AtOnce.run(4, n -> {
                if (n % 2 == 0) {
                    f.cancel(false);
                } else {
                    f.completeExceptionally(new CancellationException());
                }
            });
        }
        assertThat(hooked).hasValue(200);
    }

    @Test
    void dependentsOfAHookedFutureAreOrdinaryFutures() {
        CancelHookFuture<String> f = future();
        CompletableFuture<Integer> length = f.thenApply(String::length);
        length.cancel(false);
        assertThat(hooked).hasValue(0);
        f.complete("four");
        assertThat(f).isCompletedWithValue("four");
    }
}
