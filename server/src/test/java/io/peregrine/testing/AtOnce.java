package io.peregrine.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/** Races: runs a body on several threads released together, and returns once they are all done. */
public final class AtOnce {

    private AtOnce() {
    }

    /**
     * Runs {@code body} on {@code threads} threads, each given its number (0, 1, ...), all started
     * before any is let go; waits for them, 5 s at most each.
     */
    public static void run(int threads, IntConsumer body) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int n = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                body.accept(n);
            });
            th.start();
            started.add(th);
        }
        go.countDown();
        for (Thread th : started) {
            th.join(5_000);
        }
    }
}
