package io.peregrine.client;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** A request's rounds: answered input, and one resend after a HeaderMismatch. */
class RoundsTest {

    private final PendingRequests pending = new PendingRequests(abandoned -> { });

    @Test
    void aHeaderMismatchIsSentOnceMoreWithFreshHeaders() {
        PendingRequest first = pending.add(1, "tools/call", null);
        PendingRequest second = pending.add(2, "tools/call", null);
        List<String> resent = new java.util.ArrayList<>();
        Rounds<String> call = new Rounds<String>(first, r -> String.valueOf(r.get("text")), null, null, 0)
                .retryOnHeaderMismatch(() -> {
                    resent.add("again");
                    return CompletableFuture.completedFuture(second);
                });
        first.fail(new McpClientException(-32020, "Header mismatch: Mcp-Param-Region is required", null));
        assertThat(call.result()).isNotDone();
        assertThat(resent).containsExactly("again");
        second.complete(Map.of("text", "ok"));
        assertThat(call.result()).isCompletedWithValue("ok");
    }

    @Test
    void aSecondHeaderMismatchFailsTheCall() {
        PendingRequest first = pending.add(1, "tools/call", null);
        PendingRequest second = pending.add(2, "tools/call", null);
        Rounds<String> call = new Rounds<String>(first, r -> "never", null, null, 0)
                .retryOnHeaderMismatch(() -> CompletableFuture.completedFuture(second));
        first.fail(new McpClientException(-32020, "Header mismatch: first", null));
        second.fail(new McpClientException(-32020, "Header mismatch: second", null));
        assertThat(call.result()).isCompletedExceptionally();
        assertThat(call.result().handle((v, f) -> f.getMessage()).join()).isEqualTo("Header mismatch: second");
    }

    @Test
    void inputRequiredRoundsAreAnsweredAndTheRequestRetried() {
        PendingRequest first = pending.add(1, "prompts/get", null);
        PendingRequest second = pending.add(2, "prompts/get", null);
        Rounds<Object> get = new Rounds<>(first, r -> r.get("messages"),
                requests -> CompletableFuture.completedFuture(Map.of("q", Map.of("action", "accept"))),
                (responses, state) -> {
                    assertThat(responses).containsKey("q");
                    assertThat(state).isEqualTo("s1");
                    return second;
                }, 4);
        first.complete(Map.of("resultType", "input_required", "inputRequests",
                Map.of("q", Map.of("method", "elicitation/create")), "requestState", "s1"));
        second.complete(Map.of("resultType", "complete", "messages", List.of()));
        assertThat(get.result()).isCompletedWithValue(List.of());
    }
}
