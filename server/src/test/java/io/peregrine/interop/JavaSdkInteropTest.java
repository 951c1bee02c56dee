package io.peregrine.interop;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.TestTools;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official MCP Java SDK client ({@code io.modelcontextprotocol.sdk:mcp}): launching
 * {@code peregrine --stdio} as a child process, as a desktop client would, and over Streamable HTTP.
 */
class JavaSdkInteropTest {

    @Test
    void theSdkClientWorksOverStdio() throws InterruptedException {
        ServerParameters server = ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args("-cp", System.getProperty("java.class.path"), "io.peregrine.launcher.Main", "--stdio",
                        "--set", "demo.fs.root=.")
                .build();
        StdioClientTransport transport = new StdioClientTransport(server, McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(line -> { });
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
                .loggingConsumer(logs::add)
                .clientInfo(new McpSchema.Implementation("java-sdk-interop", "1.0.0")).build()) {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("peregrine");
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                    .containsExactly("ask_model", "ask_user", "countdown", "echo", "fs.list", "fs.read", "fs.search", "fs.stat");
            McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "from the Java SDK")));
            assertThat(((McpSchema.TextContent) echo.content().get(0)).text()).isEqualTo("from the Java SDK");
            McpSchema.CallToolResult stat = client.callTool(new McpSchema.CallToolRequest("fs.stat", Map.of("path", "pom.xml")));
            assertThat(stat.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(stat.structuredContent()).isInstanceOf(Map.class);
            McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("fs.read", Map.of("path", "../../etc/passwd")));
            assertThat(refused.isError()).isTrue();

            assertThat(init.capabilities().resources().subscribe()).isTrue();
            assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri).contains("fs:///pom.xml");
            McpSchema.ReadResourceResult pom = client.readResource(new McpSchema.ReadResourceRequest("fs:///pom.xml"));
            assertThat(((McpSchema.TextResourceContents) pom.contents().get(0)).text()).contains("<artifactId>peregrine-server</artifactId>");
            assertThat(client.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
                    .containsExactly("fs:///{+path}");
            assertThat(client.listPrompts().prompts()).extracting(McpSchema.Prompt::name).containsExactly("compare_files", "review_file");
            McpSchema.GetPromptResult review = client.getPrompt(new McpSchema.GetPromptRequest("review_file", Map.of("path", "pom.xml")));
            assertThat(review.messages().get(1).content()).isInstanceOf(McpSchema.EmbeddedResource.class);
            McpSchema.CompleteResult completion = client.completeCompletion(new McpSchema.CompleteRequest(
                    new McpSchema.ResourceReference("fs:///{+path}"), new McpSchema.CompleteRequest.CompleteArgument("path", "po")));
            assertThat(completion.completion().values()).containsExactly("pom.xml");

            client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
            McpSchema.CallToolResult countdown = client.callTool(new McpSchema.CallToolRequest("countdown", Map.of("seconds", 1)));
            assertThat(((McpSchema.TextContent) countdown.content().get(0)).text()).isEqualTo("counted down from 1");
            // The SDK hands notifications to its consumers on a thread of its own.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (logs.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(logs).extracting(McpSchema.LoggingMessageNotification::data).contains("1 seconds to go");
        }
    }

    @Test
    void theSdkClientWorksOverStreamableHttp() throws Exception {
        try (Peregrine server = Peregrine.builder().tool(EchoTool.create()).tool(TestTools.slow()).noTcp()
                .http("127.0.0.1", 0).build()) {
            int port = server.start().http().getPort();
            HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                    .builder("http://127.0.0.1:" + port).endpoint("/mcp").build();
            List<Double> progress = new CopyOnWriteArrayList<>();
            try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
                    .clientInfo(new McpSchema.Implementation("java-sdk-interop", "1.0.0"))
                    .progressConsumer(p -> progress.add(p.progress())).build()) {
                McpSchema.InitializeResult init = client.initialize();
                assertThat(init.serverInfo().name()).isEqualTo("peregrine");
                assertThat(init.protocolVersion()).isEqualTo("2025-11-25");
                assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("echo", "slow");
                McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "over HTTP")));
                assertThat(((McpSchema.TextContent) echo.content().get(0)).text()).isEqualTo("over HTTP");
                McpSchema.CallToolResult slow = client.callTool(new McpSchema.CallToolRequest("slow",
                        Map.of("millis", 90, "steps", 3), Map.of("progressToken", "java-sdk")));
                assertThat(((McpSchema.TextContent) slow.content().get(0)).text()).isEqualTo("slept 90");
                // The SDK hands notifications to its consumer on a thread of its own: their order is not their
                // arrival order, and the last may reach the consumer after the call's result.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (progress.size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(progress).containsExactlyInAnyOrder(1.0, 2.0, 3.0);
                client.ping();
            }
            assertThat(server.core().callsInFlight()).isZero();
        }
    }

    @Test
    void theSdkClientAnswersElicitationAndSampling() {
        ServerParameters server = ServerParameters.builder(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .args("-cp", System.getProperty("java.class.path"), "io.peregrine.launcher.Main", "--stdio")
                .build();
        StdioClientTransport transport = new StdioClientTransport(server, McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(line -> { });
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(20))
                .clientInfo(new McpSchema.Implementation("java-sdk-interop", "1.0.0"))
                .capabilities(McpSchema.ClientCapabilities.builder().elicitation().sampling().build())
                .elicitation(request -> {
                    asked.add(request.message());
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("answer", "teal"));
                })
                .sampling(request -> {
                    asked.add(((McpSchema.TextContent) request.messages().get(0).content()).text());
                    return McpSchema.CreateMessageResult.builder(McpSchema.Role.ASSISTANT, "Bonjour", "sdk-model").build();
                })
                .build()) {
            client.initialize();
            McpSchema.CallToolResult answered = client.callTool(new McpSchema.CallToolRequest("ask_user",
                    Map.of("question", "Favourite colour?")));
            assertThat(((McpSchema.TextContent) answered.content().get(0)).text()).isEqualTo("The user answered: teal");
            McpSchema.CallToolResult sampled = client.callTool(new McpSchema.CallToolRequest("ask_model",
                    Map.of("prompt", "Say hello in French")));
            assertThat(((McpSchema.TextContent) sampled.content().get(0)).text()).isEqualTo("Bonjour");
            assertThat(asked).containsExactly("Favourite colour?", "Say hello in French");
        }
    }
}
