package io.peregrine.policy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Makes JWTs for tests, good and bad. */
public final class Tokens {

    public static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256!";

    private Tokens() {
    }

    /** Claims valid for an hour: subject, audience peregrine, issuer https://issuer.test, scopes. */
    public static JWTClaimsSet.Builder claims(String subject, String scope) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .subject(subject)
                .audience("peregrine")
                .issuer("https://issuer.test")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .claim("scope", scope);
    }

    public static String hs256(JWTClaimsSet claims) {
        return hs256(claims, SECRET);
    }

    public static String hs256(JWTClaimsSet claims, String secret) {
        try {
            return sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String signed(JWK key, JWTClaimsSet claims) {
        try {
            if (key instanceof RSAKey) {
                return sign(new RSASSASigner((RSAKey) key),
                        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            }
            return sign(new ECDSASigner((ECKey) key),
                    new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    private static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** A JWK set document of public keys. */
    public static String jwks(List<JWK> keys) {
        return new com.nimbusds.jose.jwk.JWKSet(keys).toPublicJWKSet().toString();
    }
}
