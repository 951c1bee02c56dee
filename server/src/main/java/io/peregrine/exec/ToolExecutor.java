package io.peregrine.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs blocking tool calls with a hard bound on how many run at once, and no queue: when the bound
 * is reached {@link #trySubmit} refuses at once, so overload becomes an immediate answer to the
 * client instead of a queue that grows.
 *
 * <p>On a JDK with virtual threads (21+) each call gets a virtual thread and a semaphore holds the
 * bound; otherwise a platform pool of exactly {@code maxConcurrency} threads hands tasks over a
 * {@link SynchronousQueue}, which accepts a task only when a thread is idle.
 *
 * <p><b>Stray calls.</b> A handler that ignores the interrupt (a blocked native read, a loop that
 * never looks at its flag) keeps its thread after its call has ended, and the JVM cannot take the
 * thread back. Counted against {@code maxConcurrency}, a handful of those would starve every other
 * call, so the call's owner declares it {@linkplain Slot#stray stray}: up to {@code maxStrayCalls}
 * stray calls give their slot back (their threads run on, beside the bound), and {@link
 * #strayCalls()} lists them for {@code /health?verbose} until they return. Beyond that bound a
 * stray call keeps its slot, so a server full of stuck handlers refuses new calls with an overload
 * error instead of growing threads without end.
 */
public final class ToolExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToolExecutor.class);

    /** Stray calls that give their slot back, unless said otherwise. */
    public static final int DEFAULT_MAX_STRAY_CALLS = 16;

    private static final ThreadLocal<Slot> CURRENT = new ThreadLocal<>();

    private final int maxConcurrency;
    private final int maxStrayCalls;
    private final ExecutorService executor;
    private final Semaphore permits;
    private final boolean virtual;
    private final LongAdder rejected = new LongAdder();
    private final Set<Slot> strays = ConcurrentHashMap.newKeySet();
    private final AtomicInteger straysHoldingNoSlot = new AtomicInteger();

    public ToolExecutor(int maxConcurrency, boolean preferVirtualThreads) {
        this(maxConcurrency, preferVirtualThreads, DEFAULT_MAX_STRAY_CALLS);
    }

    /**
     * @param maxStrayCalls how many calls that ended while their handler runs on may give their
     *                      slot back (see the class comment); 0 keeps every slot until its thread returns
     */
    public ToolExecutor(int maxConcurrency, boolean preferVirtualThreads, int maxStrayCalls) {
        if (maxConcurrency <= 0) {
            throw new IllegalArgumentException("maxConcurrency : " + maxConcurrency + " (expected: > 0)");
        }
        if (maxStrayCalls < 0) {
            throw new IllegalArgumentException("maxStrayCalls : " + maxStrayCalls + " (expected: >= 0)");
        }
        this.maxConcurrency = maxConcurrency;
        this.maxStrayCalls = maxStrayCalls;
        // The semaphore holds the bound in both modes; a platform pool has room for the strays beside it.
        this.permits = new Semaphore(maxConcurrency);
        ExecutorService virtualExecutor = preferVirtualThreads ? newVirtualThreadExecutor() : null;
        if (virtualExecutor != null) {
            this.executor = virtualExecutor;
            this.virtual = true;
        } else {
            int threads = maxConcurrency + maxStrayCalls;
            // No core threads: a pool below its core size starts a thread for every task even
            // while others idle, so a large maxConcurrency would mean a thread per call until that
            // many exist. With none, a task goes to an idle thread through the hand-off queue and
            // a thread is started only when none is idle; idle ones end after a minute.
            this.executor = new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), new NamedThreads("peregrine-tool"), new ThreadPoolExecutor.AbortPolicy());
            this.virtual = false;
        }
    }

    /** Whether calls run on virtual threads. */
    public boolean usesVirtualThreads() {
        return virtual;
    }

    public int maxConcurrency() {
        return maxConcurrency;
    }

    public int maxStrayCalls() {
        return maxStrayCalls;
    }

    /** Calls holding a slot now (read when metrics are scraped; not for decisions). */
    public int activeCount() {
        return maxConcurrency - permits.availablePermits();
    }

    /** The stray calls whose threads have not returned yet, oldest first. */
    public List<StrayCall> strayCalls() {
        long now = System.nanoTime();
        List<StrayCall> out = new ArrayList<>();
        for (Slot slot : strays) {
            out.add(new StrayCall(slot.what, slot.thread.getName(),
                    TimeUnit.NANOSECONDS.toMillis(now - slot.strayedAtNanos), slot.slotReturned));
        }
        out.sort((a, b) -> Long.compare(b.strayMillis(), a.strayMillis()));
        return out;
    }

    /** The slot of the task running on this thread, or null off the executor. */
    public static Slot currentSlot() {
        return CURRENT.get();
    }

    /** Calls refused since start because {@code maxConcurrency} were running or the executor had shut down. */
    public long rejectedCount() {
        return rejected.sum();
    }

    /**
     * Starts {@code task} on a thread of its own, or returns false when {@code maxConcurrency}
     * calls are already running. A task accepted here always runs: cancellation is the task's
     * business (it is interrupted, and checks its own flag), so a task never silently vanishes.
     */
    public boolean tryExecute(Runnable task) {
        if (!permits.tryAcquire()) {
            rejected.increment();
            return false;
        }
        Slot slot = new Slot();
        try {
            executor.execute(() -> {
                slot.thread = Thread.currentThread();
                CURRENT.set(slot);
                try {
                    task.run();
                } finally {
                    CURRENT.remove();
                    slot.returned();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            permits.release();
            rejected.increment();
            return false;
        }
    }

    /** One accepted task's claim on a slot of the bound. */
    public final class Slot {
        private static final int RUNNING = 0;
        private static final int STRAY = 1;
        private static final int DONE = 2;

        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private volatile Thread thread;
        private volatile String what;
        private volatile long strayedAtNanos;
        private volatile boolean slotReturned;

        private Slot() {
        }

        /**
         * The task's call has ended but its thread has not returned (it ignored the interrupt):
         * give the slot back if fewer than {@code maxStrayCalls} strays hold none, and list the
         * call in {@link #strayCalls()} until its thread returns. No effect once the task returned.
         *
         * @param what the call, for the health report (e.g. {@code tools/call hang id=7 on tcp})
         * @return whether the slot was given back
         */
        public boolean stray(String what) {
            this.what = what;
            this.strayedAtNanos = System.nanoTime();
            if (!state.compareAndSet(RUNNING, STRAY)) {
                return false;
            }
            strays.add(this);
            if (straysHoldingNoSlot.incrementAndGet() <= maxStrayCalls) {
                slotReturned = true;
                permits.release();
                log.warn("{} ended but its handler ignores the interrupt and still runs on {}; its slot is given back "
                        + "({} of exec.max-stray-calls {})", what, thread.getName(), straysHoldingNoSlot.get(), maxStrayCalls);
                return true;
            }
            straysHoldingNoSlot.decrementAndGet();
            log.warn("{} ended but its handler ignores the interrupt and still runs on {}; exec.max-stray-calls ({}) "
                    + "are already stray, so it keeps its slot", what, thread.getName(), maxStrayCalls);
            return false;
        }

        /**
         * The task's work is done and it only has to answer and return: the slot serves the next
         * call from now on, so that a client holding its answer never finds the slot still taken.
         * Call it from the task's own thread; idempotent.
         */
        public void done() {
            returned();
        }

        private void returned() {
            int was = state.getAndSet(DONE);
            if (was == DONE) {
                return;
            }
            if (was == STRAY) {
                strays.remove(this);
                if (slotReturned) {
                    straysHoldingNoSlot.decrementAndGet();
                    log.info("{} finally returned after being stray", what);
                    return;
                }
            }
            permits.release();
        }
    }

    /** A call that ended while its handler runs on, as {@code /health?verbose} shows it. */
    public static final class StrayCall {
        private final String call;
        private final String thread;
        private final long strayMillis;
        private final boolean slotReturned;

        StrayCall(String call, String thread, long strayMillis, boolean slotReturned) {
            this.call = call;
            this.thread = thread;
            this.strayMillis = strayMillis;
            this.slotReturned = slotReturned;
        }

        public String call() {
            return call;
        }

        public String thread() {
            return thread;
        }

        public long strayMillis() {
            return strayMillis;
        }

        /** False when {@code exec.max-stray-calls} were already stray, so this one still holds its slot. */
        public boolean slotReturned() {
            return slotReturned;
        }
    }

    /** Stops taking calls and waits up to {@code timeoutMillis} for running ones, then interrupts them. */
    public void shutdown(long timeoutMillis) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
                executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(5_000);
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} when the running JDK has it; looked up once, at start. */
    private static ExecutorService newVirtualThreadExecutor() {
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (Throwable t) {
            log.warn("virtual threads are unavailable; using a platform thread pool", t);
            return null;
        }
    }

    private static final class NamedThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-" + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
