package io.peregrine.interop;

import io.peregrine.Peregrine;
import io.peregrine.demo.AskModelTool;
import io.peregrine.demo.AskUserTool;
import io.peregrine.testing.AskingTools;
import io.peregrine.testing.NodeScript;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official MCP TypeScript SDK v2 client ({@code @modelcontextprotocol/client}, pinned in
 * interop/ts-v2, installed by {@code .ci/run}) answering elicitation and sampling over Streamable
 * HTTP with its handlers: pinned to 2026-07-28, where it fulfils {@code input_required} rounds and
 * retries by itself, and in 2025-11-25, where the server sends it requests. Skipped where
 * {@code npm ci} has not been run in interop/ts-v2.
 */
@SuppressWarnings("unchecked")
class TypeScriptSdkV2InteropTest {

    private static final Path DIR = Path.of("..", "interop", "ts-v2");
    private static Peregrine server;

    @BeforeAll
    static void start() throws Exception {
        server = Peregrine.builder().tool(AskUserTool.create()).tool(AskModelTool.create())
                .tool(AskingTools.twoSteps()).noTcp().http("127.0.0.1", 0).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, Object> run(String era) throws IOException, InterruptedException {
        NodeScript scripts = NodeScript.in(DIR, "@modelcontextprotocol/client");
        String url = "http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp";
        return scripts.run("client.mjs", url, era);
    }

    @ParameterizedTest
    @ValueSource(strings = {"modern", "legacy"})
    void theV2ClientAnswersWhatTheServerAsks(String era) throws Exception {
        Map<String, Object> r = run(era);
        assertThat(r.get("protocolEra")).isEqualTo(era);
        assertThat(r.get("protocolVersion")).isEqualTo(era.equals("modern") ? "2026-07-28" : "2025-11-25");
        assertThat(r.get("askUser")).isEqualTo("The user answered: teal");
        assertThat(r.get("askModel")).isEqualTo("Bonjour");
        assertThat(r.get("twoSteps")).isEqualTo("Ada likes green");
        assertThat((List<Object>) r.get("asked")).containsExactly("elicitation: Favourite colour?",
                "sampling: Say hello in French", "elicitation: Step 1: name?", "elicitation: Step 2: color?");
        assertThat(server.core().pendingClientRequests()).isZero();
    }
}
