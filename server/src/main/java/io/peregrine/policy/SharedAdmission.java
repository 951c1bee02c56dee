package io.peregrine.policy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link RateLimiter}'s decisions when its buckets are {@link SharedLimits shared}: every bucket
 * that applies to a call is asked at once (one round trip of latency, not one per limit), and a
 * call one bucket refuses gives back the tokens the others took, so a refusal never spends a
 * budget. That refund races other calls for a moment: they may be refused by a token on its way
 * back, never admitted beyond a limit, so shared limits are exact or stricter.
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
        final String key;
        final RateLimit limit;
        final String message;
        CompletableFuture<Long> answer;

        Ask(String scope, String eventScope, String key, RateLimit limit, String message) {
            this.scope = scope;
            this.eventScope = eventScope;
            this.key = key;
            this.limit = limit;
            this.message = message;
        }
    }

    /**
     * One call's decision, made once: by the store's answer, by the store's timeout, or by a
     * caller that stopped waiting, whichever comes first; the others find it made.
     */
    private final class Decision {
        final Ask[] asks;
        final Principal who;
        final String tool;
        final PolicyEvents events;
        final AtomicBoolean made = new AtomicBoolean();
        final CompletableFuture<Refusal> result = new CompletableFuture<>();

        Decision(Ask[] asks, Principal who, String tool, PolicyEvents events) {
            this.asks = asks;
            this.who = who;
            this.tool = tool;
            this.events = events;
        }

        void answered(Throwable failure) {
            if (made.compareAndSet(false, true)) {
                result.complete(failure == null ? decide(asks, events) : failedOver(asks, who, tool, events, failure));
            }
        }
    }

    /** The decision for {@code who} calling {@code tool}; completes on the store client's thread. */
    CompletableFuture<Refusal> acquire(Principal who, String tool, PolicyEvents events) {
        return start(who, tool, events).result;
    }

    private Decision start(Principal who, String tool, PolicyEvents events) {
        Ask[] asks = asks(who, tool);
        Decision d = new Decision(asks, who, tool, events);
        if (asks.length == 0) {
            d.made.set(true);
            d.result.complete(null);
            return d;
        }
        if (!shared.available()) {
            d.answered(UNAVAILABLE);
            return d;
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[asks.length];
        for (int i = 0; i < asks.length; i++) {
            asks[i].answer = shared.tryConsume(asks[i].key, asks[i].limit);
            all[i] = asks[i].answer;
        }
        CompletableFuture.allOf(all).orTimeout(shared.timeout().toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((ignored, failure) -> d.answered(failure));
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
            d.answered(e);
        } catch (ExecutionException | TimeoutException e) {
            d.answered(e);
        }
        return d.result.join();
    }

    private Refusal decide(Ask[] asks, PolicyEvents events) {
        shared.answered();
        Ask refused = null;
        long waitNanos = 0;
        for (Ask a : asks) {
            long wait = a.answer.join();
            events.rateLimitDecision(a.eventScope, wait == 0);
            if (wait != 0 && refused == null) {
                refused = a;
                waitNanos = wait;
            }
        }
        if (refused == null) {
            return null;
        }
        for (Ask a : asks) {
            if (a.answer.join() == 0) {
                shared.refund(a.key, a.limit);
            }
        }
        long millis = Math.max(1, (waitNanos + 999_999) / 1_000_000);
        return Refusal.rateLimited(refused.scope, millis, refused.message + "; retry in " + millis + " ms");
    }

    private Refusal failedOver(Ask[] asks, Principal who, String tool, PolicyEvents events, Throwable failure) {
        // Whatever the store did take is given back, now or when its answer comes; it may not arrive.
        for (Ask a : asks) {
            if (a.answer == null) {
                continue; // not asked: the store was known to be down
            }
            a.answer.thenAccept(wait -> {
                if (wait == 0) {
                    shared.refund(a.key, a.limit);
                }
            });
        }
        shared.failedOver(failure == UNAVAILABLE ? null : failure);
        if (shared.failureMode() == SharedLimits.FailureMode.FAIL_OPEN) {
            return limiter.tryAcquireLocally(who, tool, events);
        }
        long millis = Math.max(1, shared.timeout().toMillis());
        return Refusal.rateLimited(STORE, millis, "Rate limits are shared through Redis, which did not answer within "
                + shared.timeout().toMillis() + " ms; the call is refused rather than admitted unchecked "
                + "(limits.redis-failure: fail-closed); retry in " + millis + " ms");
    }

    private Ask[] asks(Principal who, String tool) {
        Ask[] out = new Ask[4];
        int n = 0;
        if (global != null) {
            out[n++] = new Ask(RateLimiter.GLOBAL, RateLimiter.GLOBAL, key("g", global), global,
                    "Rate limit exceeded: the server takes at most " + RateLimiter.describe(global) + " tool calls");
        }
        Map.Entry<String, RateLimit> t = perTool.isEmpty() ? null : perTool.find(tool);
        if (t != null) {
            out[n++] = new Ask(RateLimiter.TOOL, RateLimiter.TOOL, key("t", t.getValue(), tool), t.getValue(),
                    "Rate limit exceeded: tool " + tool + " takes at most " + RateLimiter.describe(t.getValue())
                            + " calls from everyone together");
        }
        if (principal != null) {
            out[n++] = new Ask(RateLimiter.PRINCIPAL, RateLimiter.PRINCIPAL, key("p", principal, who.name()), principal,
                    "Rate limit exceeded: " + who.name() + " may make at most " + RateLimiter.describe(principal)
                            + " tool calls");
        }
        Map.Entry<String, RateLimit> pt = perPrincipalTool.isEmpty() ? null : perPrincipalTool.find(tool);
        if (pt != null) {
            out[n++] = new Ask(RateLimiter.PRINCIPAL_TOOL, RateLimiter.PRINCIPAL_TOOL_EVENT,
                    key("pt", pt.getValue(), who.name(), tool), pt.getValue(),
                    "Rate limit exceeded: " + who.name() + " may call " + tool + " at most "
                            + RateLimiter.describe(pt.getValue()));
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
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
