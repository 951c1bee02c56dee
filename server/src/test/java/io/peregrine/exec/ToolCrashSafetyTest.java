package io.peregrine.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tools that fail the worst ways a JVM allows — {@link OutOfMemoryError}, {@link StackOverflowError},
 * blocking forever and spinning, both deaf to interrupts — do not take the process down or starve
 * other calls: the caller gets an error, other tools keep answering, stuck calls are listed by
 * {@code /health?verbose} and give their executor slot back up to {@code exec.max-stray-calls}, and
 * beyond that bound the server refuses with an overload error rather than growing threads.
 *
 * <p>The server is {@link CrashingToolsServer} in a child JVM with a 64 MiB heap (so that the
 * OutOfMemoryError is real and cheap) and no heap dump; the tests run in order against it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ToolCrashSafetyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String META = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process child;
    private static int tcpPort;
    private static int httpPort;
    private static Socket socket;
    private static BufferedReader in;
    private static int nextId;

    @BeforeAll
    static void startChild() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:-HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + target,
                "-Dio.netty.leakDetection.level=disabled",
                "-cp", System.getProperty("java.class.path"), CrashingToolsServer.class.getName()));
        child = new ProcessBuilder(command).redirectError(target.resolve("crashing-tools-server.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the child server's first line (stderr in target/crashing-tools-server.log)").isNotNull();
        Matcher m = Pattern.compile("tcp=(\\d+) http=(\\d+)").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        tcpPort = Integer.parseInt(m.group(1));
        httpPort = Integer.parseInt(m.group(2));
        socket = new Socket("127.0.0.1", tcpPort);
        socket.setSoTimeout(15_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopChild() throws Exception {
        if (socket != null) {
            socket.close();
        }
        if (child != null) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.list(Path.of("."))) {
            assertThat(files.filter(p -> p.toString().endsWith(".hprof"))).as("heap dumps in the module").isEmpty();
        }
    }

    @Test
    @Order(1)
    void outOfMemoryInAToolIsAnErrorAndTheServerGoesOn() throws Exception {
        JsonNode answer = call("oom");
        assertFailed(answer, "Tool oom failed: Java heap space");
        assertWorks();
    }

    @Test
    @Order(2)
    void stackOverflowInAToolIsAnErrorAndTheServerGoesOn() throws Exception {
        JsonNode answer = call("overflow");
        assertFailed(answer, "StackOverflowError");
        assertWorks();
    }

    @Test
    @Order(3)
    void toolsThatBlockForeverTimeOutAndGiveTheirSlotBack() throws Exception {
        // Two stuck calls fill exec.max-concurrency (2); as strays they give both slots back.
        assertThat(text(call("block"))).contains("timed out");
        assertThat(text(call("block"))).contains("timed out");
        JsonNode health = awaitStrays(2);
        for (JsonNode stray : health.get("strayCalls")) {
            assertThat(stray.get("call").asText()).startsWith("tools/call block");
            assertThat(stray.get("slotReturned").asBoolean()).isTrue();
        }
        assertWorks();
        assertWorks();
    }

    @Test
    @Order(4)
    void aSpinningToolTimesOutAndPastTheBoundStuckCallsKeepTheirSlots() throws Exception {
        // A third stray is past exec.max-stray-calls (2): it keeps its slot, one of two.
        assertThat(text(call("spin"))).contains("timed out");
        JsonNode health = awaitStrays(3);
        assertThat(health.get("strayCalls").findValuesAsText("call")).anyMatch(c -> c.startsWith("tools/call spin"));
        assertThat(health.get("strayCalls").findValues("slotReturned")).extracting(JsonNode::asBoolean)
                .containsExactlyInAnyOrder(true, true, false);
        assertWorks();
        // A fourth holds the last slot: blocking calls are now refused at once, never queued.
        assertThat(text(call("block"))).contains("timed out");
        awaitStrays(4);
        JsonNode refused = call("work");
        assertThat(refused.path("error").path("code").asInt()).as(refused.toString()).isEqualTo(-31000);
        // The event loop is free: a non-blocking tool still answers, and so does ping.
        assertThat(text(call("echo", "{\"message\":\"still here\"}"))).isEqualTo("still here");
        assertThat(child.isAlive()).isTrue();
    }

    private static void assertWorks() throws IOException {
        assertThat(text(call("work"))).isEqualTo("done");
        assertThat(text(call("echo", "{\"message\":\"hi\"}"))).isEqualTo("hi");
        assertThat(child.isAlive()).as("the server process").isTrue();
    }

    private static void assertFailed(JsonNode answer, String what) {
        boolean isErrorResult = answer.path("result").path("isError").asBoolean(false);
        boolean rpcError = answer.has("error");
        assertThat(isErrorResult || rpcError).as("an error for the call: %s", answer).isTrue();
        assertThat(answer.toString()).contains(what);
    }

    private static JsonNode call(String tool) throws IOException {
        return call(tool, "{}");
    }

    private static JsonNode call(String tool, String arguments) throws IOException {
        int id = ++nextId;
        String request = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "," + META + "}}\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        while (true) {
            String line = in.readLine();
            assertThat(line).as("the answer to %s (the connection closed)", tool).isNotNull();
            JsonNode answer = JSON.readTree(line);
            if (answer.path("id").asInt(-1) == id) {
                return answer;
            }
        }
    }

    private static String text(JsonNode answer) {
        JsonNode content = answer.path("result").path("content");
        return content.isArray() && content.size() > 0 ? content.get(0).path("text").asText() : answer.toString();
    }

    /** Polls /health?verbose until it lists {@code n} stray calls (a call becomes stray a second after it ended). */
    private static JsonNode awaitStrays(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode health;
        do {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health?verbose"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            health = JSON.readTree(r.body());
            if (health.path("strayCalls").size() >= n) {
                return health;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("/health?verbose lists " + health.path("strayCalls").size() + " stray calls, not " + n + ": " + health);
    }
}
