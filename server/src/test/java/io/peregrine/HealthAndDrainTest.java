package io.peregrine;

import io.peregrine.ops.health.DependencyStatus;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.RawHttp;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/** /health, /health?verbose and /ready, and what close() does to them: not ready at once, serving through the ready-delay, then drained. */
class HealthAndDrainTest {

    private static final String ECHO_CALL = "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"echo\",\"arguments\":{\"message\":\"%s\"}}}";

    private static Tool echo() {
        return Tool.builder("echo").blocking(false)
                .handler((args, ctx) -> ToolResult.text(args.string("message"))).build();
    }

    private static RawHttp.Response get(RawHttp http, String path) throws IOException {
        return http.request("GET", path).read();
    }

    @Test
    @SuppressWarnings("unchecked")
    void readyWhileServingWithEveryRequiredDependencyUp() throws Exception {
        try (Peregrine server = Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(echo()).build()) {
            assertThat(server.isReady()).as("built, not started").isFalse();
            assertThat(at(JsonTree.parse(server.health().details()), "state")).isEqualTo("starting");
            InetSocketAddress address = server.start().http();
            try (RawHttp http = new RawHttp(address)) {
                assertThat(get(http, "/ready").status).isEqualTo(200);
                AtomicReference<DependencyStatus> redis = new AtomicReference<>(DependencyStatus.down("connection refused"));
                server.dependencies().required("redis", redis::get)
                        .optional("upstream", () -> DependencyStatus.down("timed out"));

                RawHttp.Response ready = get(http, "/ready");
                assertThat(ready.status).isEqualTo(503);
                assertThat(ready.body).isEqualTo("{\"status\":\"not ready\",\"dependencies\":{\"redis\":{\"status\":\"down\",\"required\":true,\"detail\":\"connection refused\"},\"upstream\":{\"status\":\"down\",\"required\":false,\"detail\":\"timed out\"}}}");
                RawHttp.Response live = get(http, "/health");
                assertThat(live.status).isEqualTo(200);
                assertThat(live.body).isEqualTo("{\"status\":\"up\"}");

                RawHttp.Response verbose = get(http, "/health?verbose");
                assertThat(verbose.status).isEqualTo(200);
                assertThat(verbose.header("content-type")).isEqualTo("application/json");
                Map<String, Object> report = (Map<String, Object>) JsonTree.parse(verbose.body);
                assertThat(report).containsEntry("status", "up").containsEntry("ready", false)
                        .containsEntry("state", "serving").containsEntry("name", "peregrine")
                        .containsEntry("version", "0.1.0").containsEntry("tools", 1L)
                        .containsEntry("callsInFlight", 0L)
                        .containsKeys("uptimeMillis", "connections", "sessions");
                assertThat((Map<String, Object>) report.get("dependencies")).containsOnlyKeys("redis", "upstream");
                assertThat(at(report, "dependencies.redis"))
                        .isEqualTo(Map.of("status", "down", "required", true, "detail", "connection refused"));
                assertThat(at(report, "dependencies.upstream"))
                        .isEqualTo(Map.of("status", "down", "required", false, "detail", "timed out"));

                redis.set(DependencyStatus.UP);
                assertThat(get(http, "/ready").status).as("an optional dependency down leaves the server ready").isEqualTo(200);
                Map<String, Object> details = (Map<String, Object>) JsonTree.parse(get(http, "/health/details").body);
                assertThat(details).containsEntry("ready", true);
                assertThat(at(details, "dependencies.redis")).isEqualTo(Map.of("status", "up", "required", true));

                redis.set(null);
                assertThat(get(http, "/ready").status).as("a check with no answer is a dependency down").isEqualTo(503);
                assertThat(server.dependencies().remove("redis")).isTrue();
                assertThat(get(http, "/ready").status).isEqualTo(200);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void closeTurnsNotReadyAtOnceAndServesThroughTheReadyDelayBeforeDraining() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Tool gate = Tool.builder("gate").blocking(true).handler((args, ctx) -> {
            entered.countDown();
            release.await();
            return ToolResult.text("let through");
        }).build();
        // A ready-delay far longer than the test: it ends when the closing thread is interrupted.
        Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).tool(echo()).tool(gate)
                .readyDelay(Duration.ofHours(1)).drainTimeout(Duration.ofMinutes(1)).build();
        Peregrine.BoundAddresses addresses = server.start();
        Thread closer = new Thread(server::close, "closer");
        try (LineSocket client = new LineSocket(addresses.tcp()); RawHttp http = new RawHttp(addresses.http())) {
            client.initialize("2025-11-25");
            client.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\",\"arguments\":{}}}");
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(get(http, "/ready").status).isEqualTo(200);

            closer.start();
            awaitStatus(http, "/ready", 503);
            assertThat(get(http, "/health").status).isEqualTo(200);
            Map<String, Object> report = (Map<String, Object>) JsonTree.parse(get(http, "/health?verbose").body);
            assertThat(report).containsEntry("state", "draining").containsEntry("ready", false)
                    .containsEntry("callsInFlight", 1L);

            // Still serving during the ready-delay: new requests, and new connections.
            assertThat(at(client.call(String.format(ECHO_CALL, 2, "still here")), "result.content.0.text")).isEqualTo("still here");
            try (LineSocket late = new LineSocket(addresses.tcp())) {
                late.initialize("2025-11-25");
                assertThat(at(late.call(String.format(ECHO_CALL, 1, "late")), "result.content.0.text")).isEqualTo("late");
            }
            // The call that was running when close() began finishes and is answered.
            release.countDown();
            Map<String, Object> answer = client.readJson();
            assertThat(answer.get("id")).isEqualTo(1L);
            assertThat(at(answer, "result.content.0.text")).isEqualTo("let through");
            assertThat(closer.isAlive()).as("still in the ready-delay").isTrue();

            closer.interrupt();
            closer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(closer.isAlive()).as("close() returned").isFalse();
            assertThat(client.readLine()).as("the connection is closed once drained").isNull();
            assertThat(server.isReady()).isFalse();
            assertThat(at(JsonTree.parse(server.health().details()), "state")).isEqualTo("stopped");
        } finally {
            release.countDown();
            closer.interrupt();
            server.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theVerboseReportCountsConnectionsAndSessions() throws Exception {
        try (Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).tool(echo()).build()) {
            Peregrine.BoundAddresses addresses = server.start();
            try (RawHttp http = new RawHttp(addresses.http())) {
                Map<String, Object> before = (Map<String, Object>) JsonTree.parse(get(http, "/health/details").body);
                try (LineSocket first = new LineSocket(addresses.tcp()); LineSocket second = new LineSocket(addresses.tcp())) {
                    first.initialize("2025-11-25");
                    second.initialize("2025-11-25");
                    Map<String, Object> during = (Map<String, Object>) JsonTree.parse(get(http, "/health/details").body);
                    assertThat((Long) during.get("connections") - (Long) before.get("connections")).isEqualTo(2);
                    assertThat((Long) during.get("sessions") - (Long) before.get("sessions")).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void theHealthPathsAnswerGetAndHeadAndRefuseOtherMethods() throws Exception {
        try (Peregrine server = Peregrine.builder().noTcp().http("127.0.0.1", 0).tool(echo()).build()) {
            InetSocketAddress address = server.start().http();
            try (RawHttp http = new RawHttp(address)) {
                for (String path : new String[] {"/health", "/health/details", "/ready"}) {
                    RawHttp.Response post = http.postJson(path, "{}").read();
                    assertThat(post.status).as("POST %s", path).isEqualTo(405);
                    assertThat(post.header("allow")).isEqualTo("GET, HEAD");
                    assertThat(post.body).contains(path, "GET and HEAD");
                    RawHttp.Response head = http.request("HEAD", path).readHead();
                    assertThat(head.status).as("HEAD %s", path).isEqualTo(200);
                    assertThat(get(http, path).status).as("the connection serves on: GET %s", path).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void withoutAReadyDelayCloseDrainsAtOnce() throws Exception {
        try (Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).tool(echo()).build()) {
            server.start();
            assertThat(server.isReady()).isTrue();
            server.close();
            assertThat(server.isReady()).isFalse();
        }
    }

    /** Asks {@code path} until it answers {@code status}; fails after 30 s of asking. */
    private static void awaitStatus(RawHttp http, String path, int status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int last;
        do {
            last = get(http, path).status;
            if (last == status) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(path + " still answers " + last + ", expected " + status);
    }
}
