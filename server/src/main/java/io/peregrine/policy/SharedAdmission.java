package io.peregrine.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link RateLimiter}'s decisions when its buckets are {@link SharedLimits shared}: every bucket
 * that applies to a call is asked in one request ({@link SharedLimits#tryConsume(List)}), which
 * takes a token from each or from none, so a refusal never spends a budget and nothing is given
 * back. The buckets are listed in the order the local limiter consults them (global, tool,
 * principal, principal and tool), and the decisions reported to {@link PolicyEvents} are the ones
 * it would report: admitted up to the bucket that refused, which is refused, and nothing after.
 *
 * <p>When the store fails or takes longer than its timeout, the {@link SharedLimits.FailureMode}
 * decides: this replica's own buckets, or a refusal naming the store. Once the store is known to
 * be down ({@link SharedLimits#available()} false), the failure mode decides at once, without
 * asking: an outage costs a call its timeout only while it is being found out.
 *
 * <p>Nothing here waits: {@link #acquire} returns a future that the store's answer, or the
 * timeout, completes on the store client's threads; the core goes on from it on the event loop
 * the call arrived on. {@link #await} is the blocking form, for callers off any I/O thread.
 */
final class SharedAdmission {

    /** How a refusal names the shared store when it decided nothing (fail-closed). */
    static final String STORE = "shared-store";

    /** Why a decision did not ask the store: an outage is under way and this was not its probe. */
    private static final Exception UNAVAILABLE = new IllegalStateException(
            "the store is down; asked again once per timeout until it answers") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private final RateLimiter limiter;
    private final SharedLimits shared;
    private final RateLimit global;
    private final RateLimit principal;
    private final ToolPatterns<RateLimit> perTool;
    private final ToolPatterns<RateLimit> perPrincipalTool;

    SharedAdmission(RateLimiter limiter, SharedLimits shared, RateLimit global, RateLimit principal,
                    ToolPatterns<RateLimit> perTool, ToolPatterns<RateLimit> perPrincipalTool) {
        this.limiter = limiter;
        this.shared = shared;
        this.global = global;
        this.principal = principal;
        this.perTool = perTool;
        this.perPrincipalTool = perPrincipalTool;
    }

    /** One bucket a call needs a token from. */
    private static final class Ask {
        final String scope;
        final String eventScope;
        final SharedLimits.Bucket bucket;
        final String message;

        Ask(String scope, String eventScope, String key, RateLimit limit, String message) {
            this.scope = scope;
            this.eventScope = eventScope;
            this.bucket = new SharedLimits.Bucket(key, limit);
            this.message = message;
        }
    }

    /**
     * One call's decision, made once: by the store's answer, by the store's timeout, or by a
     * caller that stopped waiting, whichever comes first; the others find it made.
     */
    private final class Decision {
        final List<Ask> asks;
        final Principal who;
        final String tool;
        final PolicyEvents events;
        final AtomicBoolean made = new AtomicBoolean();
        final CompletableFuture<Refusal> result = new CompletableFuture<>();

        Decision(List<Ask> asks, Principal who, String tool, PolicyEvents events) {
            this.asks = asks;
            this.who = who;
            this.tool = tool;
            this.events = events;
        }

        void answered(SharedLimits.Verdict verdict, Throwable failure) {
            if (made.compareAndSet(false, true)) {
                result.complete(failure == null ? decide(asks, verdict, events) : failedOver(who, tool, events, failure));
            }
        }
    }

    /** The decision for {@code who} calling {@code tool}; completes on the store client's thread. */
    CompletableFuture<Refusal> acquire(Principal who, String tool, PolicyEvents events) {
        return start(who, tool, events).result;
    }

    private Decision start(Principal who, String tool, PolicyEvents events) {
        List<Ask> asks = asks(who, tool);
        Decision d = new Decision(asks, who, tool, events);
        if (asks.isEmpty()) {
            d.made.set(true);
            d.result.complete(null);
            return d;
        }
        if (!shared.available()) {
            d.answered(null, UNAVAILABLE);
            return d;
        }
        List<SharedLimits.Bucket> buckets = new ArrayList<>(asks.size());
        for (Ask a : asks) {
            buckets.add(a.bucket);
        }
        shared.tryConsume(buckets).orTimeout(shared.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete(d::answered);
        return d;
    }

    /**
     * {@link #acquire}, waited for at most the store's timeout and a margin for the hand-over
     * between threads; should that pass too, the failure mode decides here, once.
     */
    Refusal await(Principal who, String tool, PolicyEvents events) {
        Decision d = start(who, tool, events);
        try {
            return d.result.get(shared.timeout().toNanos() + TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            d.answered(null, e);
        } catch (ExecutionException | TimeoutException e) {
            d.answered(null, e);
        }
        return d.result.join();
    }

    private Refusal decide(List<Ask> asks, SharedLimits.Verdict verdict, PolicyEvents events) {
        shared.answered();
        int consulted = verdict.admitted() ? asks.size() : verdict.refused() + 1;
        for (int i = 0; i < consulted; i++) {
            events.rateLimitDecision(asks.get(i).eventScope, i != verdict.refused());
        }
        if (verdict.admitted()) {
            return null;
        }
        Ask refused = asks.get(verdict.refused());
        long millis = Math.max(1, (verdict.nanosToWait() + 999_999) / 1_000_000);
        return Refusal.rateLimited(refused.scope, millis, refused.message + "; retry in " + millis + " ms");
    }

    /**
     * The failure mode's decision. Should the store's answer still come and admit the call, its
     * tokens stay spent: the shared budget is then stricter for it, never looser.
     */
    private Refusal failedOver(Principal who, String tool, PolicyEvents events, Throwable failure) {
        shared.failedOver(failure == UNAVAILABLE ? null : failure);
        if (shared.failureMode() == SharedLimits.FailureMode.FAIL_OPEN) {
            return limiter.tryAcquireLocally(who, tool, events);
        }
        long millis = Math.max(1, shared.timeout().toMillis());
        return Refusal.rateLimited(STORE, millis, "Rate limits are shared through Redis, which did not answer within "
                + shared.timeout().toMillis() + " ms; the call is refused rather than admitted unchecked "
                + "(limits.redis-failure: fail-closed); retry in " + millis + " ms");
    }

    private List<Ask> asks(Principal who, String tool) {
        List<Ask> out = new ArrayList<>(4);
        if (global != null) {
            out.add(new Ask(RateLimiter.GLOBAL, RateLimiter.GLOBAL, key("g", global), global,
                    "Rate limit exceeded: the server takes at most " + RateLimiter.describe(global) + " tool calls"));
        }
        Map.Entry<String, RateLimit> t = perTool.isEmpty() ? null : perTool.find(tool);
        if (t != null) {
            out.add(new Ask(RateLimiter.TOOL, RateLimiter.TOOL, key("t", t.getValue(), tool), t.getValue(),
                    "Rate limit exceeded: tool " + tool + " takes at most " + RateLimiter.describe(t.getValue())
                            + " calls from everyone together"));
        }
        if (principal != null) {
            out.add(new Ask(RateLimiter.PRINCIPAL, RateLimiter.PRINCIPAL, key("p", principal, who.name()), principal,
                    "Rate limit exceeded: " + who.name() + " may make at most " + RateLimiter.describe(principal)
                            + " tool calls"));
        }
        Map.Entry<String, RateLimit> pt = perPrincipalTool.isEmpty() ? null : perPrincipalTool.find(tool);
        if (pt != null) {
            out.add(new Ask(RateLimiter.PRINCIPAL_TOOL, RateLimiter.PRINCIPAL_TOOL_EVENT,
                    key("pt", pt.getValue(), who.name(), tool), pt.getValue(),
                    "Rate limit exceeded: " + who.name() + " may call " + tool + " at most "
                            + RateLimiter.describe(pt.getValue())));
        }
        return out;
    }

    /**
     * The bucket's key below the store's prefix: its scope, its limit (replicas configured
     * differently keep apart buckets rather than one bucket of two shapes) and its names, each
     * name preceded by its length in UTF-8 bytes so that no name can pass for two.
     */
    static String key(String scope, RateLimit limit, String... names) {
        StringBuilder sb = new StringBuilder(64).append("rl:").append(scope).append(':')
                .append(limit.capacity()).append('/').append(limit.period().toMillis()).append("ms");
        for (String name : names) {
            sb.append(':').append(name.getBytes(StandardCharsets.UTF_8).length).append(':').append(name);
        }
        return sb.toString();
    }
}
