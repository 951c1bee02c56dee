package io.peregrine.policy;

import java.time.Instant;

/**
 * The policy state of one connection: who it speaks for, and its request budget.
 *
 * <p>The principal is fixed by the first request that authenticates: the transport's (a
 * WebSocket upgrade's {@code Authorization} header, a TLS client certificate) or the
 * {@code _meta["io.peregrine/authorization"]} of a request. Later requests carrying the same
 * value cost one string comparison; a different value (a refreshed token) is authenticated
 * again and accepted only for the same principal, which is how a client extends a connection
 * past its token's expiry. Once the token has expired, every request is refused until then.
 *
 * <p>Confined to the connection's event loop, like the rest of its per-connection state.
 */
public final class ConnectionPolicy {

    private final PolicyChain chain;
    private final String transport;
    private final Object remote;
    private final RateLimiter.ConnectionLimit limit;
    private Principal principal;
    private String authorization;

    ConnectionPolicy(PolicyChain chain, String transport, Object remote, RateLimiter.ConnectionLimit limit) {
        this.chain = chain;
        this.transport = transport;
        this.remote = remote;
        this.limit = limit;
    }

    /**
     * Admits one request.
     *
     * @param authorization         the request's own credentials ({@code _meta}), or null
     * @param transportPrincipal    the principal the transport established, or null
     * @return the principal the request is served for
     * @throws Refusal when it is not authenticated, its token expired, or the connection is over its limit
     */
    public Principal admit(String authorization, Principal transportPrincipal) throws Refusal {
        Principal p = principal;
        // The same credentials as before are usually the same String (see RecentStrings in mcp): == first.
        if (p == null || (authorization != null && authorization != this.authorization
                && !authorization.equals(this.authorization))
                || (transportPrincipal != null && transportPrincipal != p && authorization == null)) {
            p = authenticate(authorization, transportPrincipal);
        }
        if (p.isExpired(chain.now())) {
            Refusal r = Refusal.invalidToken("Invalid token: expired at " + Instant.ofEpochMilli(p.expiresAtMillis())
                    + "; send a fresh token for " + p.name()
                    + " in _meta[\"io.peregrine/authorization\"] or connect again");
            chain.audit().authenticationFailed(transport, remote, p.method(), r);
            throw r;
        }
        if (limit != null) {
            Refusal r = limit.tryAcquire();
            chain.events().rateLimitDecision(RateLimiter.CONNECTION, r == null);
            if (r != null) {
                chain.audit().rateLimited(p, transport, null, r);
                throw r;
            }
        }
        return p;
    }

    private Principal authenticate(String authorization, Principal transportPrincipal) throws Refusal {
        Principal p;
        if (authorization == null && transportPrincipal != null) {
            p = transportPrincipal;
        } else {
            p = chain.authenticate(transport, remote, authorization);
        }
        if (principal != null && !principal.name().equals(p.name())) {
            Refusal r = Refusal.invalidToken("Invalid token: this connection is authenticated as " + principal.name()
                    + "; a token for " + p.name() + " cannot be used on it (open another connection)");
            chain.audit().authenticationFailed(transport, remote, p.method(), r);
            throw r;
        }
        principal = p;
        this.authorization = authorization;
        return p;
    }

    /** The principal, or null before the first admitted request. */
    public Principal principal() {
        return principal;
    }

    public String transport() {
        return transport;
    }
}
