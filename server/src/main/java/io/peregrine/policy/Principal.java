package io.peregrine.policy;

import java.util.Objects;

/**
 * Who a connection speaks for, fixed once it is authenticated: a name, what it may do, and until
 * when. A token's expiry ends what it allowed: past {@link #expiresAtMillis()} every request is
 * refused until the client authenticates again (as the same principal).
 */
public final class Principal {

    /** The principal of listeners without authentication: may do everything, never expires. */
    public static final Principal ANONYMOUS = new Principal("anonymous", "none", Grants.ALL, Long.MAX_VALUE);

    private final String name;
    private final String method;
    private final Grants grants;
    private final long expiresAtMillis;

    /**
     * @param name            the subject, as audit lines and per-principal limits know it
     * @param method          how it was authenticated: none, api-key, jwt, client-certificate
     * @param grants          what it may call
     * @param expiresAtMillis epoch milliseconds after which it may do nothing ({@link Long#MAX_VALUE}: never)
     */
    public Principal(String name, String method, Grants grants, long expiresAtMillis) {
        this.name = Objects.requireNonNull(name, "name");
        this.method = Objects.requireNonNull(method, "method");
        this.grants = Objects.requireNonNull(grants, "grants");
        this.expiresAtMillis = expiresAtMillis;
    }

    public String name() {
        return name;
    }

    public String method() {
        return method;
    }

    public Grants grants() {
        return grants;
    }

    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    public boolean isExpired(long nowMillis) {
        return nowMillis > expiresAtMillis;
    }

    @Override
    public String toString() {
        return name + " (" + method + ")";
    }
}
