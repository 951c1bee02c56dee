package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.RawHttp;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code x-mcp-header} parameters of a federated tool: a 2026-07-28 client's {@code Mcp-Param-*}
 * headers are checked by the gateway against the arguments, and the gateway's link mirrors them
 * again for the upstream, which checks them too (an upstream Peregrine over Streamable HTTP,
 * pinned to 2026-07-28, answering a missing header with 400).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayParamHeadersTest {

    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":"
            + "{\"name\":\"up_regional\",\"arguments\":{\"region\":\"us-west1\"},\"_meta\":{"
            + "\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";

    private final GatewayFixture fixture = new GatewayFixture();
    private Peregrine upstream;

    @AfterEach
    void close() throws Exception {
        fixture.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void theGatewayChecksTheClientsHeadersAndItsLinkSendsThemUpstream() throws Exception {
        upstream = Peregrine.builder().noTcp().http("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .tool(Tool.builder("regional")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
                                + "\"x-mcp-header\":\"Region\"}},\"required\":[\"region\"]}")
                        .handler((args, ctx) -> ToolResult.text("region " + args.string("region")))
                        .build())
                .build();
        upstream.start();
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("up")
                .url("http://127.0.0.1:" + upstream.addresses().http().getPort() + "/mcp")
                .protocolVersion("2026-07-28").build());

        try (RawHttp h = new RawHttp(gateway.addresses().http())) {
            String[] common = {"MCP-Protocol-Version: 2026-07-28", "Mcp-Method: tools/call", "Mcp-Name: up_regional"};
            RawHttp.Response wrong = h.postJson("/mcp", CALL, with(common, "Mcp-Param-Region: us-east1")).read();
            assertThat(wrong.status).as(wrong.toString()).isEqualTo(400);
            Object error = JsonTree.parse(wrong.body);
            assertThat(at(error, "error.code")).isEqualTo(-32020L);
            assertThat((String) at(error, "error.message")).startsWith("Header mismatch: Mcp-Param-Region");

            RawHttp.Response missing = h.postJson("/mcp", CALL, common).read();
            assertThat(missing.status).as(missing.toString()).isEqualTo(400);

            // Answered by the upstream, which refuses a call without the header: the link mirrored it.
            RawHttp.Response right = h.postJson("/mcp", CALL, with(common, "Mcp-Param-Region: us-west1")).read();
            assertThat(right.status).as(right.toString()).isEqualTo(200);
            assertThat(at(JsonTree.parse(right.body), "result.content.0.text")).isEqualTo("region us-west1");
        }

        PeregrineClient client = fixture.client(gateway, "http", "2026-07-28");
        assertThat(client.callTool("up_regional", Map.of("region", "Hello wörld")).text()).isEqualTo("region Hello wörld");
    }

    private static String[] with(String[] headers, String more) {
        String[] out = java.util.Arrays.copyOf(headers, headers.length + 1);
        out[headers.length] = more;
        return out;
    }
}
