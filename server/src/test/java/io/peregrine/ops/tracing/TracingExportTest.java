package io.peregrine.ops.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.peregrine.testing.OtlpReceiver;
import io.peregrine.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The tracing observer driven as the core drives it, its spans exported over OTLP/HTTP to a real
 * receiver and checked there: names, kind, semantic-convention attributes, parentage from
 * {@code _meta}, links from the HTTP header, errors, sampling, and a collector that does not answer.
 */
class TracingExportTest {

    private static final String PARENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + PARENT_TRACE + "-" + PARENT_SPAN + "-01";
    private static final String HEADER_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String HEADER_SPAN = "b7ad6b7169203331";

    private OtlpReceiver receiver;
    private PeregrineTracing tracing;
    private final ExecutorService toolThreads = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws Exception {
        receiver = new OtlpReceiver();
    }

    @AfterEach
    void stop() throws Exception {
        toolThreads.shutdownNow();
        if (tracing != null) {
            tracing.close();
        }
        receiver.close();
    }

    private TracingObserver observer(double ratio) {
        tracing = PeregrineTracing.start(TracingSettings.builder().endpoint(receiver.endpoint())
                .sampleRatio(ratio).serviceName("peregrine-test").serviceVersion("9.9.9").build());
        return tracing.observer();
    }

    /** Starts and ends one request, as the core does; returns what the receiver holds once it holds {@code expected} spans. */
    private List<OtlpReceiver.Received> serve(TracingObserver observer, TestRequest request, int errorCode,
                                              boolean toolError, boolean answered, int expected) {
        Object state = observer.requestStarted(request);
        observer.requestEnded(request, state, errorCode, toolError, answered, 1_000);
        return awaitSpans(expected);
    }

    /**
     * Flushes until the receiver holds {@code expected} spans. A flush can return before the spans
     * ended just before it are out (the batch processor completes a flush before it takes the next
     * request), so the receiver's count, not the flush, says when they have arrived.
     */
    private List<OtlpReceiver.Received> awaitSpans(int expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (receiver.spans().size() < expected && System.nanoTime() < deadline) {
            tracing.flush(1_000);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        List<OtlpReceiver.Received> spans = receiver.spans();
        assertThat(spans).hasSize(expected);
        return spans;
    }

    @Test
    void aToolCallIsOneServerSpanNamedAndAttributedAsTheConventionsSayUnderTheParentInMeta() throws Exception {
        TracingObserver observer = observer(1.0);
        TestRequest request = TestRequest.toolsCall(Transport.WEBSOCKET, "echo").id("\"call-1\"").session("s-1")
                .meta("traceparent", TRACEPARENT).meta("tracestate", "rojo=00f067aa0ba902b7")
                .meta("baggage", "userId=alice");

        List<OtlpReceiver.Received> spans = serve(observer, request, 0, false, true, 1);

        OtlpReceiver.Received s = spans.get(0);
        assertThat(s.span().getName()).isEqualTo("tools/call echo");
        assertThat(s.span().getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(s.traceIdHex()).isEqualTo(PARENT_TRACE);
        assertThat(s.parentSpanIdHex()).isEqualTo(PARENT_SPAN);
        assertThat(s.span().getTraceState()).isEqualTo("rojo=00f067aa0ba902b7");
        assertThat(s.span().getLinksList()).isEmpty();
        assertThat(s.attributes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "mcp.method.name", "tools/call",
                "gen_ai.tool.name", "echo",
                "gen_ai.operation.name", "execute_tool",
                "jsonrpc.request.id", "call-1",
                "mcp.session.id", "s-1",
                "mcp.protocol.version", "2025-11-25",
                "network.transport", "tcp",
                "network.protocol.name", "websocket"));
        assertThat(s.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
        assertThat(s.resourceAttributes()).containsEntry("service.name", "peregrine-test")
                .containsEntry("service.version", "9.9.9");
        assertThat(receiver.contentTypes()).allMatch("application/x-protobuf"::equals);
    }

    @Test
    void theHttpRequestsOwnTraceparentIsALinkNotTheParent() {
        TracingObserver observer = observer(1.0);
        TestRequest request = TestRequest.toolsCall(Transport.HTTP, "echo").meta("traceparent", TRACEPARENT)
                .header("traceparent", "00-" + HEADER_TRACE + "-" + HEADER_SPAN + "-01");

        OtlpReceiver.Received s = serve(observer, request, 0, false, true, 1).get(0);

        assertThat(s.traceIdHex()).isEqualTo(PARENT_TRACE);
        assertThat(s.parentSpanIdHex()).isEqualTo(PARENT_SPAN);
        assertThat(s.span().getLinksList()).hasSize(1);
        assertThat(s.span().getLinks(0).getTraceId().toByteArray())
                .isEqualTo(java.util.HexFormat.of().parseHex(HEADER_TRACE));
        assertThat(s.span().getLinks(0).getSpanId().toByteArray())
                .isEqualTo(java.util.HexFormat.of().parseHex(HEADER_SPAN));
        assertThat(s.attributes()).containsEntry("network.transport", "tcp")
                .containsEntry("network.protocol.name", "http");
    }

    @Test
    void aHeaderWithoutMetaLinksARootSpan() {
        TracingObserver observer = observer(1.0);
        TestRequest request = new TestRequest(Transport.HTTP, "tools/list")
                .header("traceparent", "00-" + HEADER_TRACE + "-" + HEADER_SPAN + "-01");

        OtlpReceiver.Received s = serve(observer, request, 0, false, true, 1).get(0);

        assertThat(s.span().getName()).isEqualTo("tools/list");
        assertThat(s.span().getParentSpanId().isEmpty()).isTrue();
        assertThat(s.traceIdHex()).isNotEqualTo(HEADER_TRACE);
        assertThat(s.span().getLinksList()).hasSize(1);
    }

    @Test
    void aMalformedTraceparentStartsANewTraceAndIsNoError() {
        TracingObserver observer = observer(1.0);
        for (String bad : List.of("garbage", "00-" + PARENT_TRACE + "-" + PARENT_SPAN,
                "00-00000000000000000000000000000000-" + PARENT_SPAN + "-01", "zz-" + PARENT_TRACE + "-" + PARENT_SPAN + "-01",
                "00-" + PARENT_TRACE.toUpperCase() + "-" + PARENT_SPAN + "-01")) {
            TestRequest request = TestRequest.toolsCall(Transport.HTTP, "echo").id("1").meta("traceparent", bad)
                    .meta("tracestate", "=;=").meta("baggage", "%%%").header("traceparent", bad);
            Object state = observer.requestStarted(request);
            observer.requestEnded(request, state, 0, false, true, 1);
        }

        assertThat(awaitSpans(5)).allSatisfy(s -> {
            assertThat(s.span().getParentSpanId().isEmpty()).isTrue();
            assertThat(s.traceIdHex()).isNotEqualTo(PARENT_TRACE);
            assertThat(s.span().getLinksList()).isEmpty();
        });
    }

    @Test
    void failuresSetErrorTypeAndStatus() {
        TracingObserver observer = observer(1.0);
        serve(observer, TestRequest.toolsCall(Transport.TCP, "echo").id("1"), -32602, false, true, 1);
        serve(observer, TestRequest.toolsCall(Transport.TCP, "echo").id("2"), 0, true, true, 2);
        serve(observer, TestRequest.toolsCall(Transport.TCP, "echo").id("3"), 0, false, false, 3);

        Map<String, OtlpReceiver.Received> byId = new HashMap<>();
        receiver.spans().forEach(s -> byId.put(s.attributes().get("jsonrpc.request.id"), s));
        assertThat(byId.get("1").attributes()).containsEntry("error.type", "-32602")
                .containsEntry("rpc.response.status_code", "-32602");
        assertThat(byId.get("2").attributes()).containsEntry("error.type", "tool_error")
                .doesNotContainKey("rpc.response.status_code");
        assertThat(byId.get("3").attributes()).containsEntry("error.type", "cancelled");
        assertThat(byId.values()).allSatisfy(s ->
                assertThat(s.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR));
        assertThat(byId.get("1").attributes()).containsEntry("network.transport", "tcp")
                .doesNotContainKey("network.protocol.name");
    }

    @Test
    void namesCarryOnlyRegisteredTargetsAndStdioIsAPipe() {
        TracingObserver observer = observer(1.0);
        serve(observer, TestRequest.toolsCall(Transport.STDIO, "no-such-tool").unregistered().id("1"), -32602, false, true, 1);
        serve(observer, new TestRequest(Transport.STDIO, "prompts/get").target("review").id("2"), 0, false, true, 2);
        serve(observer, new TestRequest(Transport.STDIO, "resources/read").target("fs:///a/b.txt").id("3"), 0, false, true, 3);
        serve(observer, new TestRequest(Transport.STDIO, "initialize").version(null).id("4"), 0, false, true, 4);

        Map<String, OtlpReceiver.Received> byId = new HashMap<>();
        receiver.spans().forEach(s -> byId.put(s.attributes().get("jsonrpc.request.id"), s));
        assertThat(byId.get("1").span().getName()).isEqualTo("tools/call");
        assertThat(byId.get("1").attributes()).containsEntry("gen_ai.tool.name", "no-such-tool");
        assertThat(byId.get("2").span().getName()).isEqualTo("prompts/get review");
        assertThat(byId.get("2").attributes()).containsEntry("gen_ai.prompt.name", "review")
                .doesNotContainKey("gen_ai.operation.name");
        assertThat(byId.get("3").span().getName()).isEqualTo("resources/read");
        assertThat(byId.get("3").attributes()).containsEntry("mcp.resource.uri", "fs:///a/b.txt");
        assertThat(byId.get("4").span().getName()).isEqualTo("initialize");
        assertThat(byId.get("4").attributes()).doesNotContainKey("mcp.protocol.version");
        assertThat(byId.values()).allSatisfy(s -> assertThat(s.attributes())
                .containsEntry("network.transport", "pipe").doesNotContainKey("network.protocol.name"));
    }

    @Test
    void theRatioSamplesNewTracesAndASampledParentIsFollowed() {
        TracingObserver observer = observer(0.0);
        TestRequest unsampled = TestRequest.toolsCall(Transport.TCP, "echo").id("1");
        observer.requestEnded(unsampled, observer.requestStarted(unsampled), 0, false, true, 1);

        // Exported in the order they end: once the second is in, the first would have been too.
        List<OtlpReceiver.Received> spans = serve(observer, TestRequest.toolsCall(Transport.TCP, "echo").id("2")
                .meta("traceparent", TRACEPARENT), 0, false, true, 1);
        assertThat(spans.get(0).attributes()).containsEntry("jsonrpc.request.id", "2");
        assertThat(spans.get(0).parentSpanIdHex()).isEqualTo(PARENT_SPAN);
    }

    @Test
    void theHandlerSeesItsSpanBaggageAndLogIdsOnItsOwnThreadAndPropagatesThem() throws Exception {
        TracingObserver observer = observer(1.0);
        TestRequest request = TestRequest.toolsCall(Transport.TCP, "echo")
                .meta("traceparent", TRACEPARENT).meta("baggage", "userId=alice");
        Object state = observer.requestStarted(request);

        Map<String, Object> inside = new HashMap<>();
        Runnable handler = observer.wrap(state, () -> {
            Span span = PeregrineTracing.currentSpan();
            inside.put("traceId", span.getSpanContext().getTraceId());
            inside.put("spanId", span.getSpanContext().getSpanId());
            inside.put("mdcTrace", MDC.get(HandlerScope.TRACE_ID));
            inside.put("mdcSpan", MDC.get(HandlerScope.SPAN_ID));
            inside.put("baggage", Baggage.current().getEntryValue("userId"));
            Map<String, Object> meta = new HashMap<>();
            PeregrineTracing.injectInto(meta);
            inside.put("meta", meta);
            Map<String, Object> viaObserver = new HashMap<>();
            observer.injectInto(viaObserver);
            inside.put("viaObserver", viaObserver);
        });
        Map<String, Object> seen = CompletableFuture.supplyAsync(() -> {
            handler.run();
            inside.put("afterSpanValid", PeregrineTracing.currentSpan().getSpanContext().isValid());
            inside.put("afterMdc", String.valueOf(MDC.get(HandlerScope.TRACE_ID)));
            return inside;
        }, toolThreads).get(30, TimeUnit.SECONDS);
        observer.requestEnded(request, state, 0, false, true, 1);

        OtlpReceiver.Received s = awaitSpans(1).get(0);
        assertThat(seen).containsEntry("traceId", PARENT_TRACE).containsEntry("spanId", s.spanIdHex())
                .containsEntry("mdcTrace", PARENT_TRACE).containsEntry("mdcSpan", s.spanIdHex())
                .containsEntry("baggage", "alice").containsEntry("afterSpanValid", false)
                .containsEntry("afterMdc", "null");
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) seen.get("meta");
        assertThat(meta).containsEntry("traceparent", "00-" + PARENT_TRACE + "-" + s.spanIdHex() + "-01")
                .containsEntry("baggage", "userId=alice");
        assertThat(seen.get("viaObserver")).isEqualTo(meta);
    }

    @Test
    void anObserverCalledAfterThisOneFindsTheIdsOfTheRequestJustEnded() {
        TracingObserver observer = observer(1.0);
        TestRequest request = TestRequest.toolsCall(Transport.TCP, "echo").meta("traceparent", TRACEPARENT);
        TestRequest other = TestRequest.toolsCall(Transport.TCP, "echo");
        Object state = observer.requestStarted(request);
        assertThat(observer.traceIdOf(request)).isNull();
        observer.requestEnded(request, state, 0, false, true, 1);

        assertThat(observer.traceIdOf(request)).isEqualTo(PARENT_TRACE);
        assertThat(observer.spanIdOf(request)).isEqualTo(awaitSpans(1).get(0).spanIdHex());
        assertThat(observer.traceIdOf(other)).isNull();
    }

    @Test
    void theObserverInjectsARequestsContextWhereverItIsAsked() {
        TracingObserver observer = observer(1.0);
        TestRequest request = TestRequest.toolsCall(Transport.TCP, "echo").meta("traceparent", TRACEPARENT);
        Object state = observer.requestStarted(request);
        Map<String, String> meta = new HashMap<>();
        observer.injectInto(state, meta::put);
        observer.requestEnded(request, state, 0, false, true, 1);

        assertThat(meta).containsEntry("traceparent", "00-" + PARENT_TRACE + "-" + awaitSpans(1).get(0).spanIdHex() + "-01");
        Map<String, Object> none = new HashMap<>();
        PeregrineTracing.injectInto(none);
        assertThat(none).isEmpty();
    }

    @Test
    void aCollectorThatNeverAnswersCostsRequestsNothingAndEveryLostSpanIsCounted() throws Exception {
        // A listening socket that never accepts: connections complete, answers never come.
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tracing = PeregrineTracing.start(TracingSettings.builder()
                    .endpoint("http://127.0.0.1:" + silent.getLocalPort() + "/v1/traces")
                    .queueSize(4).exportTimeout(Duration.ofMillis(500)).build());
            TracingObserver observer = tracing.observer();
            int requests = 200;
            for (int i = 0; i < requests; i++) {
                TestRequest request = TestRequest.toolsCall(Transport.TCP, "echo").id(Integer.toString(i));
                Object state = observer.requestStarted(request);
                observer.requestEnded(request, state, 0, false, true, 1);
            }
            assertThat(tracing.droppedSpans()).isPositive();
            tracing.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tracing.droppedSpans() + tracing.failedSpans() < requests && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            assertThat(tracing.droppedSpans() + tracing.failedSpans()).isEqualTo(requests);
            assertThat(tracing.failedSpans()).isPositive();
            tracing = null;
        }
    }
}
