package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Handlers given to one call ({@link CallHandlers}) against a real server: they take precedence
 * over the client's own for the requests tied to the call, by its response stream on Streamable
 * HTTP, by being alone in flight elsewhere, by its own input_required rounds in 2026-07-28.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallHandlersTest {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}";

    private static Peregrine server;
    private static volatile CountDownLatch holding = new CountDownLatch(2);
    private static volatile CountDownLatch answered = new CountDownLatch(2);

    @BeforeAll
    static void start() throws Exception {
        server = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
                .tool(Tool.builder("two_names").description("Asks two names at once").blocking(true)
                        .handler((args, ctx) -> {
                            List<Object> a = ctx.ask(Elicitation.form("first?", SCHEMA), Elicitation.form("second?", SCHEMA));
                            return ToolResult.text(((ElicitResult) a.get(0)).string("name") + " "
                                    + ((ElicitResult) a.get(1)).string("name"));
                        }).build())
                .tool(Tool.builder("hold").description("Waits for a second call, then asks").blocking(true)
                        .handler((args, ctx) -> {
                            holding.countDown();
                            holding.await(20, TimeUnit.SECONDS);
                            String name;
                            try {
                                name = ctx.elicit(Elicitation.form("name?", SCHEMA)).string("name");
                            } catch (ClientRequestException e) {
                                name = "error " + e.getMessage();
                            }
                            // Neither call ends before both questions are answered: both are asked
                            // while both calls are in flight, however the threads are scheduled.
                            answered.countDown();
                            answered.await(20, TimeUnit.SECONDS);
                            return ToolResult.text(name);
                        }).build())
                .tool(Tool.builder("chatty").description("Logs").blocking(true)
                        .handler((args, ctx) -> {
                            ctx.log(LogLevel.INFO, "chatty", "told");
                            return ToolResult.text("done");
                        }).build())
                .build();
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static PeregrineClient.Builder client(String transport, String version) {
        PeregrineClient.Builder b = PeregrineClient.builder().protocolVersion(version).requestTimeout(Duration.ofSeconds(20));
        return transport.equals("tcp") ? b.address(server.addresses().tcp())
                : b.url("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
    }

    private static Map<String, Object> named(String name) {
        return Map.of("action", "accept", "content", Map.of("name", name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25", "http 2025-11-25", "tcp 2026-07-28", "http 2026-07-28"})
    void theCallsHandlersAnswerItsQuestionsInTheOrderAsked(String setup) throws Exception {
        String[] s = setup.split(" ");
        AtomicInteger linkAsked = new AtomicInteger();
        try (PeregrineClient c = client(s[0], s[1]).onElicitation(p -> {
            linkAsked.incrementAndGet();
            return named("link");
        }).connect()) {
            List<String> order = new CopyOnWriteArrayList<>();
            CallHandlers mine = CallHandlers.create().onElicitation(p -> {
                String message = (String) p.get("message");
                order.add(message);
                if (message.equals("first?")) {
                    Thread.sleep(50); // the second waits for the first: one at a time
                }
                return named(message.equals("first?") ? "Ada" : "Grace");
            });
            PendingCall call = c.callToolAsync("two_names", Map.of(), null, mine);
            assertThat(call.result().get(20, TimeUnit.SECONDS).text()).isEqualTo("Ada Grace");
            assertThat(order).containsExactly("first?", "second?");
            assertThat(linkAsked).hasValue(0);
            assertThat(c.callsInFlight()).isZero();

            // Without handlers of its own for the method, a call's questions go to the client's.
            assertThat(c.callToolAsync("two_names", Map.of(), null, CallHandlers.create().onSampling(p -> Map.of()))
                    .result().get(20, TimeUnit.SECONDS).text()).isEqualTo("link link");
            assertThat(linkAsked).hasValue(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "http"})
    void twoCallsInFlight(String transport) throws Exception {
        holding = new CountDownLatch(2);
        answered = new CountDownLatch(2);
        try (PeregrineClient c = client(transport, "2025-11-25").onElicitation(p -> named("link")).connect()) {
            PendingCall a = c.callToolAsync("hold", Map.of(), null, CallHandlers.create().onElicitation(p -> named("a")));
            PendingCall b = c.callToolAsync("hold", Map.of(), null, CallHandlers.create().onElicitation(p -> named("b")));
            String first = a.result().get(20, TimeUnit.SECONDS).text();
            String second = b.result().get(20, TimeUnit.SECONDS).text();
            if (transport.equals("http")) {
                // Each question came on its call's response stream.
                assertThat(List.of(first, second)).containsExactly("a", "b");
            } else {
                // Nothing says which call asked: the client's own handler answers both.
                assertThat(List.of(first, second)).containsExactly("link", "link");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp 2025-11-25", "http 2025-11-25", "tcp 2026-07-28"})
    void theCallsLogMessagesGoToItsListener(String setup) throws Exception {
        String[] s = setup.split(" ");
        List<String> client = new CopyOnWriteArrayList<>();
        List<Object> call = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(s[0], s[1]).onNotification((m, p) -> client.add(m)).connect()) {
            c.setLoggingLevel("info");
            assertThat(c.callToolAsync("chatty", Map.of(), null, CallHandlers.create().onLog((m, p) -> call.add(p.get("data"))))
                    .result().get(20, TimeUnit.SECONDS).text()).isEqualTo("done");
            assertThat(call).containsExactly("told");
            assertThat(client).doesNotContain("notifications/message");
            // A call without a log listener: the client's listener hears it, as before.
            c.callTool("chatty", Map.of());
            io.peregrine.testing.Await.until(() -> client.contains("notifications/message"), "the client's listener hears it");
        }
    }

    @Test
    void handlersAreImmutable() {
        CallHandlers none = CallHandlers.create();
        CallHandlers some = none.onSampling(p -> Map.of());
        assertThat(none.handles("sampling/createMessage")).isFalse();
        assertThat(some.handles("sampling/createMessage")).isTrue();
        assertThat(some.handles("roots/list")).isFalse();
    }

    @Test
    void aSetMadeAtOnceHoldsWhatItWasGiven() {
        ClientRequestHandler roots = p -> Map.of("roots", java.util.List.of());
        java.util.function.BiConsumer<String, Map<String, Object>> log = (m, p) -> { };
        CallHandlers made = CallHandlers.of(null, p -> Map.of(), roots, log);
        assertThat(made.handles("elicitation/create")).isFalse();
        assertThat(made.handles("sampling/createMessage")).isTrue();
        assertThat(made.handler("roots/list")).isSameAs(roots);
        assertThat(made.log()).isSameAs(log);
        assertThat(CallHandlers.of(null, null, null, null).isEmpty()).isTrue();
    }
}
