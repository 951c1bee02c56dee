package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The resilience of forwarded calls against real upstream servers: deadlines travel upstream in
 * {@code _meta}, breakers open on the upstream's health failures only and then refuse at once with
 * {@code retryAfterMs}, fallbacks answer marked as such, a cancelled call cancels the upstream's
 * work, a request that never left the client says so, and all of it shows in the metrics.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayResilienceTest {

    private final GatewayFixture fixture = new GatewayFixture();

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    private Peregrine upstream(Tool... tools) throws InterruptedException {
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO);
        for (Tool t : tools) {
            b.tool(t);
        }
        Peregrine p = b.build();
        fixture.closeLater(p);
        p.start();
        return p;
    }

    private Peregrine gateway(UpstreamSpec... specs) throws InterruptedException {
        return fixture.gateway(Peregrine.builder().tcp("127.0.0.1", 0).metrics(true), specs);
    }

    private PeregrineClient client(Peregrine gateway) throws Exception {
        return fixture.connect(PeregrineClient.builder().address(gateway.addresses().tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(30)));
    }

    private static String url(Peregrine p) {
        return "tcp://127.0.0.1:" + p.addresses().tcp().getPort();
    }

    private static String scrape(Peregrine p) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.metrics().exposition().write("text/plain", out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Tool hang(AtomicInteger started, AtomicInteger interrupted) {
        return Tool.builder("hang").blocking(true).timeout(Duration.ofSeconds(30)).handler((a, ctx) -> {
            started.incrementAndGet();
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return ToolResult.text("late");
        }).build();
    }

    @Test
    void theCallersDeadlineTravelsUpstreamShortenedByWhatWasSpent() throws Exception {
        Peregrine up = upstream(Tool.builder("deadline").blocking(true)
                .handler((a, ctx) -> ToolResult.text(Long.toString(ctx.remainingMillis()))).build());
        Peregrine gateway = gateway(UpstreamSpec.builder("svc").url(url(up)).callTimeout(Duration.ofSeconds(8)).build());
        PeregrineClient client = client(gateway);

        long plain = Long.parseLong(client.callTool("svc_deadline", Map.of()).text());
        assertThat(plain).as("the upstream's call-timeout bounds it").isBetween(6_000L, 8_000L + Forwarder.UPSTREAM_GRACE_MILLIS);

        CallToolResult shortened = client.callToolAsync("svc_deadline", Map.of(), null,
                Map.of(ToolContext.META_TIMEOUT_MS, 1_500)).result().get(10, TimeUnit.SECONDS);
        assertThat(Long.parseLong(shortened.text())).as("the client's own io.peregrine/timeoutMs, less what was spent, plus the gateway's grace")
                .isBetween(500L, 1_500L + Forwarder.UPSTREAM_GRACE_MILLIS);
    }

    @Test
    void aServerHonoursTheClientsDeadlineForAnyTool() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        Peregrine up = upstream(hang(started, interrupted));
        PeregrineClient direct = PeregrineClient.builder().address(up.addresses().tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(30)).connect();
        fixture.closeLater(direct);
        long t0 = System.nanoTime();
        CallToolResult r = direct.callToolAsync("hang", Map.of(), null, Map.of(ToolContext.META_TIMEOUT_MS, 300))
                .result().get(10, TimeUnit.SECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.isError()).isTrue();
        assertThat(took).as("ended at the client's 300 ms, not the tool's 30 s").isLessThan(5_000);
        Await.until(() -> interrupted.get() == 1, "the handler was stopped");
        assertThatThrownBy(() -> direct.callToolAsync("hang", Map.of(), null, Map.of(ToolContext.META_TIMEOUT_MS, "soon"))
                .result().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(McpClientException.class,
                        e -> assertThat(e.code()).isEqualTo(JsonRpcError.INVALID_PARAMS));
    }

    @Test
    void aDeadlineThatRunsOutCancelsUpstreamAndTheBreakerThenRefusesAtOnce() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        Peregrine up = upstream(hang(started, interrupted), io.peregrine.testing.TestTools.boom());
        Peregrine gateway = gateway(UpstreamSpec.builder("svc").url(url(up)).callTimeout(Duration.ofMillis(300))
                .resilience(ResilienceSpec.builder().circuitBreaker(true, 4, 4, 100, Duration.ofSeconds(20), 1).build())
                .build());
        PeregrineClient client = client(gateway);

        // A tool's own error result and an exception in it are answers, not failures of the upstream's health.
        for (int i = 0; i < 6; i++) {
            assertThat(client.callTool("svc_boom", Map.of()).isError()).isTrue();
        }
        assertThat(gateway.gateway().circuitStates("svc")).containsEntry("tool boom", 0);

        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> client.callTool("svc_hang", Map.of())).isInstanceOfSatisfying(McpClientException.class, e -> {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(JsonRpcError.UPSTREAM_TIMEOUT);
                assertThat(e.getMessage()).contains("Upstream svc did not answer tools/call hang within 300 ms");
                assertThat(e.data()).isEqualTo(Map.of("upstream", "svc", "tool", "hang"));
            });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 5_000L);
        }
        Await.until(() -> interrupted.get() == 4, "each timed-out call was cancelled at the upstream");
        assertThat(gateway.gateway().circuitStates("svc")).containsEntry("tool hang", 1);

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.callTool("svc_hang", Map.of())).isInstanceOfSatisfying(McpClientException.class, e -> {
            assertThat(e.code()).isEqualTo(JsonRpcError.UPSTREAM_UNAVAILABLE);
            assertThat(e.getMessage()).contains("Upstream svc").contains("circuit breaker").contains("hang");
            Map<?, ?> data = (Map<?, ?>) e.data();
            assertThat(data.get("upstream")).isEqualTo("svc");
            assertThat(data.get("tool")).isEqualTo("hang");
            assertThat(((Number) data.get("retryAfterMs")).longValue()).isBetween(1L, 20_000L);
        });
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("refused at once").isLessThan(250);
        assertThat(started.get()).as("the refused call never reached the upstream").isEqualTo(4);

        String metrics = scrape(gateway);
        assertThat(metrics).contains("peregrine_circuit_state{name=\"hang\",scope=\"tool\",upstream=\"svc\"} 1.0");
        assertThat(metrics).contains("mcp_client_operation_duration_seconds_count{error_type=\"timeout\",mcp_method_name=\"tools/call\",upstream=\"svc\"} 4");
        assertThat(metrics).contains("mcp_client_operation_duration_seconds_count{error_type=\"tool_error\",mcp_method_name=\"tools/call\",upstream=\"svc\"} 6");
        assertThat(metrics).contains("peregrine_circuit_transitions_total{scope=\"tool\",state=\"open\",upstream=\"svc\"} 1.0");
    }

    @Test
    void fallbacksAnswerWhenTheUpstreamCannotAndSaySo() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        Peregrine up = upstream(hang(started, interrupted),
                Tool.builder("also").blocking(true).handler((a, ctx) -> {
                    Thread.sleep(20_000);
                    return ToolResult.text("late");
                }).build());
        Peregrine backup = upstream(Tool.builder("forecast").blocking(false)
                .handler((a, ctx) -> ToolResult.text("backup forecast")).build());
        Peregrine gateway = gateway(
                UpstreamSpec.builder("svc").url(url(up)).callTimeout(Duration.ofMillis(200))
                        .resilience(ResilienceSpec.builder()
                                .circuitBreaker(true, 2, 2, 50, Duration.ofSeconds(20), 1)
                                .fallback("hang", ResilienceSpec.Fallback.text("cached forecast"))
                                .fallback("also", ResilienceSpec.Fallback.upstream("spare", "forecast"))
                                .build()).build(),
                UpstreamSpec.builder("spare").url(url(backup)).build());
        PeregrineClient client = client(gateway);

        CallToolResult first = client.callTool("svc_hang", Map.of());
        assertThat(first.text()).isEqualTo("cached forecast");
        assertThat(first.isError()).isFalse();
        Map<?, ?> mark = (Map<?, ?>) ((Map<?, ?>) first.asMap().get("_meta")).get("io.peregrine/fallback");
        assertThat(mark.get("upstream")).isEqualTo("svc");
        assertThat(mark.get("reason")).isEqualTo("timeout");
        assertThat(mark.get("source")).isEqualTo("static");
        client.callTool("svc_hang", Map.of());
        CallToolResult refused = client.callTool("svc_hang", Map.of());
        Map<?, ?> open = (Map<?, ?>) ((Map<?, ?>) refused.asMap().get("_meta")).get("io.peregrine/fallback");
        assertThat(open.get("reason")).isEqualTo("circuit_open");

        CallToolResult other = client.callTool("svc_also", Map.of());
        assertThat(other.text()).isEqualTo("backup forecast");
        assertThat(((Map<?, ?>) ((Map<?, ?>) other.asMap().get("_meta")).get("io.peregrine/fallback")).get("source"))
                .isEqualTo("spare/forecast");
        assertThat(scrape(gateway)).contains("peregrine_gateway_fallbacks_total{reason=\"circuit_open\",tool=\"hang\",upstream=\"svc\"} 1.0");
    }

    @Test
    void aCancelledCallCancelsTheUpstreamsWork() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        Peregrine up = upstream(hang(started, interrupted));
        Peregrine gateway = gateway(UpstreamSpec.builder("svc").url(url(up)).build());
        PeregrineClient client = client(gateway);
        PendingCall call = client.callToolAsync("svc_hang", Map.of(), null);
        Await.until(() -> started.get() == 1, "the upstream runs the call");
        call.cancel("changed my mind");
        Await.until(() -> interrupted.get() == 1, "the upstream's handler was stopped");
    }

    @Test
    void aRequestThatNeverLeftTheClientSaysSo() throws Exception {
        Peregrine up = upstream(io.peregrine.demo.EchoTool.create());
        PeregrineClient c = PeregrineClient.builder().address(up.addresses().tcp()).protocolVersion("2025-11-25")
                .reconnect(new io.peregrine.client.ReconnectPolicy(Duration.ofSeconds(30), Duration.ofSeconds(30), 3))
                .requestTimeout(Duration.ofSeconds(5)).connect();
        fixture.closeLater(c);
        up.close();
        Await.until(() -> !c.isConnected(), "the client saw the server go");
        assertThatThrownBy(() -> c.callTool("echo", Map.of("message", "x"))).isInstanceOfSatisfying(McpClientException.class, e -> {
            assertThat(e.code()).isEqualTo(McpClientException.LOCAL);
            assertThat(e.notSent()).as(e.getMessage()).isTrue();
            assertThat(Forwarder.outcome(e)).isEqualTo(Endpoints.Outcome.NOT_SENT);
        });
    }

    @Test
    void aNonIdempotentCallIsNotRetriedAfterItWasSent() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch running = new CountDownLatch(1);
        Peregrine up = upstream(Tool.builder("charge").blocking(true).handler((a, ctx) -> {
            runs.incrementAndGet();
            running.countDown();
            Thread.sleep(20_000);
            return ToolResult.text("charged");
        }).build());
        Peregrine gateway = gateway(UpstreamSpec.builder("pay").url(url(up)).url(url(up))
                .reconnect(Duration.ofMillis(100), Duration.ofMillis(200)).build());
        PeregrineClient client = client(gateway);
        PendingCall call = client.callToolAsync("pay_charge", Map.of(), null);
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        up.close();
        assertThatThrownBy(() -> call.result().get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(McpClientException.class);
        assertThat(runs.get()).as("sent once, so never sent again").isEqualTo(1);
    }
}
