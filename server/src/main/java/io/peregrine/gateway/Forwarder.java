package io.peregrine.gateway;

import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.tool.ToolContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends the requests of one upstream: through its bulkhead, to an endpoint {@link Endpoints}
 * chooses, within the call's deadline, past open circuit breakers, retrying what is safe.
 *
 * <p>The life of a call: the tool's breaker must let it through (else it fails at once with
 * {@code data.retryAfterMs}); the deadline is the shorter of the caller's own
 * ({@link Forward#timeoutMillis()}) and the upstream's call-timeout, and what remains of it goes
 * to the upstream in {@code _meta["io.peregrine/timeoutMs"]}. Each attempt goes to an endpoint
 * whose breaker lets it through, one not tried yet when there is one. An idempotent request
 * whose attempt failed for the upstream's health (lost link, timeout, internal error) is sent
 * again after an exponential backoff with full jitter, up to {@code retry.max-attempts} and
 * within the retry budget; any other request only when it provably never left
 * ({@link Endpoints.Outcome#NOT_SENT}), so nothing the upstream may have acted on runs twice.
 * With hedging on, an idempotent attempt that has not answered after the hedging delay gets a
 * twin on another endpoint; the first answer wins and the other is cancelled.
 *
 * <p>Every failure a caller meets is a JSON-RPC error that names the upstream:
 * {@link JsonRpcError#UPSTREAM_UNAVAILABLE} when no endpoint is reachable, a breaker is open or
 * the link broke, {@link JsonRpcError#UPSTREAM_TIMEOUT} when the deadline passed (the upstream
 * is told to cancel), {@link JsonRpcError#SERVER_OVERLOADED} when the bulkhead stayed full; an
 * error the upstream answered is passed on as it came. Each attempt's outcome is reported to the
 * endpoints and to the breakers.
 *
 * <p>No thread waits for any of it: a call is a {@link CompletableFuture} driven by the link's
 * answers and by timers on the gateway's scheduler (the deadline, the hedging delay, the backoff,
 * the wait for a place in the bulkhead), so the calls in flight cost memory, not threads.
 */
final class Forwarder {

    private final Upstream upstream;
    private final Endpoints endpoints;
    private final Bulkhead bulkhead;
    /** Deadlines, hedges, backoffs and bulkhead waits; cancelled tasks leave its queue at once. */
    private final ScheduledExecutorService timer;
    private final ResilienceSpec resilience;
    private final Breakers breakers;
    private final RetryBudget budget;
    private final Latencies latencies = new Latencies();
    /** The group of the calls' deadlines on each I/O loop. */
    private final long callTimeoutNanos;
    private volatile ResilienceEvents events = ResilienceEvents.NONE;
    private volatile io.opentelemetry.api.trace.Tracer tracer;
    /** W3C trace context and baggage, as MCP carries them in {@code _meta}. */
    private static final io.opentelemetry.context.propagation.TextMapPropagator CONTEXT_IN_META =
            io.opentelemetry.context.propagation.TextMapPropagator.composite(
                    io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance(),
                    io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator.getInstance());

    Forwarder(Upstream upstream, Endpoints endpoints, ScheduledExecutorService timer) {
        this.upstream = upstream;
        this.endpoints = endpoints;
        this.timer = timer;
        this.bulkhead = new Bulkhead(upstream.spec().maxInFlight());
        this.callTimeoutNanos = upstream.spec().callTimeout().toNanos();
        this.resilience = upstream.spec().resilience();
        this.breakers = new Breakers(upstream.name(), resilience, () -> events);
        this.budget = new RetryBudget(resilience.budgetPercent(), resilience.budgetMinPerSecond(),
                resilience.budgetWindow(), System::nanoTime);
    }

    /**
     * Runs {@code task} in {@code nanos}: on the gateway's I/O loop that calls this when there is
     * one (a forwarded call's deadline is armed and, once answered, cancelled on the same loop,
     * waking no thread), else on the gateway's timer.
     */
    private ScheduledFuture<?> schedule(Runnable task, long nanos) {
        List<io.netty.channel.EventLoop> loops = upstream.servingLoops();
        for (int i = 0; i < loops.size(); i++) { // indexed: no iterator per call
            io.netty.channel.EventLoop loop = loops.get(i);
            if (loop.inEventLoop()) {
                try {
                    return loop.schedule(task, nanos, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    break; // the server's loops are shutting down: the gateway's timer still runs
                }
            }
        }
        return timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Arms a call's deadline, at {@code deadline} ({@link System#nanoTime()}): where
     * {@link #schedule} would run it, among the deadlines of calls that started before it on the
     * same I/O loop, which pass in the same order ({@link io.peregrine.exec.Deadlines}).
     */
    private io.peregrine.exec.Deadlines.Timer armDeadline(Runnable task, long deadline) {
        for (io.netty.channel.EventLoop loop : upstream.servingLoops()) {
            if (loop.inEventLoop()) {
                try {
                    return io.peregrine.exec.Deadlines.armAt(loop, task, deadline, callTimeoutNanos);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    break; // the server's loops are shutting down: the gateway's timer still runs
                }
            }
        }
        ScheduledFuture<?> f = timer.schedule(task, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    void events(ResilienceEvents events) {
        this.events = events;
    }

    /** Opens a CLIENT span for each attempt from now on (null: none), a child of the span current where it is sent. */
    void tracer(io.opentelemetry.api.trace.Tracer tracer) {
        this.tracer = tracer;
    }

    ResilienceEvents events() {
        return events;
    }

    Breakers breakers() {
        return breakers;
    }

    /**
     * Sends {@code request} and waits for its answer, blocking the calling (worker) thread; an
     * interrupt cancels the call, upstream too.
     */
    <T> T forward(Forward<T> request) throws Exception {
        CompletableFuture<T> answer = forwardAsync(request);
        try {
            return answer.get();
        } catch (InterruptedException e) {
            answer.cancel(false);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : e;
        }
    }

    /**
     * Sends {@code request}, holding no thread while it waits: the future completes with the
     * answer, or with the {@link RpcException} a caller meets (see the class). Cancelling it
     * cancels the call, upstream too.
     */
    <T> CompletableFuture<T> forwardAsync(Forward<T> request) {
        long start = System.nanoTime();
        long allowed = budgetMillis(request);
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(allowed);
        Breakers.Breaker toolBreaker = breakers.tool(request.tool());
        if (toolBreaker != null && !toolBreaker.tryAcquire()) {
            events.breakerRejected(upstream.name(), "tool");
            return CompletableFuture.failedFuture(open(request, toolBreaker));
        }
        Call<T> call = new Call<>(request, start, deadline, allowed, toolBreaker);
        if (bulkhead.tryEnter()) {
            call.entered();
        } else {
            long wait = Math.min(upstream.spec().maxInFlightWait().toNanos(), Math.max(0, deadline - start));
            bulkhead.enter(wait).thenAccept(placed -> {
                if (placed) {
                    call.entered();
                } else {
                    call.finish(null, overloaded(request.what()));
                }
            });
        }
        return call.result;
    }

    /**
     * One forwarded call, from its place in the bulkhead to its end: the attempts of each round
     * (one, and its hedge), the backoff between rounds, the deadline. Its state changes under its
     * lock; sending, cancelling and answering happen outside it.
     */
    private final class Call<T> {
        final Forward<T> request;
        final long start;
        final long deadline;
        final long allowed;
        final Breakers.Breaker toolBreaker;
        /** Cancelling it cancels the call, upstream too. */
        final CompletableFuture<T> result = new io.peregrine.exec.CancelHookFuture<>() {
            @Override
            protected void cancelled() {
                cancelledByCaller();
            }
        };
        /** Guarded by this. */
        final List<Replica> tried = new ArrayList<>(2);
        final List<Sent<T>> live = new ArrayList<>(2);
        int rounds;
        Failure last;
        boolean holding;
        boolean ended;
        io.peregrine.exec.Deadlines.Timer deadlineTimer;
        ScheduledFuture<?> hedgeTimer;
        ScheduledFuture<?> retryTimer;

        Call(Forward<T> request, long start, long deadline, long allowed, Breakers.Breaker toolBreaker) {
            this.request = request;
            this.start = start;
            this.deadline = deadline;
            this.allowed = allowed;
            this.toolBreaker = toolBreaker;
        }

        /** A place in the bulkhead is the call's: the deadline starts, and the first round. */
        void entered() {
            boolean placed;
            synchronized (this) {
                placed = !ended;
                if (placed) {
                    holding = true;
                    deadlineTimer = armDeadline(this::expire, deadline);
                }
            }
            if (!placed) {
                bulkhead.exit(); // cancelled while it waited for the place
                return;
            }
            budget.call();
            round();
        }

        /** Sends the next round's attempt, or ends the call when no endpoint takes it. */
        void round() {
            List<Replica> avoid;
            synchronized (this) {
                if (ended) {
                    return;
                }
                avoid = tried.isEmpty() ? List.of() : new ArrayList<>(tried);
            }
            Replica replica = choose(request, avoid);
            Exception none = null;
            boolean hedging = false;
            synchronized (this) {
                if (ended) {
                    releaseBreaker(replica);
                    return;
                }
                if (replica == null) {
                    none = last != null ? last.error : noEndpoint(request);
                } else {
                    rounds++;
                    tried.add(replica);
                    long hedgeAt = hedgeAt(request);
                    if (hedgeAt > 0) {
                        hedging = true;
                        hedgeTimer = schedule(this::hedge, Math.max(0, hedgeAt - System.nanoTime()));
                    }
                }
            }
            if (none != null) {
                finish(null, none);
                return;
            }
            send(replica);
        }

        /**
         * Sends an attempt to {@code replica}; should the call have ended meanwhile, cancels it at
         * once. An attempt that ended before it was counted live (refused as it was sent) is settled
         * here: {@link #settled} acts once per attempt, whoever calls it first.
         */
        private void send(Replica replica) {
            Sent<T> s = new Sent<>(request, replica, deadline, this::settled);
            boolean kept;
            synchronized (this) {
                kept = !ended;
                if (kept) {
                    live.add(s);
                }
            }
            if (!kept) {
                s.attempt.cancel("the gateway's call ended");
            } else if (s.isDone()) {
                settled(s);
            }
        }

        /** The twin of the round's attempt, on another endpoint, when one is ready and the budget allows. */
        void hedge() {
            List<Replica> avoid;
            synchronized (this) {
                if (ended || live.isEmpty()) {
                    return;
                }
                avoid = new ArrayList<>(tried);
            }
            Replica other = choose(request, avoid);
            if (other == null) {
                return;
            }
            if (avoid.contains(other) || !budget.tryRetry()) {
                if (!avoid.contains(other)) {
                    events.budgetExhausted(upstream.name());
                }
                releaseBreaker(other);
                return;
            }
            synchronized (this) {
                if (ended || live.isEmpty()) {
                    releaseBreaker(other);
                    return;
                }
                tried.add(other);
            }
            events.hedged(upstream.name(), request.method());
            send(other);
        }

        /** An attempt ended (after its endpoint and breakers heard of it). */
        void settled(Sent<T> s) {
            List<Sent<T>> others = null;
            Failure failed = null;
            synchronized (this) {
                if (!live.remove(s) || ended) {
                    return; // sent after the end, or the call already ended by the deadline or its caller
                }
                if (s.succeeded()) {
                    others = live.isEmpty() ? List.of() : new ArrayList<>(live);
                    live.clear();
                } else {
                    failed = failureOf(s);
                    last = failed;
                    if (!live.isEmpty()) {
                        return; // its twin may still answer
                    }
                    if (hedgeTimer != null) {
                        hedgeTimer.cancel(false);
                    }
                }
            }
            if (others != null) {
                for (Sent<T> other : others) {
                    other.attempt.cancel("another attempt answered first");
                }
                finish(s.value, null);
                return;
            }
            retryOrFail(failed);
        }

        /** After a round whose attempts all failed: another round after a backoff, or the end. */
        private void retryOrFail(Failure failed) {
            int n;
            synchronized (this) {
                n = rounds;
            }
            if (!retryable(request, failed, n, deadline)) {
                finish(null, n > 1 && failed.error instanceof UpstreamFailure
                        ? exhausted(request, (UpstreamFailure) failed.error, n) : failed.error);
                return;
            }
            long pause = backoffNanos(n);
            if (System.nanoTime() + pause >= deadline) {
                finish(null, failed.error);
                return;
            }
            if (!budget.tryRetry()) {
                events.budgetExhausted(upstream.name());
                finish(null, failed.error);
                return;
            }
            synchronized (this) {
                if (ended) {
                    return;
                }
                retryTimer = schedule(() -> {
                    events.retried(upstream.name(), request.method());
                    round();
                }, pause);
            }
        }

        /** The deadline passed: every attempt is told to cancel, and counts as timed out. */
        void expire() {
            List<Sent<T>> gone;
            int n;
            synchronized (this) {
                if (ended) {
                    return;
                }
                gone = new ArrayList<>(live);
                live.clear();
                n = rounds;
            }
            for (Sent<T> s : gone) {
                s.timedOut = true;
                s.attempt.cancel("the deadline passed");
            }
            UpstreamFailure timeout = timeout(request, allowed);
            finish(null, n > 1 ? exhausted(request, timeout, n) : timeout);
        }

        /** The caller cancelled (the gateway's client, or its own deadline): the upstream stops too. */
        void cancelledByCaller() {
            List<Sent<T>> gone;
            synchronized (this) {
                if (ended) {
                    return;
                }
                gone = new ArrayList<>(live);
                live.clear();
            }
            for (Sent<T> s : gone) {
                s.attempt.cancel("cancelled by the gateway's client");
            }
            finish(null, null);
        }

        /**
         * Ends the call once: the timers stop, the bulkhead place and the tool breaker's permission
         * are given back (the breaker told how it went), and the caller gets {@code value} or
         * {@code error} (neither when it cancelled).
         */
        void finish(T value, Exception error) {
            boolean held;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                held = holding;
                holding = false;
                if (deadlineTimer != null) {
                    deadlineTimer.cancel();
                }
                for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {hedgeTimer, retryTimer}) {
                    if (t != null) {
                        t.cancel(false);
                    }
                }
            }
            if (held) {
                bulkhead.exit();
            }
            judge(error);
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(error);
            }
        }

        /**
         * Tells the tool's breaker how the call went. Only attempts that reached an endpoint judge
         * the tool: no endpoint ready is the endpoints' health, and a tool breaker opened by it
         * would refuse calls once they return. An error the upstream chose to answer is healthy.
         */
        private void judge(Exception error) {
            if (toolBreaker == null) {
                return;
            }
            long nanos = System.nanoTime() - start;
            if (result.isCancelled()) {
                toolBreaker.release();
            } else if (error == null) {
                toolBreaker.success(nanos);
            } else if (error instanceof UpstreamFailure) {
                UpstreamFailure f = (UpstreamFailure) error;
                if (f.reason() == UpstreamFailure.Reason.TIMEOUT || f.reason() == UpstreamFailure.Reason.FAILED) {
                    toolBreaker.failure(nanos, f);
                } else {
                    toolBreaker.release();
                }
            } else if (error instanceof RpcException) {
                toolBreaker.success(nanos);
            } else {
                toolBreaker.release();
            }
        }

        /** Why a failed attempt failed, for the caller and for health. */
        private Failure failureOf(Sent<T> s) {
            Throwable cause = unwrap(s.failure);
            Endpoints.Outcome outcome = s.timedOut ? Endpoints.Outcome.TIMEOUT
                    : cause instanceof CancellationException ? Endpoints.Outcome.LOST : outcome(cause);
            if (outcome == Endpoints.Outcome.TIMEOUT) {
                return new Failure(timeout(request, allowed), outcome);
            }
            if (cause instanceof CancellationException) {
                return new Failure(new UpstreamFailure(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream "
                        + upstream.name() + ": " + request.what() + " was cancelled", data(request),
                        UpstreamFailure.Reason.FAILED), outcome);
            }
            return new Failure(translate(cause, request, allowed), outcome);
        }
    }

    /** Gives back the breaker permission {@link #choose} took for {@code replica}, should the attempt not be sent. */
    private void releaseBreaker(Replica replica) {
        if (replica != null) {
            Breakers.Breaker b = breakers.endpoint(replica.target());
            if (b != null) {
                b.release();
            }
        }
    }

    /**
     * The call's time: the upstream's call-timeout, or less when the caller's own deadline is
     * shorter. A caller's deadline keeps a small margin so that this side's timeout error, which
     * names the upstream, is the one the caller gets.
     */
    private long budgetMillis(Forward<?> request) {
        long timeout = upstream.spec().callTimeout().toMillis();
        long caller = request.timeoutMillis();
        if (caller < Long.MAX_VALUE) {
            caller -= Math.min(50, caller / 10);
            timeout = Math.min(timeout, Math.max(1, caller));
        }
        return timeout;
    }

    private boolean retryable(Forward<?> request, Failure f, int n, long deadline) {
        if (n >= resilience.maxAttempts() || f.outcome == Endpoints.Outcome.OK || f.outcome == Endpoints.Outcome.TIMEOUT
                || System.nanoTime() >= deadline) {
            return false;
        }
        return request.idempotent() || f.outcome == Endpoints.Outcome.NOT_SENT;
    }

    /** Full jitter: a random delay up to backoff × 2^(n-1), capped. */
    private long backoffNanos(int n) {
        long cap = resilience.maxBackoff().toNanos();
        long base = resilience.backoff().toNanos();
        long ceiling = n >= 30 ? cap : Math.min(cap, base << (n - 1));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    /**
     * An endpoint for the next attempt whose breaker lets it through, preferring ones not in
     * {@code tried}; null when none is ready or every ready one's breaker is open. The breaker's
     * permission is taken (and is released or recorded when the attempt ends).
     */
    private Replica choose(Forward<?> request, List<Replica> tried) {
        // Copied only once a breaker refuses an endpoint: the usual call picks one and is done.
        List<Replica> avoid = tried;
        List<Replica> refused = null;
        for (int i = 0; i <= endpoints.all().size(); i++) {
            Replica r = endpoints.pick(request.key(), avoid);
            if (r == null || (refused != null && refused.contains(r))) {
                return null;
            }
            Breakers.Breaker b = breakers.endpoint(r.target());
            if (b == null || b.tryAcquire()) {
                return r;
            }
            events.breakerRejected(upstream.name(), "endpoint");
            if (refused == null) {
                refused = new ArrayList<>(2);
                avoid = new ArrayList<>(tried);
            }
            refused.add(r);
            avoid.add(r);
        }
        return null;
    }

    /** Why an attempt failed: the error for the caller and the outcome for health. */
    private static final class Failure {
        final Exception error;
        final Endpoints.Outcome outcome;

        Failure(Exception error, Endpoints.Outcome outcome) {
            this.error = error;
            this.outcome = outcome;
        }
    }

    /**
     * A CLIENT span for one attempt (OpenTelemetry's MCP client conventions: named as the method
     * and its tool, {@code mcp.method.name}, {@code gen_ai.tool.name}, the endpoint as
     * {@code server.address}), or null when tracing is off.
     */
    private io.opentelemetry.api.trace.Span clientSpan(Forward<?> request, Replica replica) {
        io.opentelemetry.api.trace.Tracer t = tracer;
        if (t == null) {
            return null;
        }
        io.opentelemetry.api.trace.SpanBuilder b = t.spanBuilder(request.tool() != null
                        ? request.method() + " " + request.tool() : request.method())
                .setSpanKind(io.opentelemetry.api.trace.SpanKind.CLIENT)
                .setAttribute("mcp.method.name", request.method())
                .setAttribute("server.address", replica.target())
                .setAttribute("peregrine.upstream", upstream.name());
        if (request.tool() != null) {
            b.setAttribute("gen_ai.tool.name", request.tool());
        }
        return b.startSpan();
    }

    /** One attempt on one endpoint, from sending to its end. */
    private final class Sent<T> {
        final Replica replica;
        final Breakers.Breaker breaker;
        final String method;
        final long started = System.nanoTime();
        final Forward.Attempt<T> attempt;
        /** Set before cancelling an attempt that ran out of time, so that it counts as a timeout. */
        volatile boolean timedOut;
        volatile T value;
        volatile Throwable failure;
        /** Set once the outcome is known and reported, before {@code ended} hears of it. */
        private volatile boolean done;

        /** The attempt's CLIENT span when tracing is on, else null. */
        final io.opentelemetry.api.trace.Span span;

        /** Sends the attempt; {@code ended} hears of its end, on whichever thread ends it (perhaps this one, at once). */
        Sent(Forward<T> request, Replica replica, long deadline, java.util.function.Consumer<Sent<T>> ended) {
            this.replica = replica;
            this.breaker = breakers.endpoint(replica.target());
            this.method = request.method();
            this.span = clientSpan(request, replica);
            replica.enter();
            Forward.Attempt<T> a;
            Map<String, Object> meta = meta(deadline);
            if (span != null) {
                // The upstream's SERVER span becomes this attempt's child (traceparent in _meta).
                CONTEXT_IN_META.inject(io.opentelemetry.context.Context.current().with(span), meta,
                        (carrier, key, value) -> carrier.put(key, value));
            }
            try {
                a = request.sender().send(replica.clientForCall(), meta);
            } catch (RuntimeException e) {
                a = Forward.Attempt.of(java.util.concurrent.CompletableFuture.failedFuture(e), reason -> { });
            }
            this.attempt = a;
            io.peregrine.exec.EndHookFuture.whenEnded(a.answer(), (v, f) -> {
                value = v;
                failure = f;
                try {
                    settle(v, f);
                } finally {
                    done = true;
                    ended.accept(this);
                }
            });
        }

        boolean isDone() {
            return done;
        }

        private void settle(T v, Throwable f) {
            long nanos = System.nanoTime() - started;
            Throwable cause = unwrap(f);
            Endpoints.Outcome outcome;
            String errorType;
            if (f == null) {
                outcome = Endpoints.Outcome.OK;
                errorType = v instanceof CallToolResult && ((CallToolResult) v).isError() ? "tool_error" : null;
                if (resilience.hedge() && resilience.hedgeDelay().isZero()) {
                    latencies.record(nanos); // only a hedging delay taken from them needs them
                }
            } else if (timedOut) {
                outcome = Endpoints.Outcome.TIMEOUT;
                errorType = "timeout";
            } else if (cause instanceof CancellationException) {
                outcome = null;
                errorType = "cancelled";
            } else {
                outcome = outcome(cause);
                errorType = errorType(cause, outcome);
            }
            try {
                if (outcome != null) {
                    endpoints.report(replica, outcome, nanos);
                }
                if (breaker != null) {
                    if (outcome == null) {
                        breaker.release();
                    } else if (outcome == Endpoints.Outcome.OK) {
                        breaker.success(nanos);
                    } else {
                        breaker.failure(nanos, cause);
                    }
                }
                events.attempt(upstream.name(), method, errorType, nanos / 1e9);
            } finally {
                replica.exit();
                if (span != null) {
                    if (errorType != null) {
                        span.setAttribute("error.type", errorType);
                        span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
                    }
                    span.end();
                }
            }
        }

        boolean succeeded() {
            return failure == null;
        }
    }

    /**
     * What the upstream is given of the call's time, beyond what is left: the gateway gives up
     * first and says so (a timeout naming the upstream, {@code notifications/cancelled} upstream),
     * and the upstream's own deadline is the backstop should the cancellation be lost.
     */
    static final long UPSTREAM_GRACE_MILLIS = 100;

    /** What goes in the request's {@code _meta}: the time left, and the grace. */
    private static Map<String, Object> meta(long deadline) {
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) + UPSTREAM_GRACE_MILLIS;
        // The time left, the caller's capabilities, a trace: nobody changes it once the call is made.
        Map<String, Object> meta = new io.peregrine.client.HandedOverMeta(3);
        meta.put(ToolContext.META_TIMEOUT_MS, left);
        return meta;
    }

    /** When to hedge an attempt sent now ({@link System#nanoTime()}), or 0 for never. */
    private long hedgeAt(Forward<?> request) {
        if (!resilience.hedge() || !request.idempotent() || endpoints.all().size() < 2) {
            return 0;
        }
        long delay = resilience.hedgeDelay().isZero() ? latencies.p95() : resilience.hedgeDelay().toNanos();
        return delay < 0 ? 0 : System.nanoTime() + Math.max(1, delay);
    }

    static Throwable unwrap(Throwable f) {
        while ((f instanceof CompletionException || f instanceof java.util.concurrent.ExecutionException)
                && f.getCause() != null) {
            f = f.getCause();
        }
        return f;
    }

    /** How an attempt that failed with {@code t} ended, as the endpoints' health sees it. */
    static Endpoints.Outcome outcome(Throwable t) {
        if (t instanceof McpClientException) {
            McpClientException e = (McpClientException) t;
            if (e.code() == McpClientException.LOCAL) {
                if (e.notSent()) {
                    return Endpoints.Outcome.NOT_SENT;
                }
                return e.getCause() instanceof TimeoutException ? Endpoints.Outcome.TIMEOUT : Endpoints.Outcome.LOST;
            }
            return e.code() == JsonRpcError.INTERNAL_ERROR ? Endpoints.Outcome.INTERNAL_ERROR : Endpoints.Outcome.OK;
        }
        return Endpoints.Outcome.LOST;
    }

    private static String errorType(Throwable t, Endpoints.Outcome outcome) {
        if (t instanceof McpClientException && ((McpClientException) t).code() != McpClientException.LOCAL) {
            return Integer.toString(((McpClientException) t).code());
        }
        switch (outcome) {
            case NOT_SENT:
                return "not_sent";
            case TIMEOUT:
                return "timeout";
            default:
                return "connection_lost";
        }
    }

    /** The bulkhead stayed full for as long as the call could wait. */
    private UpstreamFailure overloaded(String what) {
        UpstreamSpec spec = upstream.spec();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("upstream", upstream.name());
        data.put("retryAfterMs", 100);
        return new UpstreamFailure(JsonRpcError.SERVER_OVERLOADED, "Upstream " + upstream.name() + " already has "
                + spec.maxInFlight() + " calls in flight (gateway.upstreams." + upstream.name()
                + ".max-in-flight); " + what + " was not sent, retry shortly", data, UpstreamFailure.Reason.OVERLOADED);
    }

    /**
     * The calls in flight to the upstream, at most {@code max-in-flight}: a call that finds it full
     * waits for a place, first come first served, at most as long as it was given, holding no thread.
     */
    private final class Bulkhead {
        private final int places;
        private int taken;
        private final java.util.ArrayDeque<Waiter> waiting = new java.util.ArrayDeque<>();

        Bulkhead(int places) {
            this.places = places;
        }

        /** One call waiting for a place: completes true when it has one, false when its wait ended. */
        private final class Waiter extends CompletableFuture<Boolean> {
            ScheduledFuture<?> timeout;
        }

        synchronized boolean tryEnter() {
            if (taken < places && waiting.isEmpty()) {
                taken++;
                return true;
            }
            return false;
        }

        /** A place within {@code waitNanos}: the future completes true with it, or false without. */
        CompletableFuture<Boolean> enter(long waitNanos) {
            synchronized (this) {
                if (taken < places && waiting.isEmpty()) {
                    taken++;
                    return CompletableFuture.completedFuture(true);
                }
                if (waitNanos <= 0) {
                    return CompletableFuture.completedFuture(false);
                }
                Waiter w = new Waiter();
                waiting.add(w);
                w.timeout = schedule(() -> {
                    synchronized (Bulkhead.this) {
                        if (!waiting.remove(w)) {
                            return; // it was given a place meanwhile
                        }
                    }
                    w.complete(false);
                }, waitNanos);
                return w;
            }
        }

        /** A call gave its place back: the longest waiting call takes it. */
        void exit() {
            Waiter next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    taken--;
                    return;
                }
            }
            next.timeout.cancel(false);
            next.complete(true);
        }
    }

    RpcException unavailable(String what) {
        return error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + upstream.name() + " is unavailable for " + what
                + ": " + upstream.failure());
    }

    /** No endpoint takes the call: none is ready, or every ready one's breaker is open. */
    private UpstreamFailure noEndpoint(Forward<?> request) {
        long retryAfter = -1;
        for (Replica r : endpoints.all()) {
            Breakers.Breaker b = breakers.enabled() ? breakers.endpoint(r.target()) : null;
            if (r.isReady() && b != null && b.state() != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED) {
                long after = b.retryAfterMillis(resilience.breakerOpenFor());
                retryAfter = retryAfter < 0 ? after : Math.min(retryAfter, after);
            }
        }
        if (retryAfter < 0) {
            return new UpstreamFailure(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + upstream.name()
                    + " is unavailable for " + request.what() + ": " + upstream.failure(), data(request),
                    UpstreamFailure.Reason.UNAVAILABLE);
        }
        Map<String, Object> data = data(request);
        data.put("retryAfterMs", retryAfter);
        return new UpstreamFailure(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + upstream.name()
                + ": the circuit breaker of every ready endpoint is open after repeated failures; " + request.what()
                + " was not sent (retry after " + retryAfter + " ms)", data, UpstreamFailure.Reason.CIRCUIT_OPEN);
    }

    private UpstreamFailure open(Forward<?> request, Breakers.Breaker b) {
        long retryAfter = b.retryAfterMillis(resilience.breakerOpenFor());
        Map<String, Object> data = data(request);
        data.put("retryAfterMs", retryAfter);
        return new UpstreamFailure(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + upstream.name() + ": the circuit "
                + "breaker of tool " + request.tool() + " is open after repeated failures; " + request.what()
                + " was not sent (retry after " + retryAfter + " ms)", data, UpstreamFailure.Reason.CIRCUIT_OPEN);
    }

    private UpstreamFailure timeout(Forward<?> request, long allowed) {
        return new UpstreamFailure(JsonRpcError.UPSTREAM_TIMEOUT, "Upstream " + upstream.name() + " did not answer "
                + request.what() + " within " + allowed + " ms (gateway.upstreams." + upstream.name()
                + ".call-timeout, or the caller's " + ToolContext.META_TIMEOUT_MS + " when shorter); it was told to cancel",
                data(request), UpstreamFailure.Reason.TIMEOUT);
    }

    private UpstreamFailure exhausted(Forward<?> request, UpstreamFailure last, int attempts) {
        return new UpstreamFailure(last.code(), last.getMessage() + " (after " + attempts + " attempts)",
                data(request), UpstreamFailure.Reason.FAILED);
    }

    private Map<String, Object> data(Forward<?> request) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("upstream", upstream.name());
        if (request.tool() != null) {
            data.put("tool", request.tool());
        }
        return data;
    }

    private Exception translate(Throwable t, Forward<?> request, long allowed) {
        String name = upstream.name();
        if (t instanceof McpClientException) {
            McpClientException e = (McpClientException) t;
            if (e.code() != McpClientException.LOCAL) {
                // The upstream answered with an error: the client sees it as the upstream said it.
                return new RpcException(e.code(), e.getMessage(), null, e.data());
            }
            if (e.getCause() instanceof TimeoutException) {
                return timeout(request, allowed);
            }
            return new UpstreamFailure(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name + " failed " + request.what()
                    + ": " + e.getMessage(), data(request), UpstreamFailure.Reason.FAILED);
        }
        return new UpstreamFailure(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name + " failed " + request.what()
                + ": " + t, data(request), UpstreamFailure.Reason.FAILED);
    }

    RpcException error(int code, String message) {
        return new RpcException(code, message, null, Map.of("upstream", upstream.name()));
    }
}
