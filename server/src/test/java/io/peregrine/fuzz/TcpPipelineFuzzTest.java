package io.peregrine.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.TestTools;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole TCP server, in process, over a real loopback socket: framer, envelope, lifecycle of both
 * eras, method table, policy, executor, tools, and the writer of answers.
 *
 * <p>Input: lines, each sent as one message. A line is sent as it is, unless it starts with
 * {@code @}, which makes it a well-formed message of the fuzzer's choosing (ids {@code "fz-N"}):
 * {@code @i<v>} an {@code initialize} (v picks 2025-03-26, 2025-06-18 or 2025-11-25, followed by
 * {@code notifications/initialized}); {@code @c<t><v><m>} a {@code tools/call} of tool t (echo,
 * the blocking {@code nap}, boom, refuse, everything, raw) whose {@code _meta} names protocol
 * version v (2026-07-28, 2025-03-26, 2025-06-18, 2025-11-25 or none) and whose {@code nap} lasts
 * m ms; {@code @p} a 2026-07-28 ping. A final 2026-07-28 ping ends the input.
 *
 * <p>Invariants: every line the server writes is a JSON-RPC 2.0 response, or an array of them for a
 * batch (a {@code result} or an
 * {@code error} with an integer code and a message); every well-formed request gets exactly one
 * answer within 5 s (unless a raw line cancels something); the connection stays open to answer
 * the final ping; no buffer leaks (the server's buffers are tracked too: it runs in this JVM).
 */
class TcpPipelineFuzzTest {

    private static final String[] VERSIONS = {"2025-03-26", "2025-06-18", "2025-11-25"};
    private static final String[] META_VERSIONS = {"2026-07-28", "2025-03-26", "2025-06-18", "2025-11-25", null};
    private static final String[] TOOLS = {"echo", "nap", "boom", "refuse", "everything", "raw"};
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Peregrine SERVER = start();

    private final Fuzzing.Rhythm rhythm = new Fuzzing.Rhythm();

    @FuzzTest(maxDuration = "30s")
    void everyRequestGetsOneAnswer(byte[] data) throws IOException {
        try (SilentCloseable loopback = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
            run(data);
        }
        rhythm.afterInput();
    }

    private void run(byte[] data) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Set<String> expected = new LinkedHashSet<>();
        boolean rawCancels = false;
        int n = 0;
        for (String line : new String(data, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            if (line.startsWith("@")) {
                String message = macro(line, "fz-" + n);
                if (message != null) {
                    expected.add("fz-" + n);
                    n++;
                    wire.writeBytes(message.getBytes(StandardCharsets.UTF_8));
                    continue;
                }
            }
            rawCancels |= line.contains("cancel") || line.contains("fz-");
            wire.writeBytes(line.getBytes(StandardCharsets.ISO_8859_1));
            wire.write('\n');
        }
        expected.add("fz-end");
        wire.writeBytes(("{\"jsonrpc\":\"2.0\",\"id\":\"fz-end\",\"method\":\"ping\",\"params\":" + meta("2026-07-28") + "}\n")
                .getBytes(StandardCharsets.UTF_8));

        Map<String, Integer> answers = new HashMap<>();
        try (Socket socket = new Socket(SERVER.addresses().tcp().getAddress(), SERVER.addresses().tcp().getPort())) {
            socket.setSoTimeout(5_000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write(wire.toByteArray());
            out.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!answers.keySet().containsAll(expected) || (rawCancels && !answers.containsKey("fz-end"))) {
                if (System.nanoTime() > deadline) {
                    break;
                }
                String line;
                try {
                    line = in.readLine();
                } catch (SocketTimeoutException e) {
                    break;
                }
                assertThat(line).as("the server closed the connection; answered so far: %s", answers.keySet()).isNotNull();
                JsonNode answer = parse(line);
                // A batch (2025-03-26) is answered with an array of responses.
                for (JsonNode one : answer.isArray() ? answer : List.of(answer)) {
                    checkResponse(one, line);
                    JsonNode id = one.get("id");
                    if (id != null && id.isTextual() && id.asText().startsWith("fz-")) {
                        answers.merge(id.asText(), 1, Integer::sum);
                    }
                }
                if (rawCancels && answers.containsKey("fz-end")) {
                    break;
                }
            }
        }
        assertThat(answers).as("answers to the final ping").containsKey("fz-end");
        if (!rawCancels) {
            for (String id : expected) {
                assertThat(answers.get(id)).as("answers to %s (sent: %s)", id,
                        new String(wire.toByteArray(), StandardCharsets.UTF_8)).isEqualTo(1);
            }
        }
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode answer = JSON.readTree(line);
            assertThat(answer != null && (answer.isObject() || answer.isArray() && !answer.isEmpty())).as(line).isTrue();
            return answer;
        } catch (IOException e) {
            throw new AssertionError("the server wrote a line that is not JSON: " + line, e);
        }
    }

    private static void checkResponse(JsonNode answer, String line) {
        assertThat(answer.isObject()).as(line).isTrue();
        if (answer.has("method")) {
            return; // a notification or a request of the server (progress, logging, ...)
        }
        assertThat(answer.path("jsonrpc").asText()).as(line).isEqualTo("2.0");
        assertThat(answer.has("result") ^ answer.has("error")).as("result or error: " + line).isTrue();
        if (answer.has("error")) {
            assertThat(answer.path("error").path("code").isInt()).as(line).isTrue();
            assertThat(answer.path("error").path("message").asText()).as(line).isNotBlank();
        }
    }

    /** The message (with its newline) a macro line stands for, or null when it is not one. */
    private static String macro(String line, String id) {
        String q = "\"" + id + "\"";
        if (line.startsWith("@i") && line.length() >= 3) {
            String v = VERSIONS[(line.charAt(2) & 0xFF) % VERSIONS.length];
            return "{\"jsonrpc\":\"2.0\",\"id\":" + q + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + v
                    + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}\n"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
        }
        if (line.startsWith("@c") && line.length() >= 5) {
            String tool = TOOLS[(line.charAt(2) & 0xFF) % TOOLS.length];
            String v = META_VERSIONS[(line.charAt(3) & 0xFF) % META_VERSIONS.length];
            int millis = (line.charAt(4) & 0xFF) % 20;
            String args = tool.equals("echo") ? "{\"message\":\"hi\"}" : tool.equals("raw") ? "{\"n\":1}" : "{\"millis\":" + millis + "}";
            String params = "{\"name\":\"" + tool + "\",\"arguments\":" + args + (v == null ? "" : ",\"_meta\":" + metaMembers(v)) + "}";
            return "{\"jsonrpc\":\"2.0\",\"id\":" + q + ",\"method\":\"tools/call\",\"params\":" + params + "}\n";
        }
        if (line.equals("@p")) {
            return "{\"jsonrpc\":\"2.0\",\"id\":" + q + ",\"method\":\"ping\",\"params\":" + meta("2026-07-28") + "}\n";
        }
        return null;
    }

    private static String meta(String version) {
        return "{\"_meta\":" + metaMembers(version) + "}";
    }

    private static String metaMembers(String version) {
        return "{\"io.modelcontextprotocol/protocolVersion\":\"" + version + "\",\"io.modelcontextprotocol/clientCapabilities\":{}}";
    }

    /** A blocking tool that sleeps the given milliseconds. */
    private static Tool nap() {
        return Tool.builder("nap")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"millis\":{\"type\":\"integer\"}}}")
                .blocking(true)
                .timeout(Duration.ofSeconds(2))
                .handler((args, ctx) -> {
                    Thread.sleep(args.integer("millis", 1));
                    return ToolResult.text("rested");
                })
                .build();
    }

    private static Peregrine start() {
        LeakWatch.install();
        try {
            Peregrine server = Peregrine.builder()
                    .tool(EchoTool.create()).tool(nap()).tool(TestTools.boom()).tool(TestTools.refuse())
                    .tool(TestTools.everything()).tool(TestTools.raw())
                    .maxLineLength(64 * 1024).maxNestingDepth(16).maxStringLength(16 * 1024)
                    .maxConcurrency(8).maxInFlightPerConnection(4)
                    .tcp("127.0.0.1", 0).build();
            server.start();
            return server;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        SERVER.close();
    }

    static {
        assert List.of(TOOLS).contains("nap");
    }
}
