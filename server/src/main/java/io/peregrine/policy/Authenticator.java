package io.peregrine.policy;

/**
 * Decides who presented an {@code Authorization} value. Transport-neutral: a WebSocket upgrade
 * passes its header, the HTTP transport the header of each request, TCP the
 * {@code _meta["io.peregrine/authorization"]} of the first request; each renders a
 * {@link Refusal} its own way. Called once per connection (or HTTP session), not per message,
 * so implementations may take their time; they must be safe to call from any thread.
 */
public interface Authenticator {

    /**
     * @param authorization the value as sent ({@code "Bearer eyJ..."}), or null when none was sent
     * @return the principal, never null
     * @throws Refusal with {@link Refusal.Reason#UNAUTHENTICATED} when there is no valid credential
     */
    Principal authenticate(String authorization) throws Refusal;

    /** Whether credentials are required; false only for {@link #none()}. */
    default boolean requiresCredentials() {
        return true;
    }

    /** A short name for logs and the protected-resource metadata: none, api-key, jwt. */
    String scheme();

    /** No authentication: everyone is {@link Principal#ANONYMOUS}. */
    static Authenticator none() {
        return NoAuthenticator.INSTANCE;
    }

    /** The token of {@code Bearer <token>} (scheme matched case-insensitively), or null when it is not one. */
    static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() > 7 && a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = a.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }
}

/** {@link Authenticator#none()}. */
final class NoAuthenticator implements Authenticator {

    static final NoAuthenticator INSTANCE = new NoAuthenticator();

    @Override
    public Principal authenticate(String authorization) {
        return Principal.ANONYMOUS;
    }

    @Override
    public boolean requiresCredentials() {
        return false;
    }

    @Override
    public String scheme() {
        return "none";
    }
}
