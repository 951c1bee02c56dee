package io.peregrine.transport.http;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Seals the state of a 2025-era session into its {@code Mcp-Session-Id}, so that any replica
 * holding the same key can serve the session without shared storage: AES-256-GCM under a key
 * derived once, at start-up, from the configured secret with HKDF-SHA256, a random 96-bit nonce
 * per id. An id is {@code base64url(version ‖ nonce ‖ AES-GCM(issued-at seconds ‖ state))} without
 * padding, visible ASCII as {@code Mcp-Session-Id} requires; the version byte is authenticated too.
 * A forged, truncated, tampered or foreign id does not open, and neither does one older than the
 * max age. Thread-safe: each thread keeps its own {@link Cipher}.
 */
final class SessionSeal {

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int HEADER = 1 + NONCE_BYTES;
    private static final int OVERHEAD = HEADER + Long.BYTES + TAG_BITS / 8;
    private static final byte[] SALT = "peregrine mcp-session-id".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO = "aes-256-gcm v1".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final long maxAgeMillis;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(SessionSeal::newCipher);

    /**
     * @param secret       the configured secret ({@code gateway.session-key}), at least 16 characters
     * @param maxAgeMillis how long after it was issued an id still opens
     */
    SessionSeal(String secret, long maxAgeMillis) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("session key : at least 16 characters expected");
        }
        if (maxAgeMillis <= 0) {
            throw new IllegalArgumentException("maxAgeMillis : " + maxAgeMillis + " (expected: > 0)");
        }
        this.key = new SecretKeySpec(hkdfSha256(secret.getBytes(StandardCharsets.UTF_8)), "AES");
        this.maxAgeMillis = maxAgeMillis;
    }

    long maxAgeMillis() {
        return maxAgeMillis;
    }

    /** An id carrying {@code state}, issued at {@code nowMillis}. */
    String seal(byte[] state, long nowMillis) {
        byte[] out = new byte[OVERHEAD + state.length];
        out[0] = VERSION;
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
        byte[] plain = ByteBuffer.allocate(Long.BYTES + state.length).putLong(nowMillis / 1000).put(state).array();
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(out, 0, 1);
            c.doFinal(plain, 0, plain.length, out, HEADER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
        return BASE64URL.encodeToString(out);
    }

    /** The state {@code id} carries, or null when it does not open under this key or is older than the max age. */
    byte[] unseal(String id, long nowMillis) {
        byte[] in;
        try {
            in = Base64.getUrlDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // The decoder also takes padding and stray low bits in the last character: only the very
        // spelling sealed names the session, so that one session never answers to two ids.
        if (in.length < OVERHEAD || in[0] != VERSION || !id.equals(BASE64URL.encodeToString(in))) {
            return null;
        }
        byte[] plain;
        try {
            Cipher c = ciphers.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 1, NONCE_BYTES));
            c.updateAAD(in, 0, 1);
            plain = c.doFinal(in, HEADER, in.length - HEADER);
        } catch (GeneralSecurityException e) {
            return null;
        }
        long issuedMillis = ByteBuffer.wrap(plain).getLong() * 1000;
        if (nowMillis - issuedMillis > maxAgeMillis) {
            return null;
        }
        return Arrays.copyOfRange(plain, Long.BYTES, plain.length);
    }

    /** HKDF-SHA256 (RFC 5869) of {@code secret} to one 32-byte key: extract, then one block of expand. */
    private static byte[] hkdfSha256(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SALT, "HmacSHA256"));
            byte[] prk = mac.doFinal(secret);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(INFO);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }
}
