package io.peregrine.mcp;

import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the core reads the time and sets the timers that tests would otherwise wait for: when a
 * 2026-07-28 request state expires, how long a task is kept and when it was made, and how long a
 * request to the client may wait for its answer. {@link #SYSTEM} serves; a test hands in a clock
 * that moves only when told to, so that expiry is a step of the test rather than a wait.
 *
 * <p>Timers run their task on the executor given (a connection's event loop), as
 * {@link ScheduledExecutorService#schedule} does; the system clock is exactly that call.
 */
public interface ServerClock {

    /** The system's clocks and the executor's own timers. */
    ServerClock SYSTEM = new ServerClock() {
        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public Future<?> schedule(ScheduledExecutorService executor, Runnable task, long delay, TimeUnit unit) {
            return executor.schedule(task, delay, unit);
        }

        @Override
        public String toString() {
            return "ServerClock.SYSTEM";
        }
    };

    /** Wall-clock time, in milliseconds since the epoch: what request states expire by. */
    long currentTimeMillis();

    /** A monotonic time in nanoseconds, for lifetimes (tasks); only differences mean anything. */
    long nanoTime();

    /** Now, as shown in task timestamps. */
    default Instant instant() {
        return Instant.ofEpochMilli(currentTimeMillis());
    }

    /** Runs {@code task} on {@code executor} after {@code delay}, unless the returned future is cancelled first. */
    Future<?> schedule(ScheduledExecutorService executor, Runnable task, long delay, TimeUnit unit);
}
