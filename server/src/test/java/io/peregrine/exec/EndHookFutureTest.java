package io.peregrine.exec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The hook runs once when the future ends, whichever way, after the dependents, and is told how. */
class EndHookFutureTest {

    private final List<String> ends = Collections.synchronizedList(new ArrayList<>());

    private EndHookFuture<String> future() {
        return new EndHookFuture<>() {
            @Override
            protected void ended(String value, Throwable failure) {
                ends.add(failure == null ? "value " + value : failure.getClass().getSimpleName() + " " + failure.getMessage());
            }
        };
    }

    @Test
    void aResultRunsTheHookOnceAfterTheDependents() {
        EndHookFuture<String> f = future();
        f.whenComplete((v, e) -> ends.add("dependent"));
        assertThat(f.complete("ok")).isTrue();
        assertThat(f.complete("again")).isFalse();
        assertThat(f.completeExceptionally(new IllegalStateException("late"))).isFalse();
        assertThat(f.cancel(false)).isFalse();
        assertThat(ends).containsExactly("dependent", "value ok");
    }

    @Test
    void aFailureIsToldAsItIs() {
        EndHookFuture<String> f = future();
        f.completeExceptionally(new IllegalStateException("upstream down"));
        assertThat(ends).containsExactly("IllegalStateException upstream down");
    }

    @Test
    void cancellingTellsTheCancellationTheFutureHolds() {
        EndHookFuture<String> f = future();
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.cancel(true)).isTrue(); // already cancelled: true again, as CompletableFuture says
        assertThat(ends).hasSize(1);
        assertThat(ends.get(0)).startsWith("CancellationException");
        assertThat(f.isCancelled()).isTrue();
    }

    @Test
    void timeoutsEndItToo() throws Exception {
        // The timer's thread ends these, and runs the hook after waking the dependents: wait for the hooks.
        CountDownLatch hooked = new CountDownLatch(2);
        List<String> told = Collections.synchronizedList(new ArrayList<>());
        EndHookFuture<String> timedOut = new EndHookFuture<>() {
            @Override
            protected void ended(String value, Throwable failure) {
                told.add(failure.getClass().getSimpleName());
                hooked.countDown();
            }
        };
        EndHookFuture<String> defaulted = new EndHookFuture<>() {
            @Override
            protected void ended(String value, Throwable failure) {
                told.add("value " + value);
                hooked.countDown();
            }
        };
        timedOut.orTimeout(1, TimeUnit.MILLISECONDS);
        defaulted.completeOnTimeout("default", 1, TimeUnit.MILLISECONDS);
        assertThat(hooked.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(told).containsExactlyInAnyOrder("TimeoutException", "value default");
        assertThat(timedOut).isCompletedExceptionally();
        assertThat(defaulted).isCompletedWithValue("default");
    }

    @Test
    void manyThreadsEndingAtOnceRunItOnce() throws Exception {
        AtomicInteger hooked = new AtomicInteger();
        for (int round = 0; round < 200; round++) {
            EndHookFuture<String> f = new EndHookFuture<>() {
                @Override
                protected void ended(String value, Throwable failure) {
                    hooked.incrementAndGet();
                }
            };
            io.peregrine.testing.AtOnce.run(4, n -> {
                switch (n) {
                    case 0 -> f.cancel(false);
                    case 1 -> f.completeExceptionally(new CancellationException());
                    case 2 -> f.complete("first");
                    default -> f.cancel(true);
                }
            });
        }
        assertThat(hooked).hasValue(200);
    }

    @Test
    void theListenerIsToldAfterTheDependentsAndTheHook() {
        EndHookFuture<String> f = future();
        f.whenComplete((v, e) -> ends.add("dependent"));
        assertThat(f.listen((v, e) -> ends.add("listener " + v))).isTrue();
        assertThat(f.listen((v, e) -> ends.add("second"))).isFalse(); // room for one
        f.complete("ok");
        assertThat(ends).containsExactly("dependent", "value ok", "listener ok");
    }

    @Test
    void aListenerOfAnEndedFutureIsToldAtOnce() {
        EndHookFuture<String> answered = new EndHookFuture<>();
        answered.complete("ok");
        EndHookFuture<String> failed = new EndHookFuture<>();
        failed.completeExceptionally(new IllegalStateException("upstream down"));
        EndHookFuture<String> cancelled = new EndHookFuture<>();
        cancelled.cancel(false);
        List<Object> told = new ArrayList<>();
        assertThat(answered.listen((v, e) -> told.add(v))).isTrue();
        assertThat(failed.listen((v, e) -> told.add(e.getMessage()))).isTrue();
        assertThat(cancelled.listen((v, e) -> told.add(e.getClass()))).isTrue();
        assertThat(told).containsExactly("ok", "upstream down", CancellationException.class);
    }

    @Test
    void whenEndedTakesTheListenersPlaceOrFallsBackToADependent() {
        List<String> told = new ArrayList<>();
        EndHookFuture<String> hooked = new EndHookFuture<>();
        EndHookFuture.whenEnded(hooked, (v, e) -> told.add("first " + v));
        EndHookFuture.whenEnded(hooked, (v, e) -> told.add("second " + v)); // a dependent stage instead
        java.util.concurrent.CompletableFuture<String> plain = new java.util.concurrent.CompletableFuture<>();
        EndHookFuture.whenEnded(plain, (v, e) -> told.add("plain " + v));
        hooked.complete("a");
        plain.complete("b");
        assertThat(told).containsExactly("second a", "first a", "plain b");
    }

    @Test
    void aThrowingListenerDoesNotThrowAtWhoeverEndsTheFuture() {
        EndHookFuture<String> f = new EndHookFuture<>();
        f.listen((v, e) -> {
            throw new IllegalStateException("a broken listener");
        });
        assertThat(f.complete("ok")).isTrue();
        assertThat(f).isCompletedWithValue("ok");
    }

    @Test
    void aListenerAddedAsTheFutureEndsIsToldOnce() throws Exception {
        AtomicInteger told = new AtomicInteger();
        for (int round = 0; round < 2_000; round++) {
            EndHookFuture<String> f = new EndHookFuture<>();
            CountDownLatch go = new CountDownLatch(1);
            Thread ender = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                f.complete("done");
            });
            ender.start();
            go.countDown();
            f.listen((v, e) -> {
                assertThat(v).isEqualTo("done");
                told.incrementAndGet();
            });
            ender.join(5_000);
        }
        assertThat(told).hasValue(2_000);
    }
}
