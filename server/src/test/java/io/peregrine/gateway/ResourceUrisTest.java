package io.peregrine.gateway;

import io.peregrine.resource.UriTemplate;
import io.peregrine.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The served form of resource URIs ({@code resource-uris: rewrite}): valid, and exactly reversible. */
class ResourceUrisTest {

    private static final ResourceUris DOCS = ResourceUris.of(UpstreamSpec.builder("docs").url("tcp://127.0.0.1:1")
            .resourceUris(ResourceUriMode.REWRITE).build());

    @Test
    void onlyTheSchemeIsMarkedAndTheWayBackIsExact() throws Exception {
        Map<String, String> served = Map.of(
                "file:///README.md", "file+docs:///README.md",
                "urn:x:y", "urn+docs:x:y",
                "data:text/plain;base64,aGk=", "data+docs:text/plain;base64,aGk=",
                "git+ssh://host/repo.git", "git+ssh+docs://host/repo.git",
                "http://[::1]:8080/a%20b?q=%2F#frag", "http+docs://[::1]:8080/a%20b?q=%2F#frag",
                "mailto:a@example.com", "mailto+docs:a@example.com");
        for (Map.Entry<String, String> e : served.entrySet()) {
            assertThat(DOCS.served(e.getKey())).isEqualTo(e.getValue());
            assertThat(DOCS.upstream(e.getValue())).isEqualTo(e.getKey());
            // A valid URI stays one, with the marked scheme (java.net.URI checks RFC 2396, stricter where it differs).
            assertThat(new URI(e.getValue()).getScheme()).isEqualTo(new URI(e.getKey()).getScheme() + "+docs");
        }
        // Schemes compare ignoring case (RFC 3986 3.1): a client that folds it still maps back.
        assertThat(DOCS.upstream("FILE+DOCS:///README.md")).isEqualTo("FILE:///README.md");
        // Another upstream's URI, or a kept one, is not this upstream's to change.
        assertThat(DOCS.upstream("file+other:///README.md")).isEqualTo("file+other:///README.md");
        assertThat(DOCS.upstream("file:///README.md")).isEqualTo("file:///README.md");
    }

    @Test
    void aTemplatesVariablesExpandAsTheyWouldUpstream() {
        String served = DOCS.served("file:///docs/{path}{?rev}");
        assertThat(served).isEqualTo("file+docs:///docs/{path}{?rev}");
        String expanded = UriTemplate.of(served).expand(Map.of("path", "a b", "rev", "2"));
        assertThat(DOCS.upstream(expanded)).isEqualTo(UriTemplate.of("file:///docs/{path}{?rev}")
                .expand(Map.of("path", "a b", "rev", "2")));
        assertThat(UriTemplate.of(served).match(expanded)).isEqualTo(Map.of("path", "a b", "rev", "2"));
    }

    @Test
    void whatHasNoSchemeHasNoServedForm() {
        for (String uri : List.of("README.md", "/docs/a", "{scheme}://host/x", "1abc:x", ":x", "")) {
            assertThat(DOCS.served(uri)).as(uri).isNull();
            assertThat(DOCS.servedOrAsIs(uri)).as(uri).isEqualTo(uri);
        }
    }

    @Test
    void theMarkIsTheNameAsASchemeMayHoldIt() {
        assertThat(ResourceUris.mark("My_Docs-2")).isEqualTo("my.docs-2");
        assertThat(ResourceUris.of(UpstreamSpec.builder("My_Docs").url("tcp://127.0.0.1:1")
                .resourceUris(ResourceUriMode.REWRITE).build()).served("urn:a")).isEqualTo("urn+my.docs:a");
        assertThat(ResourceUris.KEEP.served("README.md")).isEqualTo("README.md");
        assertThat(ResourceUris.KEEP.rewrites()).isFalse();
    }

    @Test
    void anUpstreamsErrorIsToldInServedTerms() {
        RpcException e = DOCS.served(new RpcException(-32002, "Resource not found: file:///x", null,
                Map.of("uri", "file:///x", "hint", "none")), "file:///x", "file+docs:///x");
        assertThat(e.code()).isEqualTo(-32002);
        assertThat(e.getMessage()).isEqualTo("Resource not found: file+docs:///x");
        assertThat(e.data()).isEqualTo(Map.of("uri", "file+docs:///x", "hint", "none"));
    }

    @Test
    void theMarkOfAServedUriIsItsSchemesLastPlusPart() {
        assertThat(ResourceUris.markOf("file+docs:///README.md")).isEqualTo("docs");
        assertThat(ResourceUris.markOf("git+ssh+My.Docs://h/r")).isEqualTo("my.docs");
        assertThat(ResourceUris.markOf(DOCS.served("urn:x:y"))).isEqualTo(ResourceUris.mark("docs"));
        for (String uri : List.of("file:///README.md", "file+:///x", "README+docs.md", "/a+b:c", "", "x+y")) {
            assertThat(ResourceUris.markOf(uri)).as(uri).isNull();
        }
    }

    @Test
    void urisAnUpstreamThatKeepsThemPointsAtAreToldAndPassAsTheyAre() {
        List<String> told = new java.util.ArrayList<>();
        ResourceUris kept = ResourceUris.of(UpstreamSpec.builder("k").url("tcp://127.0.0.1:1").build(), told::add);
        assertThat(kept.pointedAt("memo://notes/1")).isEqualTo("memo://notes/1");
        assertThat(told).containsExactly("memo://notes/1");
        // Rewritten URIs name their upstream already: nothing to remember.
        ResourceUris marked = ResourceUris.of(UpstreamSpec.builder("m").url("tcp://127.0.0.1:1")
                .resourceUris(ResourceUriMode.REWRITE).build(), told::add);
        assertThat(marked.pointedAt("memo://notes/2")).isEqualTo("memo+m://notes/2");
        assertThat(told).containsExactly("memo://notes/1");
    }
}
