package io.peregrine.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client against a server built on the official MCP Java SDK ({@link SdkReferenceServer}, a
 * 2025-era server in a JVM of its own) over Streamable HTTP and stdio: tools listed and called,
 * a tool's error result, progress, resources and a template read, a prompt got, and the sampling,
 * elicitation and roots requests the server sends back to the client in the middle of a call.
 */
class JavaSdkServerInteropTest {

    private static final long WAIT_SECONDS = 60;

    private static Process httpServer;
    private static String httpUrl;

    @BeforeAll
    static void startHttpServer() throws Exception {
        httpServer = new ProcessBuilder(SdkReferenceServer.command("http"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(httpServer.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("listening on ")) {
                        url.complete(line.substring("listening on ".length()).trim());
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IOException("the SDK server exited before listening"));
        }, "sdk-server-stdout");
        reader.setDaemon(true);
        reader.start();
        httpUrl = url.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopHttpServer() throws Exception {
        if (httpServer != null) {
            httpServer.getOutputStream().close();
            if (!httpServer.waitFor(10, TimeUnit.SECONDS)) {
                httpServer.destroyForcibly();
            }
        }
    }

    private static PeregrineClient.Builder client(String setup, List<String> asked) {
        PeregrineClient.Builder b = PeregrineClient.builder().requestTimeout(Duration.ofSeconds(WAIT_SECONDS));
        if (setup.startsWith("stdio")) {
            b.stdio(SdkReferenceServer.command("stdio"));
        } else {
            b.url(httpUrl);
        }
        if (setup.endsWith("negotiated")) {
            b.negotiateProtocolVersion();
        }
        return b
                .onElicitation(params -> {
                    asked.add("elicitation: " + params.get("message"));
                    return Map.of("action", "accept", "content", Map.of("answer", "blue"));
                })
                .onSampling(params -> {
                    asked.add("sampling");
                    return Map.of("role", "assistant", "model", "test-model",
                            "content", Map.of("type", "text", "text", "Paris"));
                })
                .roots(Map.of("file:///work", "work"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http 2025-11-25", "http negotiated", "stdio 2025-11-25", "stdio negotiated"})
    void everythingTheSdkServerOffers(String setup) throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(setup, asked).connect()) {
            // A 2025-era server: a negotiating client probes server/discover, then falls back to initialize.
            assertThat(c.negotiatedVersion()).startsWith("2025-");
            assertThat(c.serverInfo()).containsEntry("name", "mcp-java-sdk-reference");
            assertThat(c.serverCapabilities()).containsKeys("tools", "resources", "prompts");

            assertThat(c.tools()).extracting(ToolInfo::name).filteredOn(n -> !n.startsWith("grown_"))
                    .containsExactlyInAnyOrder("echo", "add", "fail", "count", "ask_model", "ask_user", "list_roots", "grow");
            assertThat(c.callTool("echo", Map.of("message", "héllo, SDK")).text()).isEqualTo("héllo, SDK");
            CallToolResult sum = c.callTool("add", Map.of("a", 2, "b", 3.5));
            assertThat(sum.isError()).isFalse();
            assertThat(sum.text()).isEqualTo("5.5");
            assertThat(sum.structuredContent()).containsEntry("sum", 5.5);

            CallToolResult failed = c.callTool("fail", Map.of());
            assertThat(failed.isError()).isTrue();
            assertThat(failed.text()).isEqualTo("failed on purpose");
            // A tool the server does not have is a protocol error (or, by the newer rule, an error result).
            boolean refused;
            try {
                refused = c.callTool("no_such_tool", Map.of()).isError();
            } catch (McpClientException e) {
                refused = true;
                // The SDK 2.1.0 names no tool in its message ("Unknown tool: invalid_tool_name").
                assertThat(e.code()).isEqualTo(-32602);
                assertThat(e.getMessage()).startsWith("Unknown tool");
            }
            assertThat(refused).isTrue();

            List<Double> progress = new CopyOnWriteArrayList<>();
            List<String> messages = new CopyOnWriteArrayList<>();
            PendingCall counting = c.callToolAsync("count", Map.of("steps", 5), (p, total, m) -> {
                progress.add(p);
                messages.add(m);
            });
            assertThat(counting.result().get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("counted 5");
            assertThat(progress).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0);
            assertThat(messages).containsExactly("step 1", "step 2", "step 3", "step 4", "step 5");

            assertThat(c.callTool("ask_model", Map.of("prompt", "Capital of France?")).text())
                    .isEqualTo("The model (test-model) answered: Paris");
            assertThat(c.callTool("ask_user", Map.of("question", "Favourite colour?")).text())
                    .isEqualTo("The user answered: blue");
            assertThat(c.callTool("list_roots", Map.of()).text()).isEqualTo("file:///work (work)");
            assertThat(asked).containsExactly("sampling", "elicitation: Favourite colour?");

            assertThat(c.resources()).extracting(ResourceInfo::uri).containsExactly("sdk://greeting");
            List<ResourceContents> greeting = c.readResource("sdk://greeting");
            assertThat(greeting).hasSize(1);
            assertThat(greeting.get(0).text()).isEqualTo("Hello from the Java SDK");
            assertThat(greeting.get(0).mimeType()).isEqualTo("text/plain");
            assertThat(c.resourceTemplates()).extracting(ResourceTemplateInfo::uriTemplate).containsExactly("sdk://items/{id}");
            assertThat(c.readResource("sdk://items/42").get(0).text()).isEqualTo("item 42");
            assertThatThrownBy(() -> c.readResource("sdk://nothing-here")).isInstanceOf(McpClientException.class);

            assertThat(c.prompts()).extracting(PromptInfo::name).containsExactly("greet");
            assertThat(c.prompts().get(0).arguments()).extracting(PromptInfo.Argument::name).containsExactly("name");
            PromptResult prompt = c.getPrompt("greet", Map.of("name", "Ada"));
            assertThat(prompt.messages()).hasSize(1);
            assertThat(prompt.messages().get(0).role()).isEqualTo("user");
            assertThat(prompt.messages().get(0).text()).isEqualTo("Hello, Ada!");

            c.ping();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "stdio"})
    void aToolTheServerAddsReachesTheCatalogThroughItsListChangedNotification(String transport) throws Exception {
        List<List<String>> catalogs = new CopyOnWriteArrayList<>();
        try (PeregrineClient c = client(transport + " 2025-11-25", new CopyOnWriteArrayList<>())
                .onCatalogChange((kind, items) -> {
                    if (kind == CatalogListener.Kind.TOOLS) {
                        List<String> names = new ArrayList<>();
                        items.forEach(t -> names.add(((ToolInfo) t).name()));
                        catalogs.add(names);
                    }
                }).connect()) {
            String name = "grown_" + transport + "_" + Long.toHexString(System.nanoTime());
            assertThat(c.tools()).extracting(ToolInfo::name).contains("grow").doesNotContain(name);
            // Over HTTP the notification comes on the session's GET stream, unasked.
            assertThat(c.callTool("grow", Map.of("name", name)).text()).isEqualTo("added " + name);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (catalogs.stream().noneMatch(l -> l.contains(name)) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(catalogs).anySatisfy(l -> assertThat(l).contains(name));
            assertThat(c.tools()).extracting(ToolInfo::name).contains(name);
            assertThat(c.callTool(name, Map.of()).text()).isEqualTo("grown");
        }
    }

    @Test
    void manyCallsAtOnceOverStreamableHttpEachGetTheirOwnAnswer() throws Exception {
        try (PeregrineClient c = client("http 2025-11-25", new CopyOnWriteArrayList<>()).connect()) {
            List<CompletableFuture<CallToolResult>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(c.callToolAsync("echo", Map.of("message", "call " + i), null).result());
            }
            for (int i = 0; i < calls.size(); i++) {
                assertThat(calls.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS).text()).isEqualTo("call " + i);
            }
        }
    }
}
