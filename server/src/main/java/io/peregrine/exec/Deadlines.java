package io.peregrine.exec;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines armed on an event loop, of which nearly all are cancelled long before they pass: a
 * request's timeout, a tool call's, a forwarded call's. An event loop's scheduled tasks cost a
 * task object and a priority-queue insertion and removal each, logarithmic in what is scheduled.
 * Here the deadlines an event loop arms with the same delay (the same {@code group}) pass in the
 * order they were armed, so they wait in a queue in that order, under one scheduled task for the
 * earliest: arming appends, cancelling marks, and the marked are dropped from the front as they
 * reach it, or all at once when they fill half the queue, which so stays within about twice the
 * deadlines still armed.
 *
 * <p>A deadline armed off its loop's thread, or out of order in its group, is scheduled on the
 * loop as usual. {@link Timer#cancel()} may be called from any thread; the task runs on the loop.
 */
public final class Deadlines {

    private static final Logger log = LoggerFactory.getLogger(Deadlines.class);

    /** Groups of deadlines per loop: few in practice (one per timeout setting). */
    private static final int MAX_GROUPS = 8;
    private static final int MIN_COMPACT = 64;

    private static final FastThreadLocal<Group[]> GROUPS = new FastThreadLocal<>() {
        @Override
        protected Group[] initialValue() {
            return new Group[MAX_GROUPS];
        }
    };

    private Deadlines() {
    }

    /** An armed deadline. */
    public interface Timer {
        /** Disarms it; its task will not run if it has not started. */
        void cancel();
    }

    /** Runs {@code task} on {@code loop} in {@code delayNanos}, unless cancelled first. */
    public static Timer arm(EventExecutor loop, Runnable task, long delayNanos) {
        return armAt(loop, task, System.nanoTime() + Math.max(0, delayNanos), delayNanos);
    }

    /**
     * Runs {@code task} on {@code loop} at {@code deadlineNanos} ({@link System#nanoTime()}),
     * unless cancelled first; {@code group} names deadlines that are armed in the order they pass
     * (those armed with the same delay, say).
     */
    public static Timer armAt(EventExecutor loop, Runnable task, long deadlineNanos, long group) {
        if (loop.inEventLoop()) {
            Group g = group(loop, group);
            if (g != null) {
                Entry e = g.add(task, deadlineNanos);
                if (e != null) {
                    return e;
                }
            }
        }
        ScheduledFuture<?> f = loop.schedule(task, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** How many deadlines of {@code group} wait in this loop's queue, cancelled ones included; call on the loop. */
    static int queued(EventExecutor loop, long group) {
        for (Group g : GROUPS.get()) {
            if (g != null && g.key == group && g.loop == loop) {
                return g.queue.size();
            }
        }
        return 0;
    }

    private static Group group(EventExecutor loop, long key) {
        Group[] groups = GROUPS.get();
        for (int i = 0; i < groups.length; i++) {
            Group g = groups[i];
            if (g == null || g.loop != loop && g.loop.isShuttingDown()) {
                // A free place, or one of a loop that ran on this thread before and is gone.
                g = new Group(loop, key);
                groups[i] = g;
                return g;
            }
            if (g.key == key && g.loop == loop) {
                return g;
            }
        }
        return null;
    }

    /** Armed, not yet passed: cancelled ones wait in their queue until dropped. */
    private static final class Entry implements Timer {
        final Group group;
        final long deadline;
        final Runnable task;
        volatile boolean cancelled;

        Entry(Group group, Runnable task, long deadline) {
            this.group = group;
            this.task = task;
            this.deadline = deadline;
        }

        @Override
        public void cancel() {
            cancelled = true;
            if (group.loop.inEventLoop()) {
                group.dropCancelled();
            }
        }
    }

    /** One loop's deadlines of one group, in the order they pass; used on the loop's thread only. */
    private static final class Group implements Runnable {
        final EventExecutor loop;
        final long key;
        final ArrayDeque<Entry> queue = new ArrayDeque<>();
        int compactAt = MIN_COMPACT;
        /** Whether a tick is scheduled (for the front's deadline or earlier). */
        boolean ticking;

        Group(EventExecutor loop, long key) {
            this.loop = loop;
            this.key = key;
        }

        Entry add(Runnable task, long deadline) {
            Entry last = queue.peekLast();
            if (last != null && deadline - last.deadline < 0) {
                return null; // out of order: scheduled as usual
            }
            if (queue.size() >= compactAt) {
                queue.removeIf(e -> e.cancelled);
                compactAt = Math.max(MIN_COMPACT, queue.size() * 2);
            }
            Entry e = new Entry(this, task, deadline);
            queue.addLast(e);
            if (!ticking) {
                tickAt(deadline);
            }
            return e;
        }

        void dropCancelled() {
            Entry first;
            while ((first = queue.peekFirst()) != null && first.cancelled) {
                queue.pollFirst();
            }
        }

        private void tickAt(long deadline) {
            try {
                loop.schedule(this, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ticking = true;
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                ticking = false; // the loop is shutting down: nothing runs on it any more
            }
        }

        /** Runs what has passed, then waits for the next (unless a task armed one and so the tick). */
        @Override
        public void run() {
            ticking = false;
            long now = System.nanoTime();
            Entry first;
            while ((first = queue.peekFirst()) != null) {
                if (first.cancelled) {
                    queue.pollFirst();
                    continue;
                }
                if (first.deadline - now > 0) {
                    if (!ticking) {
                        tickAt(first.deadline);
                    }
                    return;
                }
                queue.pollFirst();
                try {
                    first.task.run();
                } catch (RuntimeException | Error e) {
                    log.warn("a deadline's task failed", e);
                }
            }
        }
    }
}
