package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.CompletionRef;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.ResourceInfo;
import io.peregrine.client.ResourceTemplateInfo;
import io.peregrine.client.Subscription;
import io.peregrine.client.SubscriptionFilter;
import io.peregrine.completion.Completion;
import io.peregrine.config.ConfigException;
import io.peregrine.mcp.McpObserver;
import io.peregrine.mcp.ObservedRequest;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceNotFoundException;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.Await;
import io.peregrine.tool.Content;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Resource URIs through the gateway ({@code resource-uris}), with real parts: two upstream
 * Peregrines offering the very same URIs ({@code file:///README.md}, {@code urn:x:y}, the template
 * {@code file:///docs/{name}}), a gateway federating both over TCP, and clients of both eras.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayResourceUrisTest {

    private final GatewayFixture fixture = new GatewayFixture();
    private final List<Peregrine> upstreams = new CopyOnWriteArrayList<>();
    /** The URIs each upstream was asked to subscribe to, "upstream uri". */
    private final List<String> subscribed = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        fixture.close();
        for (Peregrine p : upstreams) {
            p.close();
        }
    }

    /** An upstream Peregrine whose every answer names it ({@code who}). */
    private UpstreamSpec.Builder upstream(String who) throws InterruptedException {
        McpObserver counting = new McpObserver() {
            @Override
            public void requestEnded(ObservedRequest request, Object state, int errorCode, boolean toolError,
                                     boolean answered, long durationNanos) {
                if (errorCode == 0 && request.method().equals("resources/subscribe")) {
                    subscribed.add(who);
                }
            }
        };
        Peregrine p = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO).observer(counting)
                .resource(Resource.builder("file:///README.md", "readme").text("readme of " + who).build())
                .resource(Resource.builder("urn:x:y", "opaque").text("urn of " + who).build())
                .resourceTemplate(ResourceTemplate.builder("file:///docs/{name}", "docs")
                        .completion("name", (typed, context) -> Completion.startingWith(typed, List.of("intro", who + "-only")))
                        .handler(request -> {
                            if (request.variable("name").equals("missing")) {
                                throw new ResourceNotFoundException(request.uri(), "Resource not found: " + request.uri()
                                        + " names no document of " + who);
                            }
                            return List.of(ResourceContents.text(request.uri(), "text/plain",
                                    "doc " + request.variable("name") + " of " + who));
                        }).build())
                .tool(Tool.builder("links").handler((args, ctx) -> ToolResult.builder()
                        .add(Content.resourceLink("file:///README.md", "readme", "text/plain", null))
                        .add(Content.embeddedText("file:///docs/intro", "text/plain", "doc intro of " + who))
                        .add(Content.resourceLink("no-scheme/at-all", "relative", null, null))
                        .build()).build())
                .prompt(Prompt.builder("cite").handler(args -> PromptResult.of(null, List.of(
                        PromptMessage.assistant(Content.resourceLink("urn:x:y", "opaque", "text/plain", null)),
                        PromptMessage.user(Content.embeddedText("file:///README.md", "text/plain", "readme of " + who)))))
                        .build())
                .build();
        upstreams.add(p);
        p.start();
        return UpstreamSpec.builder(who).url("tcp://127.0.0.1:" + p.addresses().tcp().getPort());
    }

    private Peregrine bothRewritten() throws Exception {
        return fixture.gateway(upstream("a").resourceUris(ResourceUriMode.REWRITE).build(),
                upstream("b").resourceUris(ResourceUriMode.REWRITE).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void twoUpstreamsWithTheSameUrisAreBothServedWhenRewritten(String version) throws Exception {
        PeregrineClient client = fixture.client(bothRewritten(), "tcp", version);

        assertThat(client.resources()).extracting(ResourceInfo::uri).containsExactlyInAnyOrder(
                "file+a:///README.md", "file+b:///README.md", "urn+a:x:y", "urn+b:x:y");
        for (String who : List.of("a", "b")) {
            List<io.peregrine.client.ResourceContents> readme = client.readResource("file+" + who + ":///README.md");
            assertThat(readme.get(0).text()).isEqualTo("readme of " + who);
            // The contents' URI is the served one too.
            assertThat(readme.get(0).uri()).isEqualTo("file+" + who + ":///README.md");
            assertThat(client.readResource("urn+" + who + ":x:y").get(0).text()).isEqualTo("urn of " + who);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void templatesExpandOnTheClientAndMapBack(String version) throws Exception {
        PeregrineClient client = fixture.client(bothRewritten(), "tcp", version);
        assertThat(client.resourceTemplates()).extracting(ResourceTemplateInfo::uriTemplate)
                .containsExactlyInAnyOrder("file+a:///docs/{name}", "file+b:///docs/{name}");

        // {name} expanded as RFC 6570 does it ("intro page" percent-encoded) reaches the upstream as it was made.
        List<io.peregrine.client.ResourceContents> doc = client.readResource("file+b:///docs/intro%20page");
        assertThat(doc.get(0).text()).isEqualTo("doc intro page of b");
        assertThat(doc.get(0).uri()).isEqualTo("file+b:///docs/intro%20page");

        // Completing the served template's variable asks the upstream about its own template.
        assertThat(client.complete(CompletionRef.resourceTemplate("file+a:///docs/{name}"), "name", "", null).values())
                .containsExactly("intro", "a-only");
        assertThat(client.complete(CompletionRef.resourceTemplate("file+b:///docs/{name}"), "name", "b", null).values())
                .containsExactly("b-only");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void linksInToolResultsAndPromptMessagesCarryServedUris(String version) throws Exception {
        PeregrineClient client = fixture.client(bothRewritten(), "tcp", version);

        CallToolResult result = client.callTool("b_links", Map.of());
        List<Map<String, Object>> content = result.content();
        assertThat(content.get(0)).containsEntry("type", "resource_link").containsEntry("uri", "file+b:///README.md");
        @SuppressWarnings("unchecked")
        Map<String, Object> embedded = (Map<String, Object>) content.get(1).get("resource");
        assertThat(embedded).containsEntry("uri", "file+b:///docs/intro").containsEntry("text", "doc intro of b");
        // A URI without a scheme has no served form: it passes as it is.
        assertThat(content.get(2)).containsEntry("uri", "no-scheme/at-all");
        // The link leads back to the upstream that made it.
        assertThat(client.readResource((String) content.get(0).get("uri")).get(0).text()).isEqualTo("readme of b");
        assertThat(client.readResource((String) embedded.get("uri")).get(0).text()).isEqualTo("doc intro of b");

        io.peregrine.client.PromptResult cite = client.getPrompt("a_cite", Map.of());
        assertThat(cite.messages().get(0).content()).containsEntry("uri", "urn+a:x:y");
        @SuppressWarnings("unchecked")
        Map<String, Object> quoted = (Map<String, Object>) cite.messages().get(1).content().get("resource");
        assertThat(quoted).containsEntry("uri", "file+a:///README.md");
    }

    /** "2025-11-25 2026-07-28": the gateway's links to the upstreams, the gateway's client. */
    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25 2025-11-25", "2025-11-25 2026-07-28", "2026-07-28 2025-11-25",
            "2026-07-28 2026-07-28"})
    void subscriptionsAndUpdatesUseServedUris(String setup) throws Exception {
        String[] v = setup.split(" ");
        Peregrine gateway = fixture.gateway(upstream("a").resourceUris(ResourceUriMode.REWRITE).protocolVersion(v[0]).build(),
                upstream("b").resourceUris(ResourceUriMode.REWRITE).protocolVersion(v[0]).build());
        PeregrineClient client = fixture.client(gateway, "tcp", v[1]);
        List<String> heard = new CopyOnWriteArrayList<>();
        Subscription s = client.listen(SubscriptionFilter.resources("file+b:///docs/news"), (method, params) -> {
            if (method.equals("notifications/resources/updated")) {
                heard.add((String) params.get("uri"));
            }
        });
        assertThat(s.acknowledged().get(20, TimeUnit.SECONDS).get("resourceSubscriptions"))
                .isEqualTo(List.of("file+b:///docs/news"));
        if (v[0].equals("2025-11-25")) {
            // Upstream b was asked, under its own URI (an upstream accepts resources/subscribe only of a URI it has).
            assertThat(subscribed).containsExactly("b");
        }

        upstreams.get(0).resources().updated("file:///docs/news");
        upstreams.get(1).resources().updated("file:///docs/news");
        Await.until(() -> !heard.isEmpty(), "b's update reaches the client");
        assertThat(heard).containsExactly("file+b:///docs/news");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-11-25", "2026-07-28"})
    void aUriOfNoUpstreamGetsAPreciseError(String version) throws Exception {
        PeregrineClient client = fixture.client(bothRewritten(), "tcp", version);
        int notFound = version.equals("2025-11-25") ? JsonRpcError.RESOURCE_NOT_FOUND : JsonRpcError.INVALID_PARAMS;
        // No upstream is marked "nosuch", and with both rewriting nobody serves the upstreams' own URI.
        for (String uri : List.of("file+nosuch:///README.md", "file:///README.md")) {
            McpClientException e = readFails(client, uri);
            assertThat(e.code()).as(uri).isEqualTo(notFound);
            assertThat(e.getMessage()).as(uri).contains(uri + " is not a resource of this server");
            assertThat(e.data()).as(uri).isEqualTo(Map.of("uri", uri));
        }
        // A served URI its upstream has nothing at: the upstream's answer, told in served terms.
        McpClientException missing = readFails(client, "file+a:///docs/missing");
        assertThat(missing.code()).isEqualTo(notFound);
        assertThat(missing.getMessage()).isEqualTo("Resource not found: file+a:///docs/missing names no document of a");
        assertThat(missing.data()).isEqualTo(Map.of("uri", "file+a:///docs/missing"));
    }

    @Test
    void keptUrisThatCollideStopStartUpNamingBoth() throws Exception {
        Peregrine clash = fixture.closeLater(Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(upstream("a").build()).upstream(upstream("b").build()).build());
        assertThatThrownBy(clash::start).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the resource file:///README.md of upstream b and the resource file:///README.md of "
                        + "upstream a would both be served as file:///README.md (gateway.upstreams.b.resource-uris is keep")
                .hasMessageContaining("the resource template file:///docs/{name} of upstream b and the resource template "
                        + "file:///docs/{name} of upstream a would both be served as file:///docs/{name}");

        Peregrine local = fixture.closeLater(Peregrine.builder().tcp("127.0.0.1", 0)
                .resource(Resource.builder("urn:x:y", "mine").text("local").build())
                .upstream(upstream("e").build()).build());
        assertThatThrownBy(local::start).isInstanceOf(ConfigException.class)
                .hasMessage("the resource urn:x:y of upstream e and a local resource would both be served as urn:x:y "
                        + "(gateway.upstreams.e.resource-uris is keep; set it to rewrite, or leave one out with "
                        + "resources.exclude)");

        // One rewriting upstream beside one that keeps its URIs: both served, each under its own form.
        Peregrine gateway = fixture.gateway(upstream("c").build(), upstream("d").resourceUris(ResourceUriMode.REWRITE).build());
        PeregrineClient client = fixture.client(gateway, "tcp", "2025-11-25");
        assertThat(client.readResource("file:///README.md").get(0).text()).isEqualTo("readme of c");
        assertThat(client.readResource("file+d:///README.md").get(0).text()).isEqualTo("readme of d");
    }

    @Test
    void twoUpstreamsWhoseMarksAreTheSameStopStartUp() {
        assertThatThrownBy(() -> Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("My_Docs").url("tcp://127.0.0.1:1").resourceUris(ResourceUriMode.REWRITE).build())
                .upstream(UpstreamSpec.builder("my_docs").url("tcp://127.0.0.1:2").resourceUris(ResourceUriMode.REWRITE).build())
                .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstreams My_Docs and my_docs would both mark their resource URIs' scheme with +my.docs");
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
