package io.peregrine.interop;

import io.peregrine.Peregrine;
import io.peregrine.testing.TestContent;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import io.peregrine.testing.NodeScript;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official MCP TypeScript SDK client ({@code interop/ts/features.mjs}) against Peregrine's
 * resources, templates, prompts, completions, logging and resource subscriptions, over WebSocket
 * and Streamable HTTP. Skipped where {@code npm ci} has not been run in interop/ts.
 */
@SuppressWarnings("unchecked")
class TypeScriptSdkFeaturesInteropTest {

    private static final Path DIR = Path.of("..", "interop", "ts");
    private static Peregrine server;

    @BeforeAll
    static void start() throws Exception {
        Peregrine.Builder b = Peregrine.builder().tool(TestContent.chatty()).noTcp().http("127.0.0.1", 0)
                .resourceTemplate(TestContent.items()).prompt(TestContent.greet()).prompt(TestContent.everyContent());
        TestContent.resources().forEach(b::resource);
        server = b.build();
        server.tools().add(Tool.builder("touch").blocking(false).handler((args, ctx) -> {
            server.resources().updated("test://static/a");
            return ToolResult.text("touched");
        }).build());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, Object> run(String url) throws IOException, InterruptedException {
        return NodeScript.in(DIR, "@modelcontextprotocol/sdk").run("features.mjs", url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ws", "http"})
    void theSdkClientUsesResourcesPromptsCompletionsAndLogging(String scheme) throws Exception {
        Map<String, Object> r = run(scheme + "://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
        assertThat(at(r, "capabilities.resources.subscribe")).isEqualTo(true);
        assertThat((Map<String, Object>) at(r, "capabilities")).containsKeys("prompts", "completions", "logging");
        assertThat((List<Object>) r.get("resources"))
                .containsExactly("test://static/a", "test://static/blob", "test://static/hello", "test://static/slow");
        assertThat(r.get("text")).isEqualTo("hello world");
        assertThat(r.get("blob")).isEqualTo("AQID");
        assertThat((List<Object>) r.get("templates")).containsExactly("test://items/{id}");
        assertThat(r.get("item")).isEqualTo("item 42");
        assertThat(r.get("missing")).isEqualTo(-32002L);
        assertThat((List<Object>) r.get("prompts")).containsExactly("every_content", "greet");
        assertThat((List<Object>) r.get("greet")).containsExactly("user: Please greet Ada in a formal way.", "assistant: Hello, Ada!");
        assertThat((List<Object>) r.get("kinds")).containsExactly("text", "image", "audio", "resource_link", "resource");
        assertThat(r.get("missingArgument")).isEqualTo(-32602L);
        assertThat((List<Object>) r.get("completion")).containsExactly("formal");
        assertThat((List<Object>) r.get("templateCompletion")).containsExactly("apple", "apricot");
        assertThat(r.get("chatty")).isEqualTo("logged");
        assertThat((List<Object>) r.get("logs")).containsExactly("warning a warning");
        assertThat((List<Object>) r.get("updated")).containsExactly("test://static/a");
    }
}
