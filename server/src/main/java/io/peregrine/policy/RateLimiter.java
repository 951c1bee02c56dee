package io.peregrine.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Token buckets (Bucket4j) for {@code tools/call}: global, per principal, per tool, and per
 * principal and tool, each with its own capacity and period; plus a per-connection bucket for
 * every request, against one noisy socket.
 *
 * <h2>Memory</h2>
 * Buckets per principal live in a Caffeine map bounded in size and expiring after a quiet while,
 * so a flood of principals (made-up API keys cannot make one, but a permissive identity provider
 * can) costs bounded memory. Expiry is never shorter than the longest period, or forgetting a
 * bucket would hand its principal a fresh allowance. Per-tool buckets are bounded the same way;
 * tool names reach here only after the tool was found.
 *
 * <h2>Cost</h2>
 * A passing call costs one Caffeine read and one synchronized {@code tryConsume} per configured
 * bucket: Bucket4j's synchronized buckets update their state in place, where its lock-free ones
 * copy it on every attempt, so the synchronized kind allocates nothing. A bucket that refuses
 * gives back the tokens the call took from the buckets before it, so that refused calls do not
 * drain the global budget.
 *
 * <h2>Shared</h2>
 * Built with {@link Builder#shared(SharedLimits)}, the global, tool, principal and
 * principal-and-tool buckets live in the shared store instead (see {@link SharedAdmission}), and
 * this replica's own buckets decide only when the store fails and the failure mode is fail-open.
 * {@link #tryAcquireAsync} never waits; {@link #tryAcquire} waits at most the store's timeout.
 */
public final class RateLimiter {

    /** Which limit refused, as refusals name it. */
    static final String GLOBAL = "global";
    static final String PRINCIPAL = "principal";
    static final String TOOL = "tool";
    static final String PRINCIPAL_TOOL = "principal-tool";
    static final String CONNECTION = "connection";
    /** How {@link PolicyEvents} names the principal-and-tool scope (a metric label: no hyphen). */
    static final String PRINCIPAL_TOOL_EVENT = "principal_tool";

    /** A tool's bucket, or none. */
    private static final class Slot {
        static final Slot NONE = new Slot(null, null);
        final Bucket bucket;
        final RateLimit limit;

        Slot(Bucket bucket, RateLimit limit) {
            this.bucket = bucket;
            this.limit = limit;
        }
    }

    /** The buckets of one principal. */
    private final class PrincipalState {
        final Bucket bucket = principalLimit == null ? null : newBucket(principalLimit);
        final Map<String, Slot> tools = new ConcurrentHashMap<>();
        final Function<String, Slot> slotFactory = tool -> slot(perPrincipalTool, tool);
    }

    private final TimeMeter time;
    private final RateLimit globalLimit;
    private final RateLimit principalLimit;
    private final RateLimit connectionLimit;
    private final ToolPatterns<RateLimit> perTool;
    private final ToolPatterns<RateLimit> perPrincipalTool;
    private final Bucket global;
    private final Cache<String, Slot> toolSlots;
    private final Cache<String, PrincipalState> principals;
    private final Function<String, Slot> toolSlotFactory;
    private final Function<String, PrincipalState> principalFactory = name -> new PrincipalState();
    private final boolean perPrincipalNeeded;
    private final SharedAdmission shared;

    private RateLimiter(Builder b) {
        this.time = b.time;
        this.globalLimit = b.global;
        this.principalLimit = b.perPrincipal;
        this.connectionLimit = b.perConnection;
        this.perTool = b.perTool;
        this.perPrincipalTool = b.perPrincipalTool;
        this.toolSlotFactory = tool -> slot(perTool, tool);
        this.global = globalLimit == null ? null : newBucket(globalLimit);
        Duration longest = b.idleExpiry;
        for (RateLimit l : b.all()) {
            if (l.period().compareTo(longest) > 0) {
                longest = l.period();
            }
        }
        this.toolSlots = Caffeine.newBuilder().maximumSize(b.maxKeys).ticker(b.ticker).build();
        this.principals = Caffeine.newBuilder().maximumSize(b.maxKeys).expireAfterAccess(longest)
                .ticker(b.ticker).build();
        this.perPrincipalNeeded = principalLimit != null || !perPrincipalTool.isEmpty();
        this.shared = b.shared == null ? null
                : new SharedAdmission(this, b.shared, globalLimit, principalLimit, perTool, perPrincipalTool);
    }

    /** Starts a limiter; without limits it lets everything through. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether any limit on tool calls is configured. */
    public boolean limitsCalls() {
        return global != null || !perTool.isEmpty() || perPrincipalNeeded;
    }

    /**
     * Takes one token from each bucket that applies to {@code principal} calling {@code tool}.
     *
     * @return null when the call may go on; otherwise the refusal, saying when to retry
     */
    public Refusal tryAcquire(Principal principal, String tool) {
        return tryAcquire(principal, tool, PolicyEvents.NONE);
    }

    /** {@link #tryAcquire(Principal, String)}, telling {@code events} what each bucket consulted decided. */
    public Refusal tryAcquire(Principal principal, String tool, PolicyEvents events) {
        if (shared != null && limitsCalls()) {
            return shared.await(principal, tool, events);
        }
        return tryAcquireLocally(principal, tool, events);
    }

    /**
     * {@link #tryAcquire(Principal, String, PolicyEvents)} without waiting: local buckets decide at
     * once (an already completed future), shared ones complete it on the store client's thread, at
     * the latest after the store's timeout, with the failure mode's decision then.
     */
    public java.util.concurrent.CompletableFuture<Refusal> tryAcquireAsync(Principal principal, String tool,
                                                                          PolicyEvents events) {
        if (shared != null && limitsCalls()) {
            return shared.acquire(principal, tool, events);
        }
        return java.util.concurrent.CompletableFuture.completedFuture(tryAcquireLocally(principal, tool, events));
    }

    /** Whether the call limits are kept in a shared store. */
    public boolean isShared() {
        return shared != null;
    }

    /** The decision of this replica's own buckets. */
    Refusal tryAcquireLocally(Principal principal, String tool, PolicyEvents events) {
        Bucket g = global;
        if (g != null && !decided(events, GLOBAL, g.tryConsume(1))) {
            return refuse(GLOBAL, g, "Rate limit exceeded: the server takes at most " + describe(globalLimit)
                    + " tool calls");
        }
        Bucket t = null;
        if (!perTool.isEmpty()) {
            Slot s = toolSlots.get(tool, toolSlotFactory);
            t = s.bucket;
            if (t != null && !decided(events, TOOL, t.tryConsume(1))) {
                refund(g);
                return refuse(TOOL, t, "Rate limit exceeded: tool " + tool + " takes at most "
                        + describe(s.limit) + " calls from everyone together");
            }
        }
        if (!perPrincipalNeeded) {
            return null;
        }
        PrincipalState state = principals.get(principal.name(), principalFactory);
        Bucket p = state.bucket;
        if (p != null && !decided(events, PRINCIPAL, p.tryConsume(1))) {
            refund(g);
            refund(t);
            return refuse(PRINCIPAL, p, "Rate limit exceeded: " + principal.name() + " may make at most "
                    + describe(principalLimit) + " tool calls");
        }
        if (!perPrincipalTool.isEmpty()) {
            Slot s = state.tools.computeIfAbsent(tool, state.slotFactory);
            Bucket pt = s.bucket;
            if (pt != null && !decided(events, PRINCIPAL_TOOL_EVENT, pt.tryConsume(1))) {
                refund(g);
                refund(t);
                refund(p);
                return refuse(PRINCIPAL_TOOL, pt, "Rate limit exceeded: " + principal.name() + " may call " + tool
                        + " at most " + describe(s.limit));
            }
        }
        return null;
    }

    /** A bucket for one connection's requests, or null when connections are not limited. */
    public ConnectionLimit newConnectionLimit() {
        return connectionLimit == null ? null : new ConnectionLimit(newBucket(connectionLimit), connectionLimit);
    }

    /** The per-connection limit on requests. */
    public static final class ConnectionLimit {
        private final Bucket bucket;
        private final RateLimit limit;

        ConnectionLimit(Bucket bucket, RateLimit limit) {
            this.bucket = bucket;
            this.limit = limit;
        }

        /** Takes a token for one request: null when it may go on, else the refusal. */
        public Refusal tryAcquire() {
            if (bucket.tryConsume(1)) {
                return null;
            }
            return refuse(CONNECTION, bucket, "Rate limit exceeded: one connection may send at most "
                    + describe(limit) + " requests; slow down or open another connection");
        }
    }

    private Slot slot(ToolPatterns<RateLimit> patterns, String tool) {
        Map.Entry<String, RateLimit> e = patterns.find(tool);
        return e == null ? Slot.NONE : new Slot(newBucket(e.getValue()), e.getValue());
    }

    private Bucket newBucket(RateLimit limit) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit.capacity())
                        .refillIntervally(limit.capacity(), limit.period()).build())
                .withCustomTimePrecision(time)
                .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
                .build();
    }

    private static boolean decided(PolicyEvents events, String limiter, boolean admitted) {
        events.rateLimitDecision(limiter, admitted);
        return admitted;
    }

    private static void refund(Bucket b) {
        if (b != null) {
            b.addTokens(1);
        }
    }

    private static Refusal refuse(String which, Bucket b, String message) {
        long nanos = b.estimateAbilityToConsume(1).getNanosToWaitForRefill();
        long millis = Math.max(1, (nanos + 999_999) / 1_000_000);
        return Refusal.rateLimited(which, millis, message + "; retry in " + millis + " ms");
    }

    static String describe(RateLimit l) {
        if (l == null) {
            return "its limit";
        }
        Duration p = l.period();
        String per;
        if (p.toHours() > 0 && p.equals(Duration.ofHours(p.toHours()))) {
            per = p.toHours() == 1 ? "hour" : p.toHours() + " hours";
        } else if (p.toMinutes() > 0 && p.equals(Duration.ofMinutes(p.toMinutes()))) {
            per = p.toMinutes() == 1 ? "minute" : p.toMinutes() + " minutes";
        } else if (p.getSeconds() > 0 && p.equals(Duration.ofSeconds(p.getSeconds()))) {
            per = p.getSeconds() == 1 ? "second" : p.getSeconds() + " seconds";
        } else {
            per = p.toMillis() + " ms";
        }
        return l.capacity() + " per " + per;
    }

    /** Configures a {@link RateLimiter}; every limit is off unless set. */
    public static final class Builder {
        private RateLimit global;
        private RateLimit perPrincipal;
        private RateLimit perConnection;
        private final ToolPatterns<RateLimit> perTool = new ToolPatterns<>();
        private final ToolPatterns<RateLimit> perPrincipalTool = new ToolPatterns<>();
        private long maxKeys = 100_000;
        private Duration idleExpiry = Duration.ofMinutes(10);
        private TimeMeter time = TimeMeter.SYSTEM_NANOTIME;
        private Ticker ticker = Ticker.systemTicker();
        private SharedLimits shared;

        private Builder() {
        }

        /**
         * Keeps the call limits (global, tool, principal, principal and tool) in {@code shared},
         * one budget for every replica using it; connection limits stay local. Default: local.
         */
        public Builder shared(SharedLimits shared) {
            this.shared = Objects.requireNonNull(shared, "shared");
            return this;
        }

        /** Every tool call together. */
        public Builder global(RateLimit limit) {
            this.global = limit;
            return this;
        }

        /** Each principal's tool calls. */
        public Builder perPrincipal(RateLimit limit) {
            this.perPrincipal = limit;
            return this;
        }

        /** Calls of the tools matching {@code pattern} ({@code echo}, {@code fs.*}, {@code *}), from everyone together, per tool. */
        public Builder perTool(String pattern, RateLimit limit) {
            perTool.put(Objects.requireNonNull(pattern, "pattern"), Objects.requireNonNull(limit, "limit"));
            return this;
        }

        /** Each principal's calls of each tool matching {@code pattern}. */
        public Builder perPrincipalTool(String pattern, RateLimit limit) {
            perPrincipalTool.put(Objects.requireNonNull(pattern, "pattern"), Objects.requireNonNull(limit, "limit"));
            return this;
        }

        /** Every request of one connection, of any method. */
        public Builder perConnection(RateLimit limit) {
            this.perConnection = limit;
            return this;
        }

        /** Parses {@code pattern=N/period, ...} into per-tool limits (an entry without a pattern is {@code *}). */
        public Builder perTool(String spec) {
            ToolPatterns.parse(spec, RateLimit::parse).exactAndPrefixes(perTool);
            return this;
        }

        /** Parses {@code pattern=N/period, ...} into per-principal-and-tool limits. */
        public Builder perPrincipalTool(String spec) {
            ToolPatterns.parse(spec, RateLimit::parse).exactAndPrefixes(perPrincipalTool);
            return this;
        }

        /** Most principals (and tools) whose buckets are kept; default 100,000. */
        public Builder maxKeys(long max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxKeys : " + max + " (expected: > 0)");
            }
            this.maxKeys = max;
            return this;
        }

        /** How long a quiet principal's buckets are kept (at least the longest period); default 10 minutes. */
        public Builder idleExpiry(Duration expiry) {
            Objects.requireNonNull(expiry, "expiry");
            if (expiry.isNegative() || expiry.isZero()) {
                throw new IllegalArgumentException("idleExpiry : " + expiry + " (expected: > 0)");
            }
            this.idleExpiry = expiry;
            return this;
        }

        /** The clocks of the buckets and of the map holding them; for tests. */
        public Builder clock(TimeMeter time, Ticker ticker) {
            this.time = Objects.requireNonNull(time, "time");
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        java.util.List<RateLimit> all() {
            java.util.List<RateLimit> out = new java.util.ArrayList<>();
            for (RateLimit l : new RateLimit[] {global, perPrincipal, perConnection}) {
                if (l != null) {
                    out.add(l);
                }
            }
            out.addAll(perTool.values());
            out.addAll(perPrincipalTool.values());
            return out;
        }

        public RateLimiter build() {
            return new RateLimiter(this);
        }
    }
}
