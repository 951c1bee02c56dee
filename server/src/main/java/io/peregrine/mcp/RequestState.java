package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RpcException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Seals and opens the {@code requestState} of 2026-07-28 multi-round-trip requests.
 *
 * <p>A state is {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))}, the payload a
 * small JSON object: a format version, an expiry (epoch milliseconds), the principal, the method,
 * the name of the tool (or prompt) and a digest of the arguments it was issued for, and the answers
 * the client gave in earlier rounds. The client echoes it back unread; the server trusts nothing in
 * it until the MAC verifies, and then refuses it if it has expired or was issued for another
 * request. Its answers are what the client already said, so they are not secret; integrity is what
 * matters, and so the payload is signed, not encrypted.
 *
 * <p>Every refusal is {@code -32602} (invalid params), as the spec asks of state that fails
 * verification, with a message saying how to start over. The principal is the authenticated
 * caller ({@code method:name}, {@code none:anonymous} without authentication), so a state cannot be
 * replayed by someone else.
 */
final class RequestState {

    private static final String ALGORITHM = "HmacSHA256";
    private static final int VERSION = 1;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final long ttlMillis;
    private final LongSupplier clock;

    RequestState(byte[] key, long ttlMillis, LongSupplier clock) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.ttlMillis = ttlMillis;
        this.clock = clock;
    }

    long ttlMillis() {
        return ttlMillis;
    }

    /** A state for {@code method} of {@code name} with these arguments, carrying {@code answers}. */
    String seal(String method, String name, String argumentsDigest, String principal, Map<String, Object> answers) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("v", VERSION);
        payload.put("exp", clock.getAsLong() + ttlMillis);
        payload.put("p", principal);
        payload.put("m", method);
        payload.put("n", name);
        payload.put("h", argumentsDigest);
        payload.put("a", answers);
        byte[] bytes = JsonTree.toJson(payload).getBytes(StandardCharsets.UTF_8);
        return spelled(bytes, mac(bytes));
    }

    /** A state as {@link #seal} writes it: the payload and its tag in unpadded URL-safe Base64. */
    private static String spelled(byte[] payload, byte[] tag) {
        return BASE64URL.encodeToString(payload) + "." + BASE64URL.encodeToString(tag);
    }

    /**
     * The answers carried by {@code state}, once it is verified to be ours, unexpired and issued
     * for this very request.
     *
     * @throws RpcException -32602 when it is not
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> open(String state, String method, String name, String argumentsDigest, String principal)
            throws RpcException {
        int dot = state.indexOf('.');
        byte[] payload;
        byte[] tag;
        try {
            if (dot <= 0 || dot != state.lastIndexOf('.')) {
                throw forged();
            }
            payload = Base64.getUrlDecoder().decode(state.substring(0, dot));
            tag = Base64.getUrlDecoder().decode(state.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw forged();
        }
        // The decoder also takes padding and stray low bits in the last character: only the very
        // string sealed opens, not another spelling of the same bytes.
        if (!state.equals(spelled(payload, tag))) {
            throw forged();
        }
        if (!MessageDigest.isEqual(mac(payload), tag)) {
            throw forged();
        }
        Map<String, Object> fields;
        try {
            Object tree = JsonTree.parse(new String(payload, StandardCharsets.UTF_8));
            fields = (Map<String, Object>) tree;
        } catch (IOException | ClassCastException e) {
            throw forged(); // signed by us, so this cannot happen unless the key leaked
        }
        if (!Long.valueOf(VERSION).equals(fields.get("v")) || !(fields.get("exp") instanceof Long)
                || !(fields.get("a") instanceof Map)) {
            throw forged();
        }
        long expiredFor = clock.getAsLong() - (Long) fields.get("exp");
        if (expiredFor >= 0) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid requestState: it expired " + expiredFor
                    + " ms ago (request states are valid for " + ttlMillis + " ms); "
                    + "call again without requestState and inputResponses to start over");
        }
        if (!principal.equals(fields.get("p"))) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid requestState: it was issued to another "
                    + "principal; call again without requestState and inputResponses to start over");
        }
        if (!method.equals(fields.get("m")) || !name.equals(fields.get("n")) || !argumentsDigest.equals(fields.get("h"))) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid requestState: it was issued for "
                    + fields.get("m") + " of " + fields.get("n") + " with other arguments, not for this " + method
                    + " of " + name + "; send a request state only with the request it came from");
        }
        return (Map<String, Object>) fields.get("a");
    }

    private static RpcException forged() {
        return new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid requestState: it failed verification "
                + "(it was altered, or issued by another server or under another key); "
                + "call again without requestState and inputResponses to start over");
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * A digest of a request's arguments that ignores whitespace between tokens, so that a client
     * that re-encodes the same arguments for its retry still matches.
     */
    static String digest(ByteBuf arguments) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        if (arguments == null) {
            // No arguments and empty arguments are the same call.
            sha.update(new byte[] {'{', '}'});
        } else {
            boolean inString = false;
            boolean escaped = false;
            for (int i = arguments.readerIndex(); i < arguments.writerIndex(); i++) {
                byte b = arguments.getByte(i);
                if (inString) {
                    if (escaped) {
                        escaped = false;
                    } else if (b == '\\') {
                        escaped = true;
                    } else if (b == '"') {
                        inString = false;
                    }
                } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
                    continue;
                } else if (b == '"') {
                    inString = true;
                }
                sha.update(b);
            }
        }
        byte[] d = sha.digest();
        return BASE64URL.encodeToString(java.util.Arrays.copyOf(d, 16));
    }
}
