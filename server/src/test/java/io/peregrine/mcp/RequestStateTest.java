package io.peregrine.mcp;

import io.netty.buffer.Unpooled;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sealing and opening 2026-07-28 request states, on a clock the test moves. */
class RequestStateTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    private static final String ME = "bearer:alice";

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RequestState states = new RequestState(KEY, 60_000, now::get);
    private final String digest = RequestState.digest(json("{\"a\": 1}"));

    /** Wrapped, not copied: nothing to release. */
    private static io.netty.buffer.ByteBuf json(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSealedStateOpensWithItsAnswers() throws Exception {
        String state = states.seal("tools/call", "t", digest, ME, Map.of("k", Map.of("action", "accept")));
        assertThat(states.open(state, "tools/call", "t", digest, ME)).isEqualTo(Map.of("k", Map.of("action", "accept")));
    }

    @Test
    void theDigestIgnoresWhitespaceBetweenTokensButNotInStrings() {
        assertThat(RequestState.digest(json("{ \"a\" :\n1 }"))).isEqualTo(digest);
        assertThat(RequestState.digest(json("{\"a \":1}"))).isNotEqualTo(digest);
        assertThat(RequestState.digest(null)).isEqualTo(RequestState.digest(json("{}")));
    }

    @Test
    void anAlteredStateFailsVerification() {
        String state = states.seal("tools/call", "t", digest, ME, Map.of());
        String payload = state.substring(0, state.indexOf('.'));
        String tag = state.substring(state.indexOf('.') + 1);
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8)
                        .replace("\"a\":{}", "\"a\":{\"k\":{\"action\":\"accept\"}}").getBytes(StandardCharsets.UTF_8));
        for (String bad : new String[] {state + "x", otherPayload + "." + tag, payload + "." + tag.substring(1),
                "not-a-state", "", ".", "a.b.c", payload}) {
            assertThatThrownBy(() -> states.open(bad, "tools/call", "t", digest, ME))
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
                        assertThat(e.getMessage()).contains("failed verification");
                    });
        }
        RequestState otherKey = new RequestState("another key, also long enough".getBytes(StandardCharsets.UTF_8),
                60_000, now::get);
        assertThatThrownBy(() -> otherKey.open(state, "tools/call", "t", digest, ME)).hasMessageContaining("failed verification");
    }

    @Test
    void aStateExpiresAfterItsTtl() throws Exception {
        String state = states.seal("tools/call", "t", digest, ME, Map.of());
        now.addAndGet(59_999);
        assertThat(states.open(state, "tools/call", "t", digest, ME)).isEmpty();
        now.addAndGet(1);
        assertThatThrownBy(() -> states.open(state, "tools/call", "t", digest, ME))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
                    assertThat(e.getMessage()).contains("expired 0 ms ago").contains("60000 ms");
                });
    }

    @Test
    void aStateIsBoundToItsPrincipal() {
        String state = states.seal("tools/call", "t", digest, ME, Map.of());
        assertThatThrownBy(() -> states.open(state, "tools/call", "t", digest, "bearer:mallory"))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS);
                    assertThat(e.getMessage()).contains("another principal");
                });
    }

    @Test
    void aStateIsBoundToItsRequest() {
        String state = states.seal("tools/call", "t", digest, ME, Map.of());
        String otherArgs = RequestState.digest(json("{\"a\":2}"));
        assertThatThrownBy(() -> states.open(state, "tools/call", "u", digest, ME)).hasMessageContaining("issued for tools/call of t");
        assertThatThrownBy(() -> states.open(state, "prompts/get", "t", digest, ME)).hasMessageContaining("not for this prompts/get");
        assertThatThrownBy(() -> states.open(state, "tools/call", "t", otherArgs, ME)).hasMessageContaining("other arguments");
    }
}
