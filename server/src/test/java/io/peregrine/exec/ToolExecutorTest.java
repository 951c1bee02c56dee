package io.peregrine.exec;

import io.peregrine.testing.Await;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolExecutorTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void refusesAtOnceWhenFullAndAcceptsAgainWhenASlotFrees(boolean virtual) throws Exception {
        try (ToolExecutor executor = new ToolExecutor(2, virtual)) {
            assertThat(executor.usesVirtualThreads()).isEqualTo(virtual && Runtime.version().feature() >= 21);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(2);
            AtomicInteger ran = new AtomicInteger();
            Runnable blocker = () -> {
                started.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.incrementAndGet();
            };
            assertThat(executor.tryExecute(blocker)).isTrue();
            assertThat(executor.tryExecute(blocker)).isTrue();
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(executor.tryExecute(ran::incrementAndGet)).isFalse();
            release.countDown();
            // A platform pool takes a task only once one of its threads is back waiting for work.
            Await.until(() -> executor.tryExecute(ran::incrementAndGet), "a slot freed once the blockers ended");
            Await.until(() -> ran.get() == 3, "the blockers and the accepted task ran");
        }
    }

    @org.junit.jupiter.api.Test
    void idleThreadsTakeTheNextCallInsteadOfNewOnes() throws Exception {
        // A large bound must not mean a new thread per call until that many exist.
        try (ToolExecutor executor = new ToolExecutor(1_000, false)) {
            java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 100; i++) {
                CountDownLatch done = new CountDownLatch(1);
                Await.until(() -> executor.tryExecute(() -> {
                    threads.add(Thread.currentThread());
                    done.countDown();
                }), "a call accepted");
                assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            }
            // One thread would do; a few more when a call comes before the last thread is back.
            assertThat(threads).as("threads that ran 100 calls one after another").hasSizeLessThan(50);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void rejectsANonPositiveBound(int bound) {
        assertThatThrownBy(() -> new ToolExecutor(bound, false))
                .hasMessage("maxConcurrency : " + bound + " (expected: > 0)");
    }
}
