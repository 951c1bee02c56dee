package io.peregrine.interop;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.TestTools;
import io.peregrine.testing.NodeScript;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official MCP TypeScript SDK client (pinned in interop/ts, installed by {@code .ci/run} with
 * the Node 22 it needs) against Peregrine over WebSocket, Streamable HTTP and stdio: initialize, list
 * tools, call a tool, progress, cancellation. Skipped where {@code npm ci} has not been run in interop/ts.
 */
@SuppressWarnings("unchecked")
class TypeScriptSdkInteropTest {

    private static final Path DIR = Path.of("..", "interop", "ts");
    private static Peregrine server;

    @BeforeAll
    static void start() throws Exception {
        server = Peregrine.builder().tool(EchoTool.create()).tool(TestTools.slow()).noTcp().http("127.0.0.1", 0).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, Object> run(String... clientArgs) throws IOException, InterruptedException {
        return NodeScript.in(DIR, "@modelcontextprotocol/sdk").run("client.mjs", clientArgs);
    }

    @Test
    void theSdkClientWorksOverWebSocket() throws Exception {
        Map<String, Object> r = run("ws://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
        assertThat(at(r, "serverVersion.name")).isEqualTo("peregrine");
        assertThat((List<Object>) r.get("tools")).containsExactly("echo", "slow");
        assertThat(at(r, "echo.0.text")).isEqualTo("from the TypeScript SDK");
        assertThat(r.get("slow")).isEqualTo("slept 200");
        // The SDK handles notifications a tick later than responses, so the progress sent just
        // before the result may be dropped by the client; the earlier ones must all be there.
        assertThat((List<Object>) r.get("progress")).startsWith(1L, 2L, 3L);
        assertThat(r.get("cancelled")).isEqualTo(true);
        assertThat(r.get("afterCancel")).isEqualTo("still here");
    }

    @Test
    void theSdkClientWorksOverStreamableHttp() throws Exception {
        Map<String, Object> r = run("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
        assertThat(at(r, "serverVersion.name")).isEqualTo("peregrine");
        assertThat((String) r.get("sessionId")).as("Mcp-Session-Id minted on initialize").hasSizeGreaterThan(30);
        assertThat(r.get("protocolVersion")).isEqualTo("2025-11-25");
        assertThat((List<Object>) r.get("tools")).containsExactly("echo", "slow");
        assertThat(at(r, "echo.0.text")).isEqualTo("from the TypeScript SDK");
        assertThat(r.get("slow")).isEqualTo("slept 200");
        // Progress travels on the POST's SSE stream, ahead of the result on the same stream.
        assertThat((List<Object>) r.get("progress")).containsExactly(1L, 2L, 3L, 4L);
        assertThat(r.get("cancelled")).isEqualTo(true);
        assertThat(r.get("afterCancel")).isEqualTo("still here");
        assertThat(r.get("terminated")).as("DELETE ends the session").isEqualTo(true);
    }

    @Test
    void theSdkClientWorksOverStdio() throws Exception {
        Map<String, Object> r = run("stdio", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.peregrine.testing.StdioTestServer");
        assertThat(r.get("protocol")).isEqualTo("stdio");
        assertThat(at(r, "serverVersion.name")).isEqualTo("peregrine");
        assertThat((List<Object>) r.get("tools")).containsExactly("echo", "slow");
        assertThat(at(r, "echo.0.text")).isEqualTo("from the TypeScript SDK");
        assertThat(r.get("slow")).isEqualTo("slept 200");
        assertThat((List<Object>) r.get("progress")).startsWith(1L, 2L, 3L);
        assertThat(r.get("cancelled")).isEqualTo(true);
        assertThat(r.get("afterCancel")).isEqualTo("still here");
    }
}
