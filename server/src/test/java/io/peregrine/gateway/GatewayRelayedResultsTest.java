package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.PeregrineClient;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.Content;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain results go from an upstream to the gateway's client as the upstream wrote them, through
 * every link kind and era, while a result with a resource link is still read (its URI is the
 * gateway's business). Real parts: an upstream Peregrine, a gateway, and clients that keep plain
 * results as bytes ({@code relayResults}), so that what each server wrote can be compared byte for
 * byte; and a raw upstream whose result no Peregrine code wrote, whose numbers as written and
 * members the gateway has no use for reach the client, where a result read into a tree and
 * written again would lose them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayRelayedResultsTest {

    private static final String STRUCTURED = "{\"price\":1.50,\"sizes\":[1E2,7],\"name\":\"a\\u00e9\"}";
    /** A result as a server other than Peregrine may write it. */
    private static final String FOREIGN_CONTENT = "[{\"type\":\"text\",\"text\":\"x\",\"x-extra\":[1.0]},"
            + "{\"type\":\"audio\",\"mimeType\":\"audio/wav\",\"data\":\"\"}]";

    private static Peregrine upstream;
    private final GatewayFixture fixture = new GatewayFixture();

    @BeforeAll
    static void startUpstream() throws Exception {
        upstream = Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0)
                .tool(Tool.builder("priced").description("Structured content with numbers as written")
                        .handler((args, ctx) -> ToolResult.builder()
                                .add(Content.text("price list").withMeta(Map.of("k", "v")))
                                .structured(RawJson.of(STRUCTURED)).build()).build())
                .tool(Tool.builder("pictured").description("An image and a caption, failed")
                        .handler((args, ctx) -> ToolResult.builder().add(Content.imageBase64("AAEC", "image/png"))
                                .text("caption").error(true).build()).build())
                .tool(Tool.builder("linked").description("A resource link")
                        .handler((args, ctx) -> ToolResult.of(Content.resourceLink("file:///a/b.txt", "b",
                                "text/plain", null))).build())
                .build();
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @ParameterizedTest(name = "{0} link, {1}")
    @CsvSource({"tcp, 2025-11-25", "tcp, 2026-07-28", "ws, 2025-11-25", "http, 2025-11-25", "http, 2026-07-28"})
    void plainResultsReachTheClientAsTheUpstreamWroteThem(String link, String version) throws Exception {
        int port = link.equals("tcp") ? upstream.addresses().tcp().getPort() : upstream.addresses().http().getPort();
        String url = link.equals("tcp") ? "tcp://127.0.0.1:" + port : link + "://127.0.0.1:" + port + "/mcp";
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("up").url(url).protocolVersion(version).build());
        PeregrineClient direct = fixture.connect(PeregrineClient.builder().address(upstream.addresses().tcp())
                .protocolVersion("2025-11-25").relayResults(true));
        for (String clientVersion : List.of("2025-11-25", "2026-07-28")) {
            PeregrineClient through = fixture.connect(fixture.clientOf(gateway, "tcp", clientVersion).relayResults(true));

            CallToolResult upstreamWrote = direct.callTool("priced", Map.of());
            CallToolResult gatewayWrote = through.callTool("up_priced", Map.of());
            assertThat(gatewayWrote.relayed()).as("a plain result through the gateway").isNotNull();
            assertThat(gatewayWrote.relayed().structuredContent().json())
                    .isEqualTo(upstreamWrote.relayed().structuredContent().json());
            assertThat(gatewayWrote.relayed().content().json()).isEqualTo(upstreamWrote.relayed().content().json());
            assertThat(gatewayWrote.relayed().isError()).isFalse();
            assertThat(gatewayWrote.text()).isEqualTo("price list");
            assertThat(gatewayWrote.content().get(0).get("_meta")).isEqualTo(Map.of("k", "v"));

            CallToolResult failed = through.callTool("up_pictured", Map.of());
            assertThat(failed.isError()).isTrue();
            assertThat(failed.relayed().content().json())
                    .isEqualTo(direct.callTool("pictured", Map.of()).relayed().content().json());
            assertThat(failed.content()).extracting(item -> item.get("type")).containsExactly("image", "text");

            CallToolResult linked = through.callTool("up_linked", Map.of());
            assertThat(linked.relayed()).as("a resource link is not plain").isNull();
            assertThat(linked.content().get(0)).containsEntry("type", "resource_link")
                    .containsEntry("uri", "file:///a/b.txt");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2025-11-25", "2026-07-28"})
    void aForeignServersResultKeepsWhatATreeWouldLose(String clientVersion) throws Exception {
        SilentUpstream foreign = fixture.closeLater(SilentUpstream.answering("{\"content\":" + FOREIGN_CONTENT
                + ",\"structuredContent\":" + STRUCTURED + ",\"isError\":false,\"x-result\":1}"));
        Peregrine gateway = fixture.gateway(UpstreamSpec.builder("raw").url("tcp://127.0.0.1:" + foreign.port())
                .protocolVersion("2025-11-25").build());
        PeregrineClient client = fixture.connect(fixture.clientOf(gateway, "tcp", clientVersion).relayResults(true));
        io.peregrine.testing.Await.until(() -> client.listTools().stream().anyMatch(t -> "raw_lookup".equals(t.get("name"))),
                "the raw upstream's tool is federated");

        CallToolResult result = client.callTool("raw_lookup", Map.of());
        assertThat(result.relayed().content().json()).isEqualTo(FOREIGN_CONTENT);
        assertThat(result.relayed().structuredContent().json()).isEqualTo(STRUCTURED);
        assertThat(result.asMap()).doesNotContainKey("x-result"); // members of no use to the gateway stay behind
    }
}
