package io.peregrine.ops.metrics;

import io.peregrine.mcp.McpObserver.Rejection;
import io.peregrine.transport.Transport;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsObserverTest {

    private static final String ECHO_ON_TCP = "error_type=\"\",gen_ai_prompt_name=\"\",gen_ai_tool_name=\"echo\","
            + "mcp_method_name=\"tools/call\",mcp_protocol_version=\"2025-11-25\",network_protocol_name=\"\",network_transport=\"tcp\"";

    private final PeregrineMetrics metrics = PeregrineMetrics.builder()
            .toolExecutor(() -> 3, () -> 5, 64)
            .buildInfo(new BuildInfo("1.2.3", "abc123"))
            .build();
    private final MetricsObserver observer = metrics.observer();

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.exposition().write(null, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void call(TestRequest request, int errorCode, boolean toolError, long nanos) {
        observer.requestEnded(request, observer.requestStarted(request), errorCode, toolError, true, nanos);
    }

    @Test
    void aRegisteredToolIsItsOwnSeriesWithTheSemconvLabels() throws IOException {
        call(TestRequest.call(Transport.TCP, "echo", true), 0, false, 1_500_000);
        call(TestRequest.call(Transport.TCP, "echo", true), 0, false, 700_000);

        String text = scrape();
        assertThat(text).contains("# TYPE mcp_server_operation_duration_seconds histogram");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{" + ECHO_ON_TCP + "} 2");
        assertThat(text).contains("mcp_server_operation_duration_seconds_bucket{" + ECHO_ON_TCP + ",le=\"5.0E-4\"} 0");
        assertThat(text).contains("mcp_server_operation_duration_seconds_bucket{" + ECHO_ON_TCP + ",le=\"0.001\"} 1");
        assertThat(text).contains("mcp_server_operation_duration_seconds_bucket{" + ECHO_ON_TCP + ",le=\"0.0025\"} 2");
        assertThat(text).contains("mcp_server_operation_duration_seconds_bucket{" + ECHO_ON_TCP + ",le=\"300.0\"} 2");
        assertThat(text).contains("mcp_server_operation_duration_seconds_sum{" + ECHO_ON_TCP + "} 0.0022");
    }

    @Test
    void theBucketsAreTheSemconvOnesWithFourFinerInFront() {
        assertThat(OperationDurations.BUCKETS).containsExactly(0.0005, 0.001, 0.0025, 0.005,
                0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300);
    }

    @Test
    void unregisteredToolsAndPromptsAndUnknownMethodsAreOther() throws IOException {
        call(TestRequest.call(Transport.WEBSOCKET, "no-such-tool", false), -32602, false, 1_000);
        call(new TestRequest(Transport.HTTP, "prompts/get", "no-such-prompt", false, "2026-07-28"), -32602, false, 1_000);
        call(new TestRequest(Transport.HTTP, "prompts/get", "greeting", true, "2026-07-28"), 0, false, 1_000);
        call(new TestRequest(Transport.STDIO, "made/up", null, false, "2025-06-18"), -32601, false, 1_000);

        String text = scrape();
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"-32602\",gen_ai_prompt_name=\"\","
                + "gen_ai_tool_name=\"_OTHER\",mcp_method_name=\"tools/call\",mcp_protocol_version=\"2025-11-25\","
                + "network_protocol_name=\"websocket\",network_transport=\"tcp\"} 1");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"-32602\",gen_ai_prompt_name=\"_OTHER\","
                + "gen_ai_tool_name=\"\",mcp_method_name=\"prompts/get\",mcp_protocol_version=\"2026-07-28\","
                + "network_protocol_name=\"http\",network_transport=\"tcp\"} 1");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"\",gen_ai_prompt_name=\"greeting\","
                + "gen_ai_tool_name=\"\",mcp_method_name=\"prompts/get\",mcp_protocol_version=\"2026-07-28\","
                + "network_protocol_name=\"http\",network_transport=\"tcp\"} 1");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"-32601\",gen_ai_prompt_name=\"\","
                + "gen_ai_tool_name=\"\",mcp_method_name=\"_OTHER\",mcp_protocol_version=\"2025-06-18\","
                + "network_protocol_name=\"\",network_transport=\"pipe\"} 1");
        assertThat(text).doesNotContain("no-such-tool").doesNotContain("no-such-prompt").doesNotContain("made/up");
    }

    @Test
    void resourceUrisAndUnknownVersionsNeverBecomeLabels() throws IOException {
        call(new TestRequest(Transport.TCP, "resources/read", "file:///secret/path", true, "1999-01-01"), 0, false, 1_000);
        call(new TestRequest(Transport.TCP, "ping", null, false, null), 0, false, 1_000);

        String text = scrape();
        assertThat(text).doesNotContain("secret").doesNotContain("1999");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"\",gen_ai_prompt_name=\"\","
                + "gen_ai_tool_name=\"\",mcp_method_name=\"resources/read\",mcp_protocol_version=\"_OTHER\","
                + "network_protocol_name=\"\",network_transport=\"tcp\"} 1");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"\",gen_ai_prompt_name=\"\","
                + "gen_ai_tool_name=\"\",mcp_method_name=\"ping\",mcp_protocol_version=\"\","
                + "network_protocol_name=\"\",network_transport=\"tcp\"} 1");
    }

    @Test
    void failuresCarryTheirErrorType() throws IOException {
        call(TestRequest.call(Transport.TCP, "echo", true), -31004, false, 1_000);
        call(TestRequest.call(Transport.TCP, "echo", true), 0, true, 1_000);
        TestRequest cancelled = TestRequest.call(Transport.TCP, "echo", true);
        observer.requestEnded(cancelled, observer.requestStarted(cancelled), 0, false, false, 1_000);

        String text = scrape();
        for (String type : new String[] {"-31004", "tool_error", "cancelled"}) {
            assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"" + type + "\","
                    + "gen_ai_prompt_name=\"\",gen_ai_tool_name=\"echo\",mcp_method_name=\"tools/call\","
                    + "mcp_protocol_version=\"2025-11-25\",network_protocol_name=\"\",network_transport=\"tcp\"} 1");
        }
    }

    @Test
    void errorCodesPastTheBoundAreOther() throws IOException {
        for (int code = 1; code <= ErrorTypes.MAX_CODES + 5; code++) {
            call(TestRequest.call(Transport.TCP, "echo", true), -code, false, 1_000);
        }
        String text = scrape();
        assertThat(text).contains("error_type=\"-" + ErrorTypes.MAX_CODES + "\"");
        assertThat(text).doesNotContain("error_type=\"-" + (ErrorTypes.MAX_CODES + 1) + "\"");
        assertThat(text).contains("mcp_server_operation_duration_seconds_count{error_type=\"_OTHER\",gen_ai_prompt_name=\"\","
                + "gen_ai_tool_name=\"echo\",mcp_method_name=\"tools/call\",mcp_protocol_version=\"2025-11-25\","
                + "network_protocol_name=\"\",network_transport=\"tcp\"} 5");
    }

    @Test
    void requestsInFlightGoUpAtTheStartAndDownAtTheEnd() throws IOException {
        TestRequest a = TestRequest.call(Transport.HTTP, "echo", true);
        TestRequest b = TestRequest.call(Transport.HTTP, "echo", true);
        Object stateA = observer.requestStarted(a);
        observer.requestStarted(b);
        assertThat(scrape()).contains("peregrine_mcp_server_active_requests{network_protocol_name=\"http\",network_transport=\"tcp\"} 2.0");
        observer.requestEnded(a, stateA, 0, false, true, 1_000);
        assertThat(scrape()).contains("peregrine_mcp_server_active_requests{network_protocol_name=\"http\",network_transport=\"tcp\"} 1.0");
        assertThat(observer.activeRequests(Transport.HTTP)).isEqualTo(1);
    }

    @Test
    void connectionsAndSessions() throws IOException {
        observer.connectionOpened(Transport.WEBSOCKET);
        observer.connectionOpened(Transport.WEBSOCKET);
        observer.connectionClosed(Transport.WEBSOCKET);
        observer.connectionOpened(Transport.STDIO);
        observer.sessionStarted(Transport.HTTP);
        observer.sessionStarted(Transport.HTTP);
        observer.sessionEnded(Transport.HTTP, 90_000_000_000L);

        String text = scrape();
        assertThat(text).contains("peregrine_connections{network_protocol_name=\"websocket\",network_transport=\"tcp\"} 1.0");
        assertThat(text).contains("peregrine_connections{network_protocol_name=\"\",network_transport=\"pipe\"} 1.0");
        assertThat(text).contains("peregrine_mcp_server_active_sessions{network_protocol_name=\"http\",network_transport=\"tcp\"} 1.0");
        assertThat(text).contains("mcp_server_session_duration_seconds_count{network_protocol_name=\"http\",network_transport=\"tcp\"} 1");
        assertThat(text).contains("mcp_server_session_duration_seconds_bucket{network_protocol_name=\"http\",network_transport=\"tcp\",le=\"60.0\"} 0");
        assertThat(text).contains("mcp_server_session_duration_seconds_bucket{network_protocol_name=\"http\",network_transport=\"tcp\",le=\"120.0\"} 1");
    }

    @Test
    void refusalsAndPolicyDecisions() throws IOException {
        String before = scrape();
        for (Rejection r : Rejection.values()) {
            assertThat(before).contains("peregrine_messages_rejected_total{reason=\"" + r.label() + "\"} 0.0");
        }
        for (String limiter : MetricsObserver.LIMITERS) {
            assertThat(before).contains("peregrine_ratelimit_decisions_total{limiter=\"" + limiter + "\",outcome=\"refused\"} 0.0");
        }
        observer.messageRejected(Transport.TCP, Rejection.TOO_LARGE);
        observer.messageRejected(Transport.HTTP, Rejection.TOO_LARGE);
        observer.messageRejected(Transport.HTTP, Rejection.UNAUTHORIZED);
        observer.rateLimitDecision("principal_tool", true);
        observer.rateLimitDecision("principal_tool", false);
        observer.rateLimitDecision("principal_tool", false);
        observer.cacheLookup("result", true);
        observer.cacheLookup("result", false);

        String text = scrape();
        assertThat(text).contains("peregrine_messages_rejected_total{reason=\"too_large\"} 2.0");
        assertThat(text).contains("peregrine_messages_rejected_total{reason=\"unauthorized\"} 1.0");
        assertThat(text).contains("peregrine_ratelimit_decisions_total{limiter=\"principal_tool\",outcome=\"admitted\"} 1.0");
        assertThat(text).contains("peregrine_ratelimit_decisions_total{limiter=\"principal_tool\",outcome=\"refused\"} 2.0");
        assertThat(text).contains("peregrine_cache_requests_total{cache=\"result\",result=\"hit\"} 1.0");
        assertThat(text).contains("peregrine_cache_requests_total{cache=\"result\",result=\"miss\"} 1.0");
    }

    @Test
    void limiterAndCacheNamesAreBounded() throws IOException {
        for (int i = 0; i < BoundedLabels.MAX_NAMES + 10; i++) {
            observer.cacheLookup("cache-" + i, true);
        }
        String text = scrape();
        assertThat(text).contains("cache=\"cache-0\"");
        assertThat(text).doesNotContain("cache=\"cache-" + (BoundedLabels.MAX_NAMES + 9) + "\"");
        assertThat(text).containsPattern("peregrine_cache_requests_total\\{cache=\"_OTHER\",result=\"hit\"} [1-9]");
    }

    @Test
    void scrapeTimeGaugesBuildAndJvm() throws IOException {
        String text = scrape();
        assertThat(text).contains("peregrine_tool_executor_active 3.0");
        assertThat(text).contains("peregrine_tool_executor_limit 64.0");
        assertThat(text).contains("peregrine_tool_executor_rejected_total 5.0");
        assertThat(text).contains("peregrine_build_info{java_version=\"" + System.getProperty("java.version")
                + "\",revision=\"abc123\",version=\"1.2.3\"} 1");
        assertThat(text).containsPattern("peregrine_netty_allocator_used_bytes\\{allocator=\"[a-z]+\",memory=\"direct\"}");
        assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"}");
        assertThat(text).contains("jvm_threads_current");
    }

    @Test
    void eventLoopBacklogIsReadAtScrapeTime() throws IOException {
        io.netty.channel.EventLoopGroup loops = new io.netty.channel.MultiThreadIoEventLoopGroup(2,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            PeregrineMetrics withLoops = PeregrineMetrics.builder().eventLoops(() -> loops).jvm(false).build();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            withLoops.exposition().write(null, out);
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("peregrine_netty_eventloop_pending_tasks{loop=\"0\"} 0.0");
            assertThat(text).contains("peregrine_netty_eventloop_pending_tasks{loop=\"1\"} 0.0");
            assertThat(text).doesNotContain("jvm_");
        } finally {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void observingARequestAllocatesNothingOnceItsSeriesExists() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        TestRequest ok = TestRequest.call(Transport.TCP, "echo", true);
        TestRequest other = TestRequest.call(Transport.HTTP, "unknown", false);
        int calls = 20_000;
        for (int i = 0; i < calls; i++) {
            // Creates every series once, and lets the JIT compile the path.
            call(ok, 0, false, i);
            call(other, -32602, false, i);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < calls; i++) {
            call(ok, 0, false, i);
            call(other, -32602, false, i);
            observer.messageRejected(Transport.TCP, Rejection.OVERLOADED);
            observer.rateLimitDecision("tool", true);
            observer.cacheLookup("result", false);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // One object per call would be at least 16 bytes x 5 x 20,000; what remains is the probe itself.
        assertThat(allocated).isLessThan(calls);
    }
}
