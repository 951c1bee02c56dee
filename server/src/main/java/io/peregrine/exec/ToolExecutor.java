package io.peregrine.exec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 */
public final class ToolExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ToolExecutor.class);

    private final int maxConcurrency;
    private final ExecutorService executor;
    private final Semaphore permits;
    private final boolean virtual;
    private final LongAdder rejected = new LongAdder();

    public ToolExecutor(int maxConcurrency, boolean preferVirtualThreads) {
        if (maxConcurrency <= 0) {
            throw new IllegalArgumentException("maxConcurrency : " + maxConcurrency + " (expected: > 0)");
        }
        this.maxConcurrency = maxConcurrency;
        ExecutorService virtualExecutor = preferVirtualThreads ? newVirtualThreadExecutor() : null;
        if (virtualExecutor != null) {
            this.executor = virtualExecutor;
            this.permits = new Semaphore(maxConcurrency);
            this.virtual = true;
        } else {
            this.executor = new ThreadPoolExecutor(maxConcurrency, maxConcurrency, 60, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), new NamedThreads("peregrine-tool"), new ThreadPoolExecutor.AbortPolicy());
            ((ThreadPoolExecutor) executor).allowCoreThreadTimeOut(true);
            this.permits = null;
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

    /** Calls running now (read when metrics are scraped; not for decisions). */
    public int activeCount() {
        return permits != null ? maxConcurrency - permits.availablePermits()
                : ((ThreadPoolExecutor) executor).getActiveCount();
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
        if (permits != null) {
            if (!permits.tryAcquire()) {
                rejected.increment();
                return false;
            }
            try {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        permits.release();
                    }
                });
                return true;
            } catch (RejectedExecutionException e) {
                permits.release();
                rejected.increment();
                return false;
            }
        }
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            rejected.increment();
            return false;
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
