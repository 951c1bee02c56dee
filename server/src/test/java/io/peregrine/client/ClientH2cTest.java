package io.peregrine.client;

import io.peregrine.Peregrine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Streamable HTTP over cleartext HTTP/2 (prior knowledge) against Peregrine's h2c listener, in both eras. */
class ClientH2cTest {

    private static final long WAIT_SECONDS = 20;
    private static Peregrine server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        server = ClientKitServer.builder().noTcp().http("127.0.0.1", 0).h2c(true).build();
        url = "http://127.0.0.1:" + server.start().http().getPort() + "/mcp";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void callsStreamsAndCancelsOverHttp2(String version) throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = PeregrineClient.builder().url(url).h2c(true).protocolVersion(version)
                .onElicitation(params -> {
                    asked.add("elicitation");
                    return Map.of("action", "accept", "content", Map.of("name", "Ada"));
                })
                .requestTimeout(Duration.ofSeconds(WAIT_SECONDS)).connect()) {
            assertThat(c.tools()).extracting(ToolInfo::name).contains("echo", "slow");
            assertThat(c.callTool("echo", Map.of("message", "over h2")).text()).isEqualTo("over h2");

            List<Double> progress = new CopyOnWriteArrayList<>();
            PendingCall slow = c.callToolAsync("slow", Map.of("millis", 40, "steps", 4), (p, t, m) -> progress.add(p));
            assertThat(slow.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("slept 40");
            assertThat(progress).containsExactly(1.0, 2.0, 3.0, 4.0);

            assertThat(c.callTool("ask_name", Map.of()).text()).isEqualTo("Hello, Ada!");
            assertThat(asked).containsExactly("elicitation");

            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall cancelled = c.callToolAsync("slow", Map.of("millis", 60_000, "steps", 6000),
                    (p, t, m) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(cancelled.cancel("enough")).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (server.core().callsInFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(server.core().callsInFlight()).isZero();

            // Many calls at once share the one connection, each on a stream of its own.
            List<PendingCall> many = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                many.add(c.callToolAsync("echo", Map.of("message", "m" + i), null));
            }
            for (int i = 0; i < 32; i++) {
                assertThat(many.get(i).result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("m" + i);
            }
        }
    }
}
