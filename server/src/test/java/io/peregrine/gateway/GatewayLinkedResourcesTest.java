package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.ResourceInfo;
import io.peregrine.resource.Resource;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.tool.Content;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Resources an upstream reads but does not list, read through the gateway: an upstream Peregrine
 * that lists {@code memo://index} and reads every {@code memo://notes/...} without listing them,
 * with a tool that links to a note, federated twice over TCP: as {@code kept} (URIs as they are,
 * links remembered) and as {@code marked} (URIs rewritten, routed by their mark).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayLinkedResourcesTest {

    private final GatewayFixture fixture = new GatewayFixture();
    private Peregrine upstream;

    @BeforeEach
    void startUpstream() throws InterruptedException {
        upstream = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .resource(Resource.builder("memo://index", "index").text("the index").build())
                .tool(Tool.builder("write_note")
                        .inputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}")
                        .handler((args, ctx) -> ToolResult.builder()
                                .add(Content.resourceLink("memo://notes/" + args.integer("n", 0), "note", "text/plain", null))
                                .add(Content.embeddedText("memo://notes/embedded-" + args.integer("n", 0), "text/plain", "inline"))
                                .build())
                        .build())
                .build();
        upstream.resources().addUnlisted(uri -> uri.startsWith("memo://notes/")
                ? Resource.builder(uri, "note").text("note " + uri.substring("memo://notes/".length())).build() : null);
        upstream.start();
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
        upstream.close();
    }

    private UpstreamSpec.Builder spec(String name) {
        return UpstreamSpec.builder(name).url("tcp://127.0.0.1:" + upstream.addresses().tcp().getPort());
    }

    private Peregrine gateway(Peregrine.Builder b) throws InterruptedException {
        return fixture.gateway(b, spec("kept").build(), spec("marked").resourceUris(ResourceUriMode.REWRITE).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aLinkOfAnUpstreamThatKeepsItsUrisIsReadableOnceTheGatewayPassedItOn(String version) throws Exception {
        PeregrineClient client = fixture.client(gateway(Peregrine.builder().tcp("127.0.0.1", 0)), "tcp", version);
        assertThat(client.resources()).extracting(ResourceInfo::uri).containsExactlyInAnyOrder("memo://index", "memo+marked://index");

        // Nothing pointed at memo://notes/1 yet: the gateway does not know whose it is.
        McpClientException unknown = readFails(client, "memo://notes/1");
        assertThat(unknown.code()).isEqualTo(notFound(version));
        assertThat(unknown.data()).isEqualTo(Map.of("uri", "memo://notes/1"));

        CallToolResult linked = client.callTool("kept_write_note", Map.of("n", 1));
        assertThat(linked.content().get(0)).containsEntry("uri", "memo://notes/1");
        List<io.peregrine.client.ResourceContents> note = client.readResource("memo://notes/1");
        assertThat(note.get(0).text()).isEqualTo("note 1");
        assertThat(note.get(0).uri()).isEqualTo("memo://notes/1");
        // An embedded resource is pointed at too.
        assertThat(client.readResource("memo://notes/embedded-1").get(0).text()).isEqualTo("note embedded-1");
        // The catalog is read as before.
        assertThat(client.readResource("memo://index").get(0).text()).isEqualTo("the index");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aRewrittenUriThatNoCatalogEntryServesIsReadFromTheUpstreamItsMarkNames(String version) throws Exception {
        PeregrineClient client = fixture.client(gateway(Peregrine.builder().tcp("127.0.0.1", 0)), "tcp", version);

        // No link was passed on: the mark alone routes it, as it would on any replica.
        List<io.peregrine.client.ResourceContents> note = client.readResource("memo+marked://notes/2");
        assertThat(note.get(0).text()).isEqualTo("note 2");
        assertThat(note.get(0).uri()).isEqualTo("memo+marked://notes/2");
        assertThat(client.callTool("marked_write_note", Map.of("n", 3)).content().get(0))
                .containsEntry("uri", "memo+marked://notes/3");
        assertThat(client.readResource("memo+marked://notes/3").get(0).text()).isEqualTo("note 3");

        // What the upstream does not have: its answer, told in served terms and in the client's era's code.
        McpClientException missing = readFails(client, "memo+marked://elsewhere");
        assertThat(missing.code()).isEqualTo(notFound(version));
        assertThat(missing.data()).isEqualTo(Map.of("uri", "memo+marked://elsewhere"));
        assertThat(missing.getMessage()).contains("memo+marked://elsewhere").doesNotContain("memo://elsewhere");
        // A mark no upstream has.
        assertThat(readFails(client, "memo+nosuch://notes/2").getMessage())
                .contains("memo+nosuch://notes/2 is not a resource of this server");
    }

    @Test
    void aGatewayThatRemembersNoLinksServesOnlyItsCatalogAndMarks() throws Exception {
        PeregrineClient client = fixture.client(gateway(Peregrine.builder().tcp("127.0.0.1", 0)
                .linkedResources(0)), "tcp", "2025-11-25");
        client.callTool("kept_write_note", Map.of("n", 4));
        assertThat(readFails(client, "memo://notes/4").code()).isEqualTo(JsonRpcError.RESOURCE_NOT_FOUND);
        assertThat(client.readResource("memo+marked://notes/4").get(0).text()).isEqualTo("note 4");
    }

    private static int notFound(String version) {
        return version.equals("2025-11-25") ? JsonRpcError.RESOURCE_NOT_FOUND : JsonRpcError.INVALID_PARAMS;
    }

    private static McpClientException readFails(PeregrineClient client, String uri) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                client.request("resources/read", Map.of("uri", uri)).get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                caught[0] = e.getCause();
                throw e;
            }
        }).hasCauseInstanceOf(McpClientException.class);
        return (McpClientException) caught[0];
    }
}
