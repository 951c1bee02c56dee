package io.peregrine.client;

import io.peregrine.client.transport.StdioProcessTransport;
import io.peregrine.client.transport.StreamableHttpTransport;
import io.peregrine.client.transport.TcpTransport;
import io.peregrine.client.transport.TransportSettings;
import io.peregrine.client.transport.WebSocketTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which transport a URL names, and how a stdio command line is split. */
class ServerUrlsTest {

    private static final TransportSettings SETTINGS = new TransportSettings(null, 1000, 1024, Map.of(), 4);

    @ParameterizedTest
    @CsvSource({
            "tcp://127.0.0.1:7400, TcpTransport",
            "ws://127.0.0.1:7401/mcp, WebSocketTransport",
            "wss://example.org/mcp, WebSocketTransport",
            "http://127.0.0.1:7401/mcp, StreamableHttpTransport",
            "https://example.org/mcp, StreamableHttpTransport",
            "stdio:npx -y @modelcontextprotocol/server-everything stdio, StdioProcessTransport",
    })
    void theSchemeChoosesTheTransport(String url, String type) {
        assertThat(ServerUrls.transport(url, null, SETTINGS, Map.of(), null).getClass().getSimpleName()).isEqualTo(type);
    }

    @Test
    void badUrlsAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> ServerUrls.transport("tcp://127.0.0.1", null, SETTINGS, Map.of(), null))
                .hasMessage("url : tcp://127.0.0.1 (expected: tcp://host:port)");
        assertThatThrownBy(() -> ServerUrls.transport("ftp://h/x", null, SETTINGS, Map.of(), null))
                .hasMessageContaining("expected: tcp://, ws://, wss://, http://, https:// or stdio:");
        assertThatThrownBy(() -> ServerUrls.transport("stdio:  ", null, SETTINGS, Map.of(), null))
                .hasMessageContaining("expected: stdio:<command> [args...]");
    }

    @Test
    void commandLinesSplitAsAShellWouldWithoutOne() {
        assertThat(ServerUrls.splitCommand("npx -y @modelcontextprotocol/server-everything stdio"))
                .containsExactly("npx", "-y", "@modelcontextprotocol/server-everything", "stdio");
        assertThat(ServerUrls.splitCommand("java -cp 'a b/c.jar' Main \"x \\\"y\\\" $z\" one\\ word"))
                .containsExactly("java", "-cp", "a b/c.jar", "Main", "x \"y\" $z", "one word");
        assertThat(ServerUrls.splitCommand("  a   ''  b ")).containsExactly("a", "", "b");
        assertThatThrownBy(() -> ServerUrls.splitCommand("a 'b")).hasMessageContaining("unclosed single quote");
        assertThatThrownBy(() -> ServerUrls.splitCommand("a \"b")).hasMessageContaining("unclosed double quote");
        assertThat(List.of(TcpTransport.class, WebSocketTransport.class, StreamableHttpTransport.class,
                StdioProcessTransport.class)).hasSize(4);
    }

    @Test
    void reconnectDelaysGrowToTheMaximumWithJitter() {
        ReconnectPolicy p = new ReconnectPolicy(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(800), 5);
        assertThat(p.delayMillis(1)).isBetween(75L, 100L);
        assertThat(p.delayMillis(2)).isBetween(150L, 200L);
        assertThat(p.delayMillis(4)).isBetween(600L, 800L);
        assertThat(p.delayMillis(10)).isBetween(600L, 800L);
        assertThatThrownBy(() -> new ReconnectPolicy(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(1), 1))
                .hasMessage("max : PT1S (expected: >= initial PT2S)");
    }
}
