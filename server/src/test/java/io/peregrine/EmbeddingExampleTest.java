package io.peregrine;

import io.peregrine.testing.LineSocket;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedding API around the example of docs/embedding.md (which {@code DocsExamplesTest} runs as
 * it is written there): the tool it serves, tools that come and go, schemas, start and close.
 */
class EmbeddingExampleTest {

    @Test
    void theReadmeExampleServesItsTool() throws Exception {
        try (Peregrine server = Peregrine.builder()
                .tool(Tool.builder("greet")
                        .description("Greets someone")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}")
                        .blocking(false)                         // runs on the I/O thread: no thread hop
                        .handler((args, ctx) -> ToolResult.text("Hello, " + args.string("name")))
                        .build())
                .tcp("127.0.0.1", 0)                              // 0 picks a free port
                .build()) {
            InetSocketAddress address = server.start().tcp();

            try (LineSocket client = new LineSocket(address)) {
                client.initialize("2025-11-25");
                Map<String, Object> r = client.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"greet\",\"arguments\":{\"name\":\"Ada\"}}}");
                assertThat(at(r, "result.content.0.text")).isEqualTo("Hello, Ada");
            }
        }
    }

    @Test
    void toolsCanComeAndGoWhileServing() throws Exception {
        try (Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).build()) {
            InetSocketAddress address = server.start().tcp();
            try (LineSocket client = new LineSocket(address)) {
                client.initialize("2025-11-25");
                String call = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"late\"}}";
                assertThat(at(client.call(call), "error.message")).isEqualTo("Unknown tool: late");
                server.tools().add(Tool.builder("late").blocking(false)
                        .handler((args, ctx) -> ToolResult.text("here now")).build());
                assertThat(client.readJson().get("method")).isEqualTo("notifications/tools/list_changed");
                assertThat(at(client.call(call), "result.content.0.text")).isEqualTo("here now");
                assertThat(server.tools().remove("late")).isTrue();
                assertThat(client.readJson().get("method")).isEqualTo("notifications/tools/list_changed");
                assertThat(at(client.call(call), "error.code")).isEqualTo(-32602L);
            }
        }
    }

    @Test
    void schemasWrittenOverSeveralLinesStayOnOneLine() throws Exception {
        try (Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0)
                .tool(Tool.builder("pretty").blocking(false)
                        .inputSchema("{\n  \"type\": \"object\",\n  \"properties\": {\"n\": {\"type\": \"number\", \"maximum\": 1.50}}\n}")
                        .handler((args, ctx) -> ToolResult.text("ok")).build())
                .build()) {
            try (LineSocket client = new LineSocket(server.start().tcp())) {
                client.initialize("2025-11-25");
                Map<String, Object> r = client.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
                assertThat(at(r, "result.tools.0.inputSchema.properties.n.maximum")).isEqualTo(1.5);
                assertThat(client.silentFor(100)).isTrue();
            }
        }
    }

    @Test
    void startReturnsTheBoundAddressAndCloseIsIdempotent() throws Exception {
        Peregrine server = Peregrine.builder().tcp("127.0.0.1", 0).build();
        InetSocketAddress address = server.start().tcp();
        assertThat(address.getPort()).isPositive();
        assertThat(server.addresses().tcp()).isEqualTo(address);
        server.close();
        server.close();
    }
}
