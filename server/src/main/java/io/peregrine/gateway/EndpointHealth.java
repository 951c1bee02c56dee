package io.peregrine.gateway;

/**
 * What the gateway knows of one endpoint's health: the active checks' verdict (healthy until
 * {@code unhealthy-threshold} checks in a row failed, then unhealthy until
 * {@code healthy-threshold} in a row passed), the passive count of calls that failed in a row,
 * and its ejections. Times are {@link System#nanoTime} values. Checks are counted on the
 * client's I/O thread and calls on the gateway's workers; each counter is written under this
 * object's lock, read without it.
 */
final class EndpointHealth {

    private volatile boolean healthy = true;
    private int checksFailedInRow;
    private int checksPassedInRow;
    private volatile long checksPassed;
    private volatile long checksFailed;
    private int callsFailedInRow;
    private volatile int ejections;
    /** Until when it is ejected; meaningful while {@link #ejected} is set. */
    private volatile long ejectedUntil;
    private volatile boolean ejected;
    /** Since when it takes calls again (it connected, turned healthy, or its ejection ended), for slow start. */
    private volatile long since;

    EndpointHealth(long now) {
        this.since = now;
    }

    /** Healthy by the active checks. */
    boolean isHealthy() {
        return healthy;
    }

    /** Whether it is ejected at {@code now}. */
    boolean isEjected(long now) {
        return ejected && now - ejectedUntil < 0;
    }

    /** Takes calls as far as health goes: healthy and not ejected. */
    boolean isEligible(long now) {
        return healthy && !isEjected(now);
    }

    long ejectedUntil() {
        return ejectedUntil;
    }

    int ejections() {
        return ejections;
    }

    long checksPassed() {
        return checksPassed;
    }

    long checksFailed() {
        return checksFailed;
    }

    /** Since when it takes calls without a break. */
    long since() {
        long s = since;
        return ejected && ejectedUntil - s > 0 ? ejectedUntil : s;
    }

    /** It (re)connected and listed its catalog: it starts afresh. */
    synchronized void joined(long now) {
        since = now;
        healthy = true;
        checksFailedInRow = 0;
        checksPassedInRow = 0;
        callsFailedInRow = 0;
    }

    /**
     * A health check passed.
     *
     * @return true when this made it healthy again
     */
    synchronized boolean checkPassed(int healthyThreshold, long now) {
        checksPassed++;
        checksFailedInRow = 0;
        if (!healthy && ++checksPassedInRow >= healthyThreshold) {
            healthy = true;
            since = now;
            callsFailedInRow = 0;
            return true;
        }
        return false;
    }

    /**
     * A health check failed or went unanswered.
     *
     * @return true when this made it unhealthy
     */
    synchronized boolean checkFailed(int unhealthyThreshold) {
        checksFailed++;
        checksPassedInRow = 0;
        if (healthy && ++checksFailedInRow >= unhealthyThreshold) {
            healthy = false;
            return true;
        }
        return false;
    }

    /** A call answered: the run of failures ends. */
    synchronized void callSucceeded() {
        callsFailedInRow = 0;
    }

    /** A call failed; the length of the run of failures it makes. */
    synchronized int callFailed() {
        return ++callsFailedInRow;
    }

    /**
     * Ejects it from {@code now} for {@code base} times the number of its ejections, at most {@code max}.
     *
     * @return the length of this ejection, in nanoseconds
     */
    synchronized long eject(long now, long baseNanos, long maxNanos) {
        int n = ++ejections;
        long length = baseNanos > maxNanos / n ? maxNanos : Math.min(maxNanos, baseNanos * n);
        ejectedUntil = now + length;
        ejected = true;
        callsFailedInRow = 0;
        return length;
    }
}
