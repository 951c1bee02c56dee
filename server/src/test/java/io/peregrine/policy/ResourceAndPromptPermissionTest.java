package io.peregrine.policy;

import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.Resource;
import io.peregrine.rpc.JsonRpcError;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** resource: and prompt: scopes filter the lists and guard resources/read and prompts/get. */
@SuppressWarnings("unchecked")
class ResourceAndPromptPermissionTest {

    @Test
    void scopesGuardResourcesAndPrompts() throws Exception {
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder()
                .key("reader", "reader-key-0123456789", List.of("resource:file:///docs/*", "prompt:greet")).build();
        Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .policy(PolicyChain.builder().authenticator("tcp", keys).build())
                .resource(Resource.builder("file:///docs/readme", "readme").text("hello").build())
                .resource(Resource.builder("file:///etc/secret", "secret").text("no").build())
                .prompt(Prompt.builder("greet").handler(args -> PromptResult.text("hi")).build())
                .prompt(Prompt.builder("admin").handler(args -> PromptResult.text("root")).build())
                .build();
        server.start();
        try (server; PeregrineClient c = PeregrineClient.builder().address(server.addresses().tcp())
                .authorization("Bearer reader-key-0123456789").connect()) {
            Map<String, Object> resources = c.request("resources/list", Map.of()).get();
            assertThat((List<Map<String, Object>>) resources.get("resources")).extracting(r -> r.get("uri"))
                    .containsExactly("file:///docs/readme");
            assertThat(c.request("resources/read", Map.of("uri", "file:///docs/readme")).get().toString()).contains("hello");
            assertThatThrownBy(() -> c.request("resources/read", Map.of("uri", "file:///etc/secret")).join())
                    .hasCauseInstanceOf(McpClientException.class)
                    .satisfies(e -> {
                        McpClientException m = (McpClientException) e.getCause();
                        assertThat(m.code()).isEqualTo(JsonRpcError.FORBIDDEN);
                        assertThat((Map<String, Object>) m.data()).containsEntry("scope", "resource:file:///etc/secret");
                    });
            Map<String, Object> prompts = c.request("prompts/list", Map.of()).get();
            assertThat((List<Map<String, Object>>) prompts.get("prompts")).extracting(p -> p.get("name"))
                    .containsExactly("greet");
            assertThat(c.request("prompts/get", Map.of("name", "greet")).get().toString()).contains("hi");
            assertThatThrownBy(() -> c.request("prompts/get", Map.of("name", "admin")).join())
                    .hasCauseInstanceOf(McpClientException.class)
                    .satisfies(e -> assertThat(((McpClientException) e.getCause()).code()).isEqualTo(JsonRpcError.FORBIDDEN));
        }
    }
}
