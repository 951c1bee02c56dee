package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.TestCertificates;
import io.peregrine.testing.TestTools;
import io.peregrine.transport.tls.TlsContext;
import io.peregrine.testing.NodeScript;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official MCP TypeScript SDK client (interop/ts) over TLS: wss:// and https://, trusting the
 * test's self-signed certificate through NODE_EXTRA_CA_CERTS. Skipped where {@code npm ci} has
 * not been run in interop/ts.
 */
@SuppressWarnings("unchecked")
class TypeScriptSdkTlsTest {

    private static final Path DIR = Path.of(System.getProperty("peregrine.interop.ts", "../interop/ts"));
    private static NodeScript scripts;

    @TempDir
    static Path dir;
    private static TestCertificates cert;
    private static Peregrine server;

    @BeforeAll
    static void start() throws Exception {
        scripts = NodeScript.in(DIR, "@modelcontextprotocol/sdk");
        cert = TestCertificates.create(dir, "server", "localhost");
        server = Peregrine.builder().tool(EchoTool.create()).tool(TestTools.slow()).noTcp().http("127.0.0.1", 0)
                .httpTls(TlsContext.builder(cert.cert, cert.key).build()).drainTimeout(Duration.ZERO).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, Object> run(String url) throws Exception {
        return scripts.withEnvironment(Map.of("NODE_EXTRA_CA_CERTS", cert.cert.toAbsolutePath().toString()))
                .run("client.mjs", url);
    }

    @Test
    void overWss() throws Exception {
        Map<String, Object> r = run("wss://localhost:" + server.addresses().http().getPort() + "/mcp");
        assertThat(at(r, "serverVersion.name")).isEqualTo("peregrine");
        assertThat((List<Object>) r.get("tools")).containsExactly("echo", "slow");
        assertThat(at(r, "echo.0.text")).isEqualTo("from the TypeScript SDK");
    }

    @Test
    void overHttps() throws Exception {
        Map<String, Object> r = run("https://localhost:" + server.addresses().http().getPort() + "/mcp");
        assertThat(at(r, "serverVersion.name")).isEqualTo("peregrine");
        assertThat(at(r, "echo.0.text")).isEqualTo("from the TypeScript SDK");
    }
}
