package io.peregrine.loadtest;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Calls {@code echo} through the official MCP Java SDK's asynchronous client over Streamable HTTP
 * (its JDK {@code HttpClient} transport), with the SDK's defaults.
 */
final class SdkEchoCaller implements EchoCaller {

    private final McpAsyncClient client;

    private SdkEchoCaller(McpAsyncClient client) {
        this.client = client;
    }

    /** Connects to {@code http://host:port} and initializes; the endpoint is {@value Transport#PATH}. */
    static SdkEchoCaller connect(String baseUrl) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint(Transport.PATH).build();
        McpAsyncClient client = McpClient.async(transport).requestTimeout(Duration.ofSeconds(30))
                .clientInfo(new McpSchema.Implementation("peregrine-loadtest", "1.0")).build();
        client.initialize().block(Duration.ofSeconds(30));
        return new SdkEchoCaller(client);
    }

    @Override
    public String name() {
        return "sdk";
    }

    @Override
    public void call(Map<String, Object> arguments, Consumer<Throwable> done) {
        client.callTool(new McpSchema.CallToolRequest("echo", arguments)).subscribe(
                r -> done.accept(Boolean.TRUE.equals(r.isError()) ? new IllegalStateException("an error result") : null),
                done::accept);
    }

    @Override
    public void close() {
        try {
            client.closeGracefully().block(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            client.close();
        }
    }
}
