package io.peregrine.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Static API keys, sent as {@code Authorization: Bearer <key>}. Keys are held only as SHA-256
 * digests and looked up by digest, so neither a key nor its comparison time is in memory to
 * leak; a file may list a digest ({@code sha256:<hex>}) instead of the key itself.
 *
 * <p>The key file has one key per line: {@code <principal> <key | sha256:hex> [scope ...]}; blank
 * lines and lines starting with {@code #} are skipped.
 */
public final class ApiKeyAuthenticator implements Authenticator {

    private final Map<String, Principal> byDigest;

    private ApiKeyAuthenticator(Map<String, Principal> byDigest) {
        this.byDigest = Map.copyOf(byDigest);
    }

    /** Starts a set of keys. */
    public static Builder builder() {
        return new Builder();
    }

    /** Reads a key file (see the class comment). */
    public static ApiKeyAuthenticator fromFile(Path file) throws IOException {
        Builder b = builder();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length < 2) {
                throw new IllegalArgumentException(file + ":" + (i + 1)
                        + " : \"" + line + "\" (expected: <principal> <key | sha256:hex> [scope ...])");
            }
            List<String> scopes = Arrays.asList(parts).subList(2, parts.length);
            if (parts[1].startsWith("sha256:")) {
                b.digest(parts[0], parts[1].substring("sha256:".length()), scopes);
            } else {
                b.key(parts[0], parts[1], scopes);
            }
        }
        return b.build();
    }

    @Override
    public Principal authenticate(String authorization) throws Refusal {
        String key = Authenticator.bearerToken(authorization);
        if (key == null) {
            throw Refusal.missingCredentials(authorization == null
                    ? "Authentication required: send an API key as \"Authorization: Bearer <key>\""
                    : "Authentication required: the Authorization value is not \"Bearer <key>\"");
        }
        Principal p = byDigest.get(sha256Hex(key));
        if (p == null) {
            throw Refusal.invalidToken("Invalid API key");
        }
        return p;
    }

    @Override
    public String scheme() {
        return "api-key";
    }

    static String sha256Hex(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(64);
            for (byte b : d) {
                sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** Collects keys; a principal may have several. */
    public static final class Builder {
        private final Map<String, Principal> byDigest = new HashMap<>();

        private Builder() {
        }

        /** {@code key} authenticates {@code principal} with {@code scopes}. */
        public Builder key(String principal, String key, List<String> scopes) {
            Objects.requireNonNull(key, "key");
            if (key.length() < 16) {
                throw new IllegalArgumentException("API key of " + principal + " : " + key.length()
                        + " characters (expected: at least 16)");
            }
            return digest(principal, sha256Hex(key), scopes);
        }

        /** A key given by its SHA-256 digest in hex. */
        public Builder digest(String principal, String sha256Hex, List<String> scopes) {
            Objects.requireNonNull(principal, "principal");
            String d = sha256Hex.toLowerCase(java.util.Locale.ROOT);
            if (!d.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 digest of " + principal + " : " + sha256Hex
                        + " (expected: 64 hex digits)");
            }
            byDigest.put(d, new Principal(principal, "api-key", Grants.of(scopes), Long.MAX_VALUE));
            return this;
        }

        public ApiKeyAuthenticator build() {
            if (byDigest.isEmpty()) {
                throw new IllegalArgumentException("API keys : none (expected: at least one)");
            }
            return new ApiKeyAuthenticator(byDigest);
        }
    }
}
