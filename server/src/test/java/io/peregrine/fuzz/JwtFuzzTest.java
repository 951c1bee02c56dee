package io.peregrine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jwt.JWTClaimsSet;
import io.peregrine.policy.JwtAuthenticator;
import io.peregrine.policy.Principal;
import io.peregrine.policy.Refusal;
import io.peregrine.policy.Tokens;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JWT verifier ({@link JwtAuthenticator}, HS256).
 *
 * <p>Input: byte 0 chooses. Even: the rest is the {@code Authorization} value as it comes. Odd: the
 * rest is a list of edits (three bytes each: what, where, which byte) applied to one valid token.
 * Invariants: a value is accepted or refused with a {@link Refusal}, nothing else escapes; a token
 * is accepted only when it is, byte for byte, the valid token (so no edit, whether it changes a
 * signed byte, inserts a character outside base64url or pads a segment, passes), and then it
 * names the subject it was issued to.
 */
class JwtFuzzTest {

    private static final long NOW = 1_900_000_000_000L;
    private static final String AUDIENCE = "https://peregrine.test/mcp";
    private static final String VALID = Tokens.hs256(new JWTClaimsSet.Builder()
            .subject("alice").audience(AUDIENCE).issuer("https://issuer.test")
            .issueTime(new Date(NOW - 60_000)).expirationTime(new Date(NOW + 3_600_000))
            .claim("scope", "tools:call").build());

    private final JwtAuthenticator verifier = JwtAuthenticator.builder()
            .hs256Secret(Tokens.SECRET).audience(AUDIENCE).issuer("https://issuer.test")
            .clock(() -> NOW).build();
    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void acceptsOnlyWellFormedSignedTokens(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String authorization;
        String token;
        if ((data[0] & 1) == 0) {
            authorization = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
            token = null;
        } else {
            token = edit(VALID, data);
            authorization = "Bearer " + token;
        }
        try {
            Principal p = verifier.authenticate(authorization);
            // Whitespace around the token is the header's, not the token's.
            assertThat(token == null ? null : token.trim())
                    .as("an accepted token that is not the one issued: %s", authorization).isEqualTo(VALID);
            assertThat(p.name()).isEqualTo("alice");
        } catch (Refusal r) {
            assertThat(r.getMessage()).isNotBlank();
            if (token != null && VALID.equals(token.trim())) {
                throw new AssertionError("the valid token was refused: " + r.getMessage(), r);
            }
        }
        rhythm.afterInput();
    }

    /** Applies the edits of {@code data[1..]}: 0 replace, 1 insert, 2 delete, at a position modulo the length. */
    private static String edit(String token, byte[] data) {
        StringBuilder t = new StringBuilder(token);
        for (int i = 1; i + 2 < data.length; i += 3) {
            int op = (data[i] & 0xFF) % 3;
            int at = (data[i + 1] & 0xFF) * 7 % (t.length() + 1);
            char c = (char) (data[i + 2] & 0xFF);
            if (op == 0 && at < t.length()) {
                t.setCharAt(at, c);
            } else if (op == 1) {
                t.insert(at, c);
            } else if (op == 2 && at < t.length()) {
                t.deleteCharAt(at);
            }
        }
        return t.toString();
    }
}
