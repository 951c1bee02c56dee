package io.peregrine.gateway;

import io.peregrine.client.PeregrineClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Active health checks that speak MCP: every {@code health.interval} each connected endpoint is
 * sent {@code ping} (2025 revisions) or {@code server/discover} (2026-07-28, which has no ping)
 * on the link calls use, so a check passes only when the server itself answers, not merely its
 * socket. No answer within {@code health.timeout} fails the check (and the request is cancelled);
 * thresholds of failures and passes in a row turn an endpoint unhealthy and back. Checks are
 * asynchronous: the timer thread only sends them, the answers are counted on the client's I/O
 * thread, and an endpoint whose check is still out is not sent another.
 */
final class HealthChecks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    private final Upstream upstream;
    private final ScheduledExecutorService timer;
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<Replica, Boolean> outstanding = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile ScheduledFuture<?> task;

    HealthChecks(Upstream upstream, ScheduledExecutorService timer) {
        this.upstream = upstream;
        this.timer = timer;
    }

    /** Starts checking the endpoints {@code endpoints} gives at every interval; nothing when the interval is zero. */
    void start(Supplier<List<Replica>> endpoints) {
        long interval = upstream.spec().healthInterval().toMillis();
        if (interval <= 0 || task != null) {
            return;
        }
        try {
            task = timer.scheduleWithFixedDelay(() -> {
                for (Replica r : endpoints.get()) {
                    check(r);
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // The gateway is closing.
        }
    }

    private void check(Replica r) {
        PeregrineClient c = r.client();
        if (c == null || !r.isReady() || outstanding.putIfAbsent(r, Boolean.TRUE) != null) {
            return;
        }
        UpstreamSpec spec = upstream.spec();
        String method = c.negotiatedVersion() != null && c.negotiatedVersion().compareTo("2026") > 0 ? "server/discover" : "ping";
        CompletableFuture<Map<String, Object>> answer;
        try {
            answer = c.request(method, null);
        } catch (RuntimeException e) {
            outstanding.remove(r);
            failed(r, method, e.toString());
            return;
        }
        ScheduledFuture<?> timeout = timer.schedule(() -> answer.cancel(true), spec.healthTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        answer.whenComplete((result, error) -> {
            timeout.cancel(false);
            outstanding.remove(r);
            if (error == null) {
                passed.incrementAndGet();
                if (r.health().checkPassed(spec.healthyThreshold(), System.nanoTime())) {
                    log.info("upstream {}: {} is healthy again ({} checks passed in a row)", upstream.name(), r.target(),
                            spec.healthyThreshold());
                }
            } else {
                failed(r, method, error instanceof java.util.concurrent.CancellationException
                        ? "no answer within " + spec.healthTimeout().toMillis() + " ms" : error.getMessage());
            }
        });
    }

    private void failed(Replica r, String method, String why) {
        failed.incrementAndGet();
        UpstreamSpec spec = upstream.spec();
        if (r.health().checkFailed(spec.unhealthyThreshold())) {
            log.warn("upstream {}: {} is unhealthy: {} failed {} times in a row (the last: {}); it takes no calls until it "
                    + "passes {} in a row", upstream.name(), r.target(), method, spec.unhealthyThreshold(), why,
                    spec.healthyThreshold());
        }
    }

    long passed() {
        return passed.get();
    }

    long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
