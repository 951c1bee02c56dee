package io.peregrine.exec;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deadlines queued per loop and delay: when they run, in what order, and what cancelling leaves behind. */
class DeadlinesTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> work) throws Exception {
        return loop.submit(work).get(10, TimeUnit.SECONDS);
    }

    @Test
    void deadlinesRunInOrderAndNeverEarly() throws Exception {
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<Long> late = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(20);
        onLoop(() -> {
            for (int i = 0; i < 20; i++) {
                int n = i;
                long due = System.nanoTime() + 30 * MS;
                Deadlines.arm(loop, () -> {
                    late.add(System.nanoTime() - due);
                    ran.add(n);
                    done.countDown();
                }, 30 * MS);
            }
            return null;
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, ran);
        assertTrue(late.stream().allMatch(ns -> ns >= 0), "a deadline ran before it passed: " + late);
    }

    @Test
    void aCancelledDeadlineNeverRunsWhicheverThreadCancelsIt() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch last = new CountDownLatch(1);
        List<Deadlines.Timer> timers = onLoop(() -> {
            List<Deadlines.Timer> t = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                t.add(Deadlines.arm(loop, ran::incrementAndGet, 40 * MS));
            }
            t.get(0).cancel(); // on the loop
            return t;
        });
        for (int i = 1; i < 10; i += 2) {
            timers.get(i).cancel(); // off the loop
        }
        onLoop(() -> Deadlines.arm(loop, last::countDown, 40 * MS));
        assertTrue(last.await(10, TimeUnit.SECONDS));
        assertEquals(4, ran.get()); // 2, 4, 6, 8
    }

    @Test
    void anEarlierDeadlineInTheGroupAndOneArmedOffTheLoopStillRunOnTime() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch both = new CountDownLatch(3);
        long group = 12345;
        onLoop(() -> {
            long now = System.nanoTime();
            Deadlines.armAt(loop, () -> {
                ran.add("late");
                both.countDown();
            }, now + 300 * MS, group);
            Deadlines.armAt(loop, () -> {
                ran.add("early");
                both.countDown();
            }, now + 20 * MS, group);
            return null;
        });
        Deadlines.arm(loop, () -> {
            assertTrue(loop.inEventLoop());
            ran.add("off");
            both.countDown();
        }, 100 * MS);
        assertTrue(both.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("early", "off", "late"), ran);
    }

    @Test
    void aTaskMayArmTheNextDeadlineOfItsGroup() throws Exception {
        CountDownLatch chain = new CountDownLatch(5);
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            chain.countDown();
            if (chain.getCount() > 0) {
                Deadlines.arm(loop, step[0], 5 * MS);
            }
        };
        onLoop(() -> Deadlines.arm(loop, step[0], 5 * MS));
        assertTrue(chain.await(10, TimeUnit.SECONDS));
    }

    @Test
    void cancelledDeadlinesDoNotPileUp() throws Exception {
        long delay = TimeUnit.HOURS.toNanos(1);
        // Cancelled in the order they were armed, on the loop: each leaves at once.
        int left = onLoop(() -> {
            for (int i = 0; i < 10_000; i++) {
                Deadlines.arm(loop, () -> { }, delay).cancel();
            }
            return Deadlines.queued(loop, delay);
        });
        assertEquals(0, left);
        // One that stays armed at the front, the rest cancelled off the loop: compacted as more come.
        Deadlines.Timer first = onLoop(() -> Deadlines.arm(loop, () -> { }, delay));
        for (int round = 0; round < 100; round++) {
            List<Deadlines.Timer> batch = onLoop(() -> {
                List<Deadlines.Timer> t = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    t.add(Deadlines.arm(loop, () -> { }, delay));
                }
                return t;
            });
            batch.forEach(Deadlines.Timer::cancel);
        }
        int queued = onLoop(() -> Deadlines.queued(loop, delay));
        assertTrue(queued <= 2 * 100 + 64 + 100, "10,001 armed, 10,000 cancelled, and " + queued + " still queued");
        first.cancel();
    }
}
