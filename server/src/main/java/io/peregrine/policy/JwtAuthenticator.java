package io.peregrine.policy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * JWT bearer tokens ({@code Authorization: Bearer <jwt>}), as the MCP authorization spec has
 * resource servers check them: the signature (HS256 with a shared secret, or RS256/ES256 with
 * keys from a JWKS URL), {@code exp} and {@code nbf} within a clock skew, {@code iss}, and
 * {@code aud}, which must name this server (the RFC 8707 resource indicator). Unsigned tokens
 * ({@code alg=none}) never pass.
 *
 * <p>The JWKS is fetched on first use and cached; a token whose {@code kid} is not in the cached
 * set triggers a refetch (a key rotation is picked up at once), at most once per
 * {@code jwksMinRefreshInterval}, so tokens with made-up key ids cannot make the server hammer
 * the identity provider. Signature checks and JWKS handling are nimbus-jose-jwt's; this class
 * checks the claims itself, for messages a person can act on.
 *
 * <p>The principal is {@code sub} (else {@code client_id}); its scopes come from {@code scope}
 * (space-separated) and {@code scp}, plus those configured for each of its {@code roles}.
 */
public final class JwtAuthenticator implements Authenticator {

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String issuer;
    private final String audience;
    private final long skewMillis;
    private final boolean requireExpiry;
    private final Map<String, List<String>> roles;
    private final LongSupplier clock;

    private JwtAuthenticator(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.skewMillis = b.clockSkew.toMillis();
        this.requireExpiry = b.requireExpiry;
        this.roles = Map.copyOf(b.roles);
        this.clock = b.clock;
        this.processor = new DefaultJWTProcessor<>();
        if (b.secret != null) {
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                    new ImmutableSecret<>(b.secret)));
        } else {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(b.jwksUrl,
                            new DefaultResourceRetriever(5_000, 5_000, 512 * 1024))
                    .cache(b.jwksCacheTtl.toMillis(), 5_000)
                    .rateLimited(b.jwksMinRefreshInterval.toMillis())
                    .retrying(false)
                    .build();
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                    Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        }
        // The claims are checked below, against this class's clock and with its messages.
        processor.setJWTClaimsSetVerifier((claims, context) -> { });
    }

    /** Starts a JWT authenticator; give it a secret or a JWKS URL, and the audience. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Principal authenticate(String authorization) throws Refusal {
        String token = Authenticator.bearerToken(authorization);
        if (token == null) {
            throw Refusal.missingCredentials(authorization == null
                    ? "Authentication required: send a token as \"Authorization: Bearer <jwt>\""
                    : "Authentication required: the Authorization value is not \"Bearer <jwt>\"");
        }
        String malformed = malformedSegment(token);
        if (malformed != null) {
            throw Refusal.invalidToken("Invalid token: not a JWT (" + malformed + ")");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw Refusal.invalidToken("Invalid token: not a JWT (" + e.getMessage() + ")");
        }
        if (jwt instanceof PlainJWT) {
            throw Refusal.invalidToken("Invalid token: unsigned tokens (alg=none) are not accepted");
        }
        if (!(jwt instanceof SignedJWT)) {
            throw Refusal.invalidToken("Invalid token: encrypted tokens are not accepted; send a signed JWT");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process((SignedJWT) jwt, null);
        } catch (BadJWSException e) {
            throw Refusal.invalidToken("Invalid token: the signature does not verify");
        } catch (BadJOSEException e) {
            throw Refusal.invalidToken("Invalid token: no key accepts it (algorithm "
                    + ((SignedJWT) jwt).getHeader().getAlgorithm() + ", kid "
                    + ((SignedJWT) jwt).getHeader().getKeyID() + ")");
        } catch (RateLimitReachedException e) {
            throw Refusal.invalidToken("Invalid token: its key (kid " + ((SignedJWT) jwt).getHeader().getKeyID()
                    + ") is unknown and the key set was refreshed too recently to look again");
        } catch (JOSEException e) {
            throw Refusal.invalidToken("Invalid token: its key could not be obtained (" + e.getMessage() + ")");
        }
        return principal(claims);
    }

    /**
     * What is wrong with the compact serialization, or null: every segment must be canonical
     * unpadded base64url (RFC 7515, section 2). nimbus-jose-jwt's decoder skips characters outside
     * the alphabet, so without this check "eyJ!hbGci..." would verify as "eyJhbGci...": the
     * signature would cover bytes other than those sent.
     */
    static String malformedSegment(String token) {
        int segment = 0;
        int start = 0;
        for (int i = 0; i <= token.length(); i++) {
            if (i < token.length() && token.charAt(i) != '.') {
                char c = token.charAt(i);
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    return String.format("segment %d holds a character outside base64url, U+%04X at offset %d",
                            segment + 1, (int) c, i);
                }
                continue;
            }
            String part = token.substring(start, i);
            if (part.length() % 4 == 1) {
                return "segment " + (segment + 1) + " is not base64url: its length leaves a lone character";
            }
            byte[] bytes = Base64.getUrlDecoder().decode(part);
            if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
                return "segment " + (segment + 1) + " is not canonical base64url: its last character has bits set that encode nothing";
            }
            segment++;
            start = i + 1;
        }
        return null;
    }

    private Principal principal(JWTClaimsSet claims) throws Refusal {
        long now = clock.getAsLong();
        Date exp = claims.getExpirationTime();
        if (exp == null && requireExpiry) {
            throw Refusal.invalidToken("Invalid token: it has no expiry (exp)");
        }
        if (exp != null && now > exp.getTime() + skewMillis) {
            throw Refusal.invalidToken("Invalid token: expired at " + exp.toInstant() + " (now " + Instant.ofEpochMilli(now)
                    + ", clock skew " + skewMillis / 1000 + " s)");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skewMillis < nbf.getTime()) {
            throw Refusal.invalidToken("Invalid token: not valid before " + nbf.toInstant() + " (now "
                    + Instant.ofEpochMilli(now) + ", clock skew " + skewMillis / 1000 + " s)");
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw Refusal.invalidToken("Invalid token: issuer " + quote(claims.getIssuer())
                    + " is not the expected " + quote(issuer));
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(audience)) {
            throw Refusal.invalidToken("Invalid token: audience " + (aud == null ? "(none)" : aud)
                    + " does not include this server, " + quote(audience));
        }
        String subject = claims.getSubject();
        if (subject == null) {
            Object clientId = claims.getClaim("client_id");
            subject = clientId instanceof String ? (String) clientId : null;
        }
        if (subject == null || subject.isEmpty()) {
            throw Refusal.invalidToken("Invalid token: it names no subject (sub or client_id)");
        }
        List<String> scopes = new ArrayList<>();
        addAll(scopes, claims.getClaim("scope"));
        addAll(scopes, claims.getClaim("scp"));
        List<String> tokenRoles = new ArrayList<>();
        addAll(tokenRoles, claims.getClaim("roles"));
        for (String role : tokenRoles) {
            scopes.addAll(roles.getOrDefault(role, List.of()));
        }
        long expires = exp == null ? Long.MAX_VALUE : exp.getTime() + skewMillis;
        return new Principal(subject, "jwt", Grants.of(scopes), expires);
    }

    private static void addAll(List<String> out, Object claim) {
        if (claim instanceof String) {
            for (String s : ((String) claim).trim().split("\\s+")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        } else if (claim instanceof Collection) {
            for (Object o : (Collection<?>) claim) {
                if (o instanceof String) {
                    out.add((String) o);
                }
            }
        }
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "\"" + s + "\"";
    }

    /** The audience tokens must name. */
    public String audience() {
        return audience;
    }

    @Override
    public String scheme() {
        return "jwt";
    }

    /** Configures a {@link JwtAuthenticator}. */
    public static final class Builder {
        private byte[] secret;
        private URL jwksUrl;
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(30);
        private Duration jwksCacheTtl = Duration.ofMinutes(5);
        private Duration jwksMinRefreshInterval = Duration.ofSeconds(30);
        private boolean requireExpiry = true;
        private final Map<String, List<String>> roles = new LinkedHashMap<>();
        private LongSupplier clock = System::currentTimeMillis;

        private Builder() {
        }

        /** HS256 with this shared secret (at least 32 bytes, as RFC 7518 asks of HS256 keys). */
        public Builder hs256Secret(String secret) {
            Objects.requireNonNull(secret, "secret");
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32) {
                throw new IllegalArgumentException("HS256 secret : " + bytes.length + " bytes (expected: at least 32)");
            }
            this.secret = bytes;
            return this;
        }

        /** RS256 and ES256 with keys from this JWKS URL. */
        public Builder jwksUrl(String url) {
            Objects.requireNonNull(url, "url");
            try {
                this.jwksUrl = URI.create(url).toURL();
            } catch (IllegalArgumentException | MalformedURLException e) {
                throw new IllegalArgumentException("jwksUrl : " + url + " (expected: an http or https URL)");
            }
            return this;
        }

        /** The {@code iss} tokens must carry; default: not checked. */
        public Builder issuer(String issuer) {
            this.issuer = issuer == null || issuer.isEmpty() ? null : issuer;
            return this;
        }

        /** The {@code aud} tokens must include: this server's resource identifier. Required. */
        public Builder audience(String audience) {
            Objects.requireNonNull(audience, "audience");
            if (audience.isEmpty()) {
                throw new IllegalArgumentException("audience : \"\" (expected: this server's resource identifier)");
            }
            this.audience = audience;
            return this;
        }

        /** Tolerance for clocks that disagree, on {@code exp} and {@code nbf}; default 30 s. */
        public Builder clockSkew(Duration skew) {
            Objects.requireNonNull(skew, "skew");
            if (skew.isNegative()) {
                throw new IllegalArgumentException("clockSkew : " + skew + " (expected: >= 0)");
            }
            this.clockSkew = skew;
            return this;
        }

        /** How long a fetched JWKS is used before it is fetched again; default 5 minutes. */
        public Builder jwksCacheTtl(Duration ttl) {
            this.jwksCacheTtl = positive("jwksCacheTtl", ttl);
            return this;
        }

        /** The least time between two JWKS fetches, however many unknown key ids arrive; default 30 s. */
        public Builder jwksMinRefreshInterval(Duration interval) {
            this.jwksMinRefreshInterval = positive("jwksMinRefreshInterval", interval);
            return this;
        }

        /** Refuse tokens without {@code exp}; default true. */
        public Builder requireExpiry(boolean require) {
            this.requireExpiry = require;
            return this;
        }

        /** Tokens whose {@code roles} claim holds {@code role} get {@code scopes} too. */
        public Builder role(String role, List<String> scopes) {
            roles.put(Objects.requireNonNull(role, "role"), List.copyOf(scopes));
            return this;
        }

        /** The clock (epoch milliseconds) {@code exp} and {@code nbf} are checked against; for tests. */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JwtAuthenticator build() {
            if ((secret == null) == (jwksUrl == null)) {
                throw new IllegalArgumentException("JWT keys : " + (secret == null ? "none" : "both a secret and a JWKS URL")
                        + " (expected: an HS256 secret or a JWKS URL)");
            }
            if (audience == null) {
                throw new IllegalArgumentException("audience : none (expected: this server's resource identifier)");
            }
            if (jwksMinRefreshInterval.compareTo(jwksCacheTtl) >= 0) {
                throw new IllegalArgumentException("jwksMinRefreshInterval : " + jwksMinRefreshInterval
                        + " (expected: < jwksCacheTtl " + jwksCacheTtl + ")");
            }
            return new JwtAuthenticator(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " : " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
