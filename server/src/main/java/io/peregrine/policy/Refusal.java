package io.peregrine.policy;

/**
 * A request that policy refused, with everything each transport needs to say so: an HTTP status
 * (401, 403, 429), for 401 the {@code WWW-Authenticate} challenge, for 403 the missing scope, for
 * 429 when to retry. The MCP core turns it into a JSON-RPC error carrying the same facts in
 * {@code data}. Stackless: refusals are answers, not bugs.
 */
public final class Refusal extends Exception {

    /** Why a request was refused. */
    public enum Reason {
        /** No credentials, or credentials that are not valid (HTTP 401). */
        UNAUTHENTICATED(401),
        /** Valid credentials that do not grant this (HTTP 403, {@code insufficient_scope}). */
        FORBIDDEN(403),
        /** A rate limit is exhausted for now (HTTP 429). */
        RATE_LIMITED(429);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int httpStatus() {
            return status;
        }
    }

    private final Reason reason;
    private final String oauthError;
    private final String scope;
    private final long retryAfterMillis;
    private final String limit;

    private Refusal(Reason reason, String message, String oauthError, String scope, long retryAfterMillis, String limit) {
        super(message, null, false, false);
        this.reason = reason;
        this.oauthError = oauthError;
        this.scope = scope;
        this.retryAfterMillis = retryAfterMillis;
        this.limit = limit;
    }

    /** No credentials were presented where they are required. */
    public static Refusal missingCredentials(String message) {
        return new Refusal(Reason.UNAUTHENTICATED, message, null, null, 0, null);
    }

    /** Credentials were presented and are not valid ({@code invalid_token}). */
    public static Refusal invalidToken(String message) {
        return new Refusal(Reason.UNAUTHENTICATED, message, "invalid_token", null, 0, null);
    }

    /** The principal lacks {@code scope} ({@code insufficient_scope}). */
    public static Refusal insufficientScope(String scope, String message) {
        return new Refusal(Reason.FORBIDDEN, message, "insufficient_scope", scope, 0, null);
    }

    /** The limit named {@code limit} refuses for {@code retryAfterMillis}. */
    public static Refusal rateLimited(String limit, long retryAfterMillis, String message) {
        return new Refusal(Reason.RATE_LIMITED, message, null, null, Math.max(1, retryAfterMillis), limit);
    }

    public Reason reason() {
        return reason;
    }

    public int httpStatus() {
        return reason.httpStatus();
    }

    /** The OAuth error code ({@code invalid_token}, {@code insufficient_scope}), or null. */
    public String oauthError() {
        return oauthError;
    }

    /** The missing scope of a 403, or null. */
    public String scope() {
        return scope;
    }

    /** How long to wait before retrying a 429, in milliseconds; 0 otherwise. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    /** Which limit refused ({@code global}, {@code principal}, {@code tool}, {@code principal-tool}, {@code connection}), or null. */
    public String limit() {
        return limit;
    }

    /**
     * The {@code WWW-Authenticate} value for a 401 or 403 (RFC 6750, with RFC 9728's
     * {@code resource_metadata} when {@code resourceMetadataUrl} is not null).
     */
    public String wwwAuthenticate(String resourceMetadataUrl) {
        StringBuilder sb = new StringBuilder("Bearer");
        String sep = " ";
        if (resourceMetadataUrl != null) {
            sb.append(sep).append("resource_metadata=\"").append(resourceMetadataUrl).append('"');
            sep = ", ";
        }
        if (oauthError != null) {
            sb.append(sep).append("error=\"").append(oauthError).append('"');
            sep = ", ";
            sb.append(sep).append("error_description=\"").append(quoted(getMessage())).append('"');
        }
        if (scope != null) {
            sb.append(sep).append("scope=\"").append(scope).append('"');
        }
        return sb.toString();
    }

    private static String quoted(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "'");
    }
}
