package io.peregrine.launcher;

import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone server in a process of its own, stopped the way an orchestrator stops it: SIGTERM.
 * It turns not ready at once while still answering {@code /health} and serving (for the default
 * {@code shutdown.ready-delay} of 5 s), finishes the call in flight, and exits with status 0.
 */
class SigtermTest {

    private static final Pattern BOUND = Pattern.compile("tcp=/127\\.0\\.0\\.1:(\\d+), http=/127\\.0\\.0\\.1:(\\d+)");

    @Test
    @SuppressWarnings("unchecked")
    void sigtermTurnsNotReadyFinishesTheCallInFlightAndExitsWithZero() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.peregrine.launcher.Main",
                "--set", "tcp.port=0", "--set", "http.port=0", "--set", "demo.fs.root=.")
                .redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = drain(child, lines, output);
        try {
            Matcher bound = awaitLine(lines, output, BOUND);
            InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", Integer.parseInt(bound.group(1)));
            InetSocketAddress http = new InetSocketAddress("127.0.0.1", Integer.parseInt(bound.group(2)));
            try (LineSocket client = new LineSocket(tcp); RawHttp probe = new RawHttp(http)) {
                // A call that stays in flight until this test answers the question it asks.
                client.initialize("2025-11-25", "{\"elicitation\":{}}");
                client.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"ask_user\","
                        + "\"arguments\":{\"question\":\"Favourite colour?\"}}}");
                Map<String, Object> question = client.readJson();
                assertThat(question.get("method")).isEqualTo("elicitation/create");
                assertThat(probe.request("GET", "/ready").read().status).isEqualTo(200);

                // SIGTERM, as Process.destroy() sends it; through the handle, the output stays readable.
                assertThat(child.toHandle().destroy()).isTrue();

                awaitStatus(probe, "/ready", 503);
                assertThat(probe.request("GET", "/health").read().status).isEqualTo(200);
                Map<String, Object> report = (Map<String, Object>) JsonTree.parse(
                        probe.request("GET", "/health?verbose").read().body);
                assertThat(report).containsEntry("ready", false).containsEntry("state", "draining")
                        .containsEntry("callsInFlight", 1L);
                assertThat(child.isAlive()).isTrue();

                client.send("{\"jsonrpc\":\"2.0\",\"id\":" + JsonTree.toJson(question.get("id")) + ",\"result\":"
                        + "{\"action\":\"accept\",\"content\":{\"answer\":\"blue\"}}}");
                Map<String, Object> answer = client.readJson();
                assertThat(answer.get("id")).isEqualTo(7L);
                assertThat(at(answer, "result.content.0.text")).isEqualTo("The user answered: blue");
            }
            assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the process exited").isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(child.exitValue()).as("exit status; output:\n" + String.join("\n", output)).isZero();
            assertThat(String.join("\n", output)).contains("SIGTERM: shutting down")
                    .contains("not ready, still serving for 5s (shutdown.ready-delay)");
        } finally {
            child.destroyForcibly();
        }
    }

    /** Copies the child's output into {@code lines} and {@code all} until it ends, so that its pipe never fills. */
    private static Thread drain(Process child, BlockingQueue<String> lines, List<String> all) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                all.add("(output ended: " + e + ")");
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The first line matching {@code pattern}; fails after 60 s without one. */
    private static Matcher awaitLine(BlockingQueue<String> lines, List<String> all, Pattern pattern)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            Matcher m = line == null ? null : pattern.matcher(line);
            if (m != null && m.find()) {
                return m;
            }
        }
        throw new AssertionError("no line matching " + pattern + " in:\n" + String.join("\n", all));
    }

    private static void awaitStatus(RawHttp http, String path, int status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int last;
        do {
            last = http.request("GET", path).read().status;
            if (last == status) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(path + " still answers " + last + ", expected " + status);
    }
}
