package io.peregrine.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.peregrine.mcp.RequestStateProbe;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code requestState} of 2026-07-28 input rounds (sealed with HMAC-SHA256 by the server,
 * echoed by the client).
 *
 * <p>Input: byte 0 chooses. Even: the rest is a state as a client might send it, opened for a
 * request, and also digested as the request's arguments. Odd: the rest is a list of edits (three
 * bytes each: what, where, which byte) applied to a state the server sealed. Invariants: opening
 * either gives back exactly the answers sealed or refuses with {@code -32602} and a message that
 * says how to start over, nothing else escapes; only the very string sealed opens (no altered,
 * padded or re-encoded variant does); the argument digest never throws.
 */
class RequestStateFuzzTest {

    private static final long NOW = 1_900_000_000_000L;
    private static final Map<String, Object> ANSWERS = Map.of("confirm", Map.of("action", "accept",
            "content", Map.of("ok", true)));

    private final RequestStateProbe states = new RequestStateProbe(
            "a-request-state-key-of-32-bytes!".getBytes(StandardCharsets.UTF_8), 60_000, () -> NOW);
    private final String digest = RequestStateProbe.digest(Unpooled.copiedBuffer("{\"a\":1}", StandardCharsets.UTF_8));
    private final String sealed = states.seal("tools/call", "ask", digest, "jwt:alice", ANSWERS);
    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void opensOnlyWhatItSealed(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String state;
        if ((data[0] & 1) == 0) {
            state = new String(data, 1, data.length - 1, StandardCharsets.UTF_8);
            assertThat(RequestStateProbe.digest(Unpooled.wrappedBuffer(data, 1, data.length - 1))).hasSize(22);
        } else {
            state = edit(sealed, data);
        }
        try {
            Map<String, Object> answers = states.open(state, "tools/call", "ask", digest, "jwt:alice");
            assertThat(state).as("a state that opened").isEqualTo(sealed);
            assertThat(answers).isEqualTo(ANSWERS);
        } catch (RpcException e) {
            assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
            assertThat(e.getMessage()).startsWith("Invalid requestState: ");
            assertThat(state).as("the sealed state was refused: " + e.getMessage()).isNotEqualTo(sealed);
        }
        rhythm.afterInput();
    }

    /** Applies the edits of {@code data[1..]}: 0 replace, 1 insert, 2 delete, at a position modulo the length. */
    private static String edit(String s, byte[] data) {
        StringBuilder t = new StringBuilder(s);
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
