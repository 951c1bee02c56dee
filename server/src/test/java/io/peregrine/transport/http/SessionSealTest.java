package io.peregrine.transport.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SessionSeal}: what opens, what does not (each byte changed, another key, too old), and the id's form. */
class SessionSealTest {

    private static final long HOUR = 3_600_000;
    private static final long NOW = 1_780_000_000_000L;
    private static final byte[] STATE = ("{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"client\",\"version\":\"1.0\"}}").getBytes(StandardCharsets.UTF_8);

    private final SessionSeal seal = new SessionSeal("a-secret-of-sixteen-or-more", HOUR);

    @Test
    void anIdOpensToItsStateUntilItsMaxAge() {
        String id = seal.seal(STATE, NOW);
        System.out.println("sealed id for " + STATE.length + " bytes of state: " + id.length() + " characters");
        assertThat(id).matches("[A-Za-z0-9_-]+").hasSize(((1 + 12 + 8 + 16 + STATE.length) * 4 + 2) / 3);
        assertThat(seal.unseal(id, NOW)).isEqualTo(STATE);
        assertThat(seal.unseal(id, NOW + HOUR)).isEqualTo(STATE);
        assertThat(seal.unseal(id, NOW + HOUR + 1000)).as("older than the max age").isNull();
        assertThat(seal.seal(STATE, NOW)).as("a fresh nonce each time").isNotEqualTo(id);
    }

    @Test
    void everyChangedByteAndAnotherKeyAreRefused() {
        byte[] raw = Base64.getUrlDecoder().decode(seal.seal(STATE, NOW));
        for (int i = 0; i < raw.length; i++) {
            byte[] tampered = raw.clone();
            tampered[i] ^= 1;
            assertThat(seal.unseal(Base64.getUrlEncoder().withoutPadding().encodeToString(tampered), NOW)).as("byte " + i).isNull();
        }
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThat(new SessionSeal("another-secret-of-sixteen", HOUR).unseal(id, NOW)).isNull();
        assertThat(new SessionSeal("a-secret-of-sixteen-or-more", HOUR).unseal(id, NOW)).as("same secret, same key").isEqualTo(STATE);
        assertThat(seal.unseal(id.substring(0, id.length() - 1), NOW)).isNull();
        assertThat(seal.unseal("", NOW)).isNull();
        assertThat(seal.unseal("not base64!", NOW)).isNull();
    }

    @Test
    void onlyTheVerySpellingSealedOpens() {
        // A state whose sealed bytes leave one byte over a multiple of three: the id's last character
        // carries four unused bits, and a decoder would also take "==" after it.
        byte[] state = java.util.Arrays.copyOf(STATE, STATE.length + (3 - (1 + 12 + 8 + 16 + STATE.length + 2) % 3) % 3);
        String id = seal.seal(state, NOW);
        assertThat(Base64.getUrlDecoder().decode(id).length % 3).isEqualTo(1);
        assertThat(seal.unseal(id, NOW)).isEqualTo(state);
        assertThat(Base64.getUrlDecoder().decode(id + "==")).as("the decoder takes padding").isEqualTo(Base64.getUrlDecoder().decode(id));
        assertThat(seal.unseal(id + "==", NOW)).as("padded").isNull();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(id.charAt(id.length() - 1));
        String strayBits = id.substring(0, id.length() - 1) + alphabet.charAt(last | 1);
        assertThat(strayBits).isNotEqualTo(id);
        assertThat(Base64.getUrlDecoder().decode(strayBits)).as("the decoder ignores the unused bits").isEqualTo(Base64.getUrlDecoder().decode(id));
        assertThat(seal.unseal(strayBits, NOW)).as("unused bits set").isNull();
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new SessionSeal("short", HOUR)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16");
    }
}
