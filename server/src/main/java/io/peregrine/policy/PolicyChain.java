package io.peregrine.policy;

import com.github.benmanes.caffeine.cache.Ticker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The policy stages a request passes before dispatch, in order: authenticate (once per
 * connection, see {@link ConnectionPolicy}), authorize the tool ({@link Grants}), take a token
 * from each rate limit ({@link RateLimiter}), and look the result up when the tool is cacheable
 * ({@link ResultCache}). Refusals are written to the {@link AuditLog} here, so every transport
 * audits alike.
 *
 * <p>Authentication is per listener: {@code tcp}, {@code ws} (the WebSocket upgrade) and
 * {@code http} (Streamable HTTP) each have an {@link Authenticator}, {@link Authenticator#none()}
 * unless configured; {@code stdio} is always unauthenticated, its client being the process that
 * started the server.
 */
public final class PolicyChain implements AutoCloseable {

    private final Map<String, Authenticator> authenticators;
    private final RateLimiter limiter;
    private final ResultCache cache;
    private final SharedTasks sharedTasks;
    private final AuditLog audit;
    private final LongSupplier clock;
    private final ProtectedResource protectedResource;
    /**
     * Credentials verified recently on the {@code http} listener: a Streamable HTTP client sends
     * its token with every request, and checking a signature each time (tens of microseconds for
     * RS256) would be most of the request's cost. Bounded, and kept {@value #VERIFIED_SECONDS} s,
     * which is also how long a token signed by a key just retired from the JWKS stays accepted
     * there; expiry is still checked on each use. Connection-based listeners authenticate once
     * per connection and need no such cache.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Principal> verified;
    private volatile PolicyEvents events = PolicyEvents.NONE;
    private final List<AutoCloseable> resources;

    private static final int VERIFIED_SECONDS = 30;

    private PolicyChain(Builder b) {
        this.authenticators = Map.copyOf(b.authenticators);
        this.limiter = b.limiter;
        this.cache = b.cache != null ? b.cache : new ResultCache(b.cacheMaxEntries, Ticker.systemTicker());
        if (b.sharedCache != null) {
            cache.share(b.sharedCache);
        }
        this.audit = b.audit;
        this.sharedTasks = b.sharedTasks;
        this.clock = b.clock;
        this.protectedResource = b.protectedResource;
        this.resources = List.copyOf(b.resources);
        this.verified = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
                .expireAfterWrite(java.time.Duration.ofSeconds(VERIFIED_SECONDS)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No authentication, no limits, caching for the tools that ask for it. */
    public static PolicyChain defaults() {
        return builder().build();
    }

    /** The authenticator of a listener ({@code tcp}, {@code ws}, {@code http}, {@code stdio}). */
    public Authenticator authenticator(String transport) {
        return authenticators.getOrDefault(transport, Authenticator.none());
    }

    /** Whether any listener requires credentials. */
    public boolean authenticates() {
        for (Authenticator a : authenticators.values()) {
            if (a.requiresCredentials()) {
                return true;
            }
        }
        return false;
    }

    /** Policy state for a new connection on {@code transport} from {@code remote}. */
    public ConnectionPolicy open(String transport, Object remote) {
        return new ConnectionPolicy(this, transport, remote, limiter == null ? null : limiter.newConnectionLimit());
    }

    /**
     * Authenticates an {@code Authorization} value outside a connection (an HTTP request, a
     * WebSocket upgrade), auditing a failure.
     */
    public Principal authenticate(String transport, Object remote, String authorization) throws Refusal {
        Authenticator a = authenticator(transport);
        boolean cached = authorization != null && a.requiresCredentials() && transport.equals("http");
        if (cached) {
            Principal known = verified.getIfPresent(authorization);
            if (known != null && !known.isExpired(now())) {
                return known;
            }
        }
        try {
            Principal p = a.authenticate(authorization);
            if (cached) {
                verified.put(authorization, p);
            }
            return p;
        } catch (Refusal r) {
            audit.authenticationFailed(transport, remote, a.scheme(), r);
            throw r;
        }
    }

    /**
     * Checks that {@code principal} may use {@code name} of {@code kind} ({@link Grants#TOOL},
     * {@link Grants#RESOURCE}, {@link Grants#PROMPT}).
     *
     * @return null when it may; the refusal (already audited) when it may not
     */
    public Refusal authorize(Principal principal, String transport, String kind, String name) {
        if (principal.grants().permits(kind, name)) {
            return null;
        }
        String scope = Grants.scopeFor(kind, name);
        audit.forbidden(principal, transport, kind, name, scope);
        return Refusal.insufficientScope(scope, "Forbidden: " + principal.name() + " may not use " + kind + " " + name
                + " (insufficient_scope: it needs scope " + scope + ")");
    }

    /** Whether {@code principal} may see {@code name} of {@code kind} in a listing. */
    public boolean mayList(Principal principal, String kind, String name) {
        return principal.grants().permits(kind, name);
    }

    /** Takes rate-limit tokens for a tool call: null when it may go on, else the refusal (audited). */
    public Refusal acquire(Principal principal, String transport, String tool) {
        if (limiter == null) {
            return null;
        }
        Refusal r = limiter.tryAcquire(principal, tool, events);
        if (r != null) {
            audit.rateLimited(principal, transport, tool, r);
        }
        return r;
    }

    /**
     * {@link #acquire} without waiting on a shared store: the future completes at once for local
     * limits, and on the store client's thread (within the store's timeout) for shared ones.
     * A caller on an I/O thread continues the call from the future rather than joining it.
     */
    public java.util.concurrent.CompletableFuture<Refusal> acquireAsync(Principal principal, String transport,
                                                                        String tool) {
        if (limiter == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        return limiter.tryAcquireAsync(principal, tool, events).thenApply(r -> {
            if (r != null) {
                audit.rateLimited(principal, transport, tool, r);
            }
            return r;
        });
    }

    /** The rate limiter, or null when there are no limits. */
    public RateLimiter limiter() {
        return limiter;
    }

    /** Who hears of each decision as it is made (the core's observers); default nobody. */
    public void events(PolicyEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    PolicyEvents events() {
        return events;
    }

    /** The result cache of cacheable tools. */
    public ResultCache cache() {
        return cache;
    }

    public AuditLog audit() {
        return audit;
    }

    /** Where 2026-07-28 tasks are shared with other replicas, or null when each replica keeps its own. */
    public SharedTasks sharedTasks() {
        return sharedTasks;
    }

    /** The RFC 9728 metadata served on the HTTP port. */
    public ProtectedResource protectedResource() {
        return protectedResource;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Closes what the policy holds open (a Redis connection), in reverse order of adding. */
    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(PolicyChain.class).warn("closing {} failed", resources.get(i), e);
            }
        }
    }

    /** Configures a {@link PolicyChain}. */
    public static final class Builder {
        private final Map<String, Authenticator> authenticators = new HashMap<>();
        private RateLimiter limiter;
        private ResultCache cache;
        private long cacheMaxEntries = 10_000;
        private AuditLog audit = new AuditLog(false);
        private SharedTasks sharedTasks;
        private SharedCache sharedCache;
        private LongSupplier clock = System::currentTimeMillis;
        private ProtectedResource protectedResource = new ProtectedResource(null, List.of(), List.of());
        private final List<AutoCloseable> resources = new java.util.ArrayList<>();

        private Builder() {
        }

        /** How clients of {@code transport} ({@code tcp}, {@code ws}, {@code http}) authenticate; default none. */
        public Builder authenticator(String transport, Authenticator authenticator) {
            Objects.requireNonNull(transport, "transport");
            authenticators.put(transport, Objects.requireNonNull(authenticator, "authenticator"));
            return this;
        }

        /** The rate limits; default none. */
        public Builder rateLimiter(RateLimiter limiter) {
            this.limiter = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /** The result cache; default one of {@link #cacheMaxEntries} entries on the system clock. */
        public Builder resultCache(ResultCache cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /** Most cached results; default 10,000. */
        public Builder cacheMaxEntries(long max) {
            if (max <= 0) {
                throw new IllegalArgumentException("cacheMaxEntries : " + max + " (expected: > 0)");
            }
            this.cacheMaxEntries = max;
            return this;
        }

        /** Shares 2026-07-28 tasks with other replicas through {@code tasks}; default none (tasks stay here). */
        public Builder sharedTasks(SharedTasks tasks) {
            this.sharedTasks = Objects.requireNonNull(tasks, "tasks");
            return this;
        }

        /** Makes {@code shared} the second level of the result cache, shared with other replicas; default none. */
        public Builder sharedCache(SharedCache shared) {
            this.sharedCache = Objects.requireNonNull(shared, "shared");
            return this;
        }

        /** The audit log; default one that logs refusals only. */
        public Builder audit(AuditLog audit) {
            this.audit = Objects.requireNonNull(audit, "audit");
            return this;
        }

        /** The clock (epoch milliseconds) principals expire by; for tests. */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The RFC 9728 metadata to serve; default: resource derived from the request, no authorization servers. */
        public Builder protectedResource(ProtectedResource resource) {
            this.protectedResource = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /** Something the policy uses that is closed with it (its Redis store). */
        public Builder closeWith(AutoCloseable resource) {
            resources.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        public PolicyChain build() {
            return new PolicyChain(this);
        }
    }
}
