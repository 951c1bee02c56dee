package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.McpSession;
import io.peregrine.testing.StdioSession;
import io.peregrine.testing.StreamableHttpSession;
import io.peregrine.testing.TestTools;
import io.peregrine.testing.WebSocketSession;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import io.peregrine.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an {@link McpObserver} sees, over every transport on real sockets (and stdio's streams):
 * exactly one {@code requestEnded} per request, with its method, target, error code, tool error and
 * whether it was answered, whatever way it ends; connections, sessions, refusals and policy
 * decisions; and tool handlers running inside what {@code requestStarted} opened.
 */
class McpObserverTest {

    private static final String MODERN_META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{},"
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}";
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /** How a test reaches the server: the transport, and for HTTP the era. */
    enum Via {
        TCP(Transport.TCP), WEBSOCKET(Transport.WEBSOCKET), HTTP_SESSION(Transport.HTTP), STDIO(Transport.STDIO);

        final Transport transport;

        Via(Transport transport) {
            this.transport = transport;
        }
    }

    /** What a tool handler sees of the observer's state: set by {@link Recorder#wrap} around the handler. */
    private static final ThreadLocal<Started> CURRENT = new ThreadLocal<>();

    /** The state {@link Recorder#requestStarted} hands back: what it saw at the start. */
    static final class Started {
        final String requestId;
        final String method;
        final String traceparent;

        Started(ObservedRequest r) {
            this.requestId = r.requestId();
            this.method = r.method();
            this.traceparent = r.meta("traceparent");
        }
    }

    /** One {@code requestEnded}, copied out of the call. */
    static final class Ended {
        final Transport transport;
        final String method;
        final String target;
        final boolean registered;
        final String id;
        final String protocolVersion;
        final String traceparent;
        final Started started;
        final int errorCode;
        final boolean toolError;
        final boolean answered;
        final long durationNanos;

        Ended(ObservedRequest r, Object state, int errorCode, boolean toolError, boolean answered, long durationNanos) {
            this.transport = r.transport();
            this.method = r.method();
            this.target = r.target();
            this.registered = r.targetRegistered();
            this.id = r.requestId();
            this.protocolVersion = r.protocolVersion();
            this.traceparent = r.meta("traceparent");
            this.started = (Started) state;
            this.errorCode = errorCode;
            this.toolError = toolError;
            this.answered = answered;
            this.durationNanos = durationNanos;
        }

        @Override
        public String toString() {
            return method + " " + id + " target=" + target + " code=" + errorCode + " toolError=" + toolError
                    + " answered=" + answered;
        }
    }

    /** Records every event; the test reads them once they are there. */
    static final class Recorder implements McpObserver {
        final Queue<Ended> ended = new ConcurrentLinkedQueue<>();
        final Queue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        public boolean observesStart() {
            return true;
        }

        @Override
        public Object requestStarted(ObservedRequest request) {
            return new Started(request);
        }

        @Override
        public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                                 boolean answered, long durationNanos) {
            ended.add(new Ended(request, state, errorCode, toolError, answered, durationNanos));
        }

        @Override
        public Runnable wrap(Object state, Runnable task) {
            return () -> {
                CURRENT.set((Started) state);
                try {
                    task.run();
                } finally {
                    CURRENT.remove();
                }
            };
        }

        @Override
        public void connectionOpened(Transport transport) {
            events.add("connection opened " + transport);
        }

        @Override
        public void connectionClosed(Transport transport) {
            events.add("connection closed " + transport);
        }

        @Override
        public void sessionStarted(Transport transport) {
            events.add("session started " + transport);
        }

        @Override
        public void sessionEnded(Transport transport, long durationNanos) {
            events.add("session ended " + transport);
        }

        @Override
        public void messageRejected(Transport transport, Rejection reason) {
            events.add("rejected " + transport + " " + reason.label());
        }

        @Override
        public void rateLimitDecision(String limiter, boolean admitted) {
            events.add("rate limit " + limiter + " " + (admitted ? "admitted" : "refused"));
        }

        @Override
        public void cacheLookup(String cache, boolean hit) {
            events.add("cache " + cache + " " + (hit ? "hit" : "miss"));
        }

        /** The one end of request {@code id} (JSON text), once it is recorded; fails when there are two. */
        Ended endOf(String id) {
            waitFor(() -> ended.stream().anyMatch(e -> e.id.equals(id)), "requestEnded for " + id + " in " + ended);
            List<Ended> found = new ArrayList<>();
            for (Ended e : ended) {
                if (e.id.equals(id)) {
                    found.add(e);
                }
            }
            assertThat(found).as("requestEnded calls for %s", id).hasSize(1);
            return found.get(0);
        }

        void awaitEvent(String event) {
            waitFor(() -> events.contains(event), event + " in " + events);
        }
    }

    /** Waits for {@code condition}, polling, and fails after a generous 10 s. */
    static void waitFor(java.util.function.BooleanSupplier condition, Object what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Says which request's observer state the handler runs inside. */
    static Tool whoAmI(boolean blocking) {
        return Tool.builder(blocking ? "whoami-blocking" : "whoami")
                .blocking(blocking)
                .handler((args, ctx) -> {
                    Started s = CURRENT.get();
                    return ToolResult.text(s == null ? "outside" : s.method + " " + s.requestId);
                })
                .build();
    }

    private static Peregrine.Builder spec(Recorder recorder) {
        return Peregrine.builder()
                .observer(recorder)
                .tool(EchoTool.create())
                .tool(TestTools.slow())
                .tool(TestTools.refuse())
                .tool(whoAmI(true))
                .tool(whoAmI(false))
                .drainTimeout(Duration.ofMillis(100));
    }

    /** A server of its own and a session with it that does not own it, so closing one leaves the other. */
    private static final class Rig implements AutoCloseable {
        final Peregrine server;
        final McpSession session;
        private boolean sessionClosed;

        Rig(Via via, Peregrine.Builder spec) throws Exception {
            if (via == Via.STDIO) {
                StdioSession s = new StdioSession(spec);
                this.session = s;
                this.server = s.server();
                return;
            }
            this.server = (via == Via.TCP ? spec.tcp("127.0.0.1", 0) : spec.noTcp().http("127.0.0.1", 0)).build();
            server.start();
            switch (via) {
                case TCP: session = new LineSocket(server, false); break;
                case WEBSOCKET: session = new WebSocketSession(server, false); break;
                default: session = new StreamableHttpSession(server, false); break;
            }
        }

        /** Closes the client's side only. */
        void closeSession() throws java.io.IOException {
            if (!sessionClosed) {
                sessionClosed = true;
                session.close();
            }
        }

        @Override
        public void close() throws java.io.IOException {
            closeSession();
            server.close();
        }
    }

    // ------------------------------------------------------------------ one end per request

    @ParameterizedTest
    @EnumSource(Via.class)
    void eachRequestEndsOnceWithWhatItsAnswerSaid(Via via) throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(via, spec(rec))) {
            McpSession s = rig.session;
            s.initialize("2025-11-25");
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"ok\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"hi\"},\"_meta\":{\"traceparent\":\"" + TRACEPARENT + "\"}}}"),
                    "result.content.0.text")).isEqualTo("hi");
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"method\":\"no/such\"}"), "error.code"))
                    .isEqualTo((long) JsonRpcError.METHOD_NOT_FOUND);
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"bad\",\"method\":\"tools/call\",\"params\":{\"name\":\"ghost\"}}"),
                    "error.code")).isEqualTo((long) JsonRpcError.INVALID_PARAMS);
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"refused\",\"method\":\"tools/call\",\"params\":{\"name\":\"refuse\"}}"),
                    "result.isError")).isEqualTo(true);
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"in\",\"method\":\"tools/call\",\"params\":{\"name\":\"whoami-blocking\"}}"),
                    "result.content.0.text")).isEqualTo("tools/call \"in\"");
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"loop\",\"method\":\"tools/call\",\"params\":{\"name\":\"whoami\"}}"),
                    "result.content.0.text")).isEqualTo("tools/call \"loop\"");
            assertThat(s.call("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}")).containsKey("result");

            Ended init = rec.endOf("0");
            assertThat(init.method).isEqualTo("initialize");
            assertThat(init.protocolVersion).isEqualTo("2025-11-25");

            Ended ok = rec.endOf("\"ok\"");
            assertThat(ok.transport).isEqualTo(via.transport);
            assertThat(ok.method).isEqualTo("tools/call");
            assertThat(ok.target).isEqualTo("echo");
            assertThat(ok.registered).isTrue();
            assertThat(ok.errorCode).isZero();
            assertThat(ok.toolError).isFalse();
            assertThat(ok.answered).isTrue();
            assertThat(ok.protocolVersion).isEqualTo("2025-11-25");
            assertThat(ok.traceparent).isEqualTo(TRACEPARENT);
            assertThat(ok.started.traceparent).isEqualTo(TRACEPARENT);
            assertThat(ok.started.requestId).isEqualTo("\"ok\"");
            assertThat(ok.durationNanos).isPositive();

            Ended unknown = rec.endOf("\"nope\"");
            assertThat(unknown.method).isEqualTo("no/such");
            assertThat(unknown.errorCode).isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
            assertThat(unknown.answered).isTrue();

            Ended bad = rec.endOf("\"bad\"");
            assertThat(bad.target).isEqualTo("ghost");
            assertThat(bad.registered).isFalse();
            assertThat(bad.errorCode).isEqualTo(JsonRpcError.INVALID_PARAMS);

            Ended refused = rec.endOf("\"refused\"");
            assertThat(refused.errorCode).isZero();
            assertThat(refused.toolError).isTrue();
            assertThat(refused.answered).isTrue();

            assertThat(rec.endOf("\"in\"").toolError).isFalse();
            assertThat(rec.endOf("\"loop\"").errorCode).isZero();
            Ended ping = rec.endOf("7");
            assertThat(ping.method).isEqualTo("ping");
            assertThat(ping.target).isNull();
            assertThat(rec.ended).hasSize(8);
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aCancelledCallEndsUnanswered(Via via) throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(via, spec(rec))) {
            McpSession s = rig.session;
            s.initialize("2025-11-25");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"long\",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":10000,\"steps\":100},\"_meta\":{\"progressToken\":\"p\"}}}");
            assertThat(s.readJson().get("method")).isEqualTo("notifications/progress");
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"long\"}}");
            Ended cancelled = rec.endOf("\"long\"");
            assertThat(cancelled.target).isEqualTo("slow");
            assertThat(cancelled.errorCode).isZero();
            assertThat(cancelled.toolError).isFalse();
            assertThat(cancelled.answered).isFalse();
        }
    }

    /** Stdio's connection is the process's streams: closing them ends the server, which is another test. */
    @ParameterizedTest
    @EnumSource(value = Via.class, names = {"TCP", "WEBSOCKET", "HTTP_SESSION"})
    void aCallWhoseConnectionClosesEndsUnanswered(Via via) throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(via, spec(rec))) {
            McpSession s = rig.session;
            s.initialize("2025-11-25");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"long\",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":10000,\"steps\":100},\"_meta\":{\"progressToken\":\"p\"}}}");
            assertThat(s.readJson().get("method")).isEqualTo("notifications/progress");
            rig.closeSession();
            Ended dropped = rec.endOf("\"long\"");
            assertThat(dropped.answered).isFalse();
            assertThat(dropped.errorCode).isZero();
            rec.awaitEvent("session ended " + via.transport);
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void batchMembersEndOneByOne(Via via) throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(via, spec(rec))) {
            McpSession s = rig.session;
            s.initialize("2025-03-26");
            s.send("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"whoami-blocking\"}},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"}, 7]");
            List<?> answers = (List<?>) io.peregrine.rpc.JsonTree.parse(s.readLine());
            assertThat(answers).hasSize(4);
            assertThat(rec.endOf("1").errorCode).isZero();
            Ended call = rec.endOf("2");
            assertThat(call.target).isEqualTo("whoami-blocking");
            assertThat(call.protocolVersion).isEqualTo("2025-03-26");
            assertThat(rec.endOf("3").errorCode).isEqualTo(JsonRpcError.METHOD_NOT_FOUND);
            rec.awaitEvent("rejected " + via.transport + " invalid_request");
            assertThat(rec.ended).hasSize(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aPolicyRefusalEndsWithItsCodeAndIsCounted(Via via) throws Exception {
        Recorder rec = new Recorder();
        PolicyChain policy = PolicyChain.builder()
                .rateLimiter(RateLimiter.builder().global(RateLimit.of(1, Duration.ofHours(1))).build())
                .build();
        try (Rig rig = new Rig(via, spec(rec).policy(policy))) {
            McpSession s = rig.session;
            s.initialize("2025-11-25");
            String echo = "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"x\"}}}";
            assertThat(s.call(String.format(echo, "first"))).containsKey("result");
            assertThat(at(s.call(String.format(echo, "second")), "error.code")).isEqualTo((long) JsonRpcError.RATE_LIMITED);
            assertThat(rec.endOf("\"first\"").errorCode).isZero();
            Ended refused = rec.endOf("\"second\"");
            assertThat(refused.errorCode).isEqualTo(JsonRpcError.RATE_LIMITED);
            assertThat(refused.answered).isTrue();
            assertThat(rec.events).containsSubsequence("rate limit global admitted", "rate limit global refused",
                    "rejected " + via.transport + " rate_limited");
        }
    }

    // ------------------------------------------------------------------ 2026-07-28 over HTTP

    @Test
    void statelessHttpRequestsEndOnceToo() throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(Via.HTTP_SESSION, spec(rec))) {
            McpSession s = rig.session;
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"ok\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"hi\"}," + MODERN_META + ",\"traceparent\":\"" + TRACEPARENT + "\"}}}"),
                    "result.content.0.text")).isEqualTo("hi");
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"err\",\"method\":\"tools/call\",\"params\":{\"name\":\"refuse\","
                    + MODERN_META + "}}}"), "result.isError")).isEqualTo(true);
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"in\",\"method\":\"tools/call\",\"params\":{\"name\":\"whoami-blocking\","
                    + MODERN_META + "}}}"), "result.content.0.text")).isEqualTo("tools/call \"in\"");

            Ended ok = rec.endOf("\"ok\"");
            assertThat(ok.transport).isEqualTo(Transport.HTTP);
            assertThat(ok.protocolVersion).isEqualTo("2026-07-28");
            assertThat(ok.traceparent).isEqualTo(TRACEPARENT);
            assertThat(ok.answered).isTrue();
            assertThat(rec.endOf("\"err\"").toolError).isTrue();

            // Closing the response is how a 2026-07-28 client cancels over HTTP.
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"long\",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                    + "\"arguments\":{\"millis\":10000,\"steps\":100}," + MODERN_META + ",\"progressToken\":\"p\"}}}");
            assertThat(s.readJson().get("method")).isEqualTo("notifications/progress");
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"long\"}}");
            Ended cancelled = rec.endOf("\"long\"");
            assertThat(cancelled.answered).isFalse();
            assertThat(rec.events).noneMatch(e -> e.startsWith("session") || e.startsWith("connection"));
        }
    }

    // ------------------------------------------------------------------ connections, sessions, refusals

    @Test
    void socketConnectionsAndSessionsOpenAndClose() throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(Via.TCP, spec(rec))) {
            rec.awaitEvent("connection opened tcp");
            rig.session.initialize("2025-11-25");
            rec.awaitEvent("session started tcp");
            rig.session.sendBytes("{not json\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(at(rig.session.readJson(), "error.code")).isEqualTo((long) JsonRpcError.PARSE_ERROR);
            rec.awaitEvent("rejected tcp parse_error");
            rig.closeSession();
            rec.awaitEvent("connection closed tcp");
            assertThat(rec.events).containsSubsequence("connection opened tcp", "session started tcp",
                    "session ended tcp", "connection closed tcp");
        }
    }

    @Test
    void httpSessionsStartAndEndWithoutCountingExchangesAsConnections() throws Exception {
        Recorder rec = new Recorder();
        try (Rig rig = new Rig(Via.HTTP_SESSION, spec(rec))) {
            rig.session.initialize("2025-11-25");
            rec.awaitEvent("session started http");
            rig.closeSession();
            rec.awaitEvent("session ended http");
            assertThat(rec.events).noneMatch(e -> e.startsWith("connection"));
        }
    }

    @Test
    void severalObserversAllSeeEveryRequestAndOneThatThrowsHarmsNothing() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        McpObserver faulty = new McpObserver() {
            @Override
            public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                                     boolean answered, long durationNanos) {
                throw new IllegalStateException("broken observer");
            }
        };
        try (Rig rig = new Rig(Via.TCP, spec(first).observer(faulty).observer(second))) {
            McpSession s = rig.session;
            s.initialize("2025-11-25");
            assertThat(at(s.call("{\"jsonrpc\":\"2.0\",\"id\":\"in\",\"method\":\"tools/call\",\"params\":{\"name\":\"whoami-blocking\"}}"),
                    "result.content.0.text")).isEqualTo("tools/call \"in\"");
            assertThat(first.endOf("\"in\"").started.requestId).isEqualTo("\"in\"");
            assertThat(second.endOf("\"in\"").started.requestId).isEqualTo("\"in\"");
        }
    }

    @Test
    void theAuditLogNamesEachToolCallsOutcomeFromTheSameEvent() {
        assertThat(AuditObserver.outcome(0, false, true)).isEqualTo("ok");
        assertThat(AuditObserver.outcome(0, true, true)).isEqualTo("error");
        assertThat(AuditObserver.outcome(JsonRpcError.INVALID_PARAMS, false, true)).isEqualTo("error");
        assertThat(AuditObserver.outcome(0, false, false)).isEqualTo("cancelled");
        assertThat(AuditObserver.outcome(JsonRpcError.SERVER_OVERLOADED, false, true)).isEqualTo("overloaded");
        assertThat(AuditObserver.outcome(JsonRpcError.SHUTTING_DOWN, false, true)).isEqualTo("shutdown");
        // Refusals are audited by the policy chain as it refuses, not twice.
        assertThat(AuditObserver.outcome(JsonRpcError.FORBIDDEN, false, true)).isNull();
        assertThat(AuditObserver.outcome(JsonRpcError.RATE_LIMITED, false, true)).isNull();
    }

    @Test
    void cacheLookupsAreSeen() throws Exception {
        Recorder rec = new Recorder();
        Tool cached = Tool.builder("constant").blocking(false)
                .annotations(io.peregrine.tool.ToolAnnotations.builder().readOnly(true).idempotent(true).build())
                .cacheable(Duration.ofMinutes(1), io.peregrine.tool.CacheScope.PUBLIC)
                .handler((args, ctx) -> ToolResult.text("same")).build();
        try (Rig rig = new Rig(Via.TCP, spec(rec).tool(cached).policy(PolicyChain.defaults()))) {
            McpSession s = rig.session;
            s.initialize("2025-11-25");
            String call = "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"method\":\"tools/call\",\"params\":{\"name\":\"constant\"}}";
            assertThat(s.call(String.format(call, "a"))).containsKey("result");
            assertThat(s.call(String.format(call, "b"))).containsKey("result");
            rec.endOf("\"b\"");
            assertThat(rec.events).containsSubsequence("cache result miss", "cache result hit");
        }
    }
}
