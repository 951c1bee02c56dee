package io.peregrine.loadtest.sdk;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The peer that Peregrine's load figures are compared with: the official MCP Java SDK's
 * synchronous server with its Streamable HTTP servlet transport on embedded Tomcat, with the
 * SDK's and Tomcat's defaults (but for unlimited requests per keep-alive connection), serving the same {@code echo} tool as Peregrine's demo (input
 * {@code {message: string}}, one text content with the message).
 *
 * <p>{@code java -cp ... io.peregrine.loadtest.sdk.SdkEchoServer [PORT]} listens on 127.0.0.1
 * (port 0, the default, picks a free one) at {@code /mcp}, prints
 * {@code listening on http://127.0.0.1:PORT/mcp} once it accepts connections, and runs until it
 * is killed or its standard input closes, so that it cannot outlive the harness that started it.
 */
public final class SdkEchoServer {

    private SdkEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;

        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .build();
        McpSchema.Tool echo = McpSchema.Tool.builder("echo", Map.of(
                        "type", "object",
                        "properties", Map.of("message", Map.of("type", "string")),
                        "required", List.of("message")))
                .description("Returns the message it is given")
                .build();
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("mcp-java-sdk-echo", "2.1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(McpServerFeatures.SyncToolSpecification.builder()
                        .tool(echo)
                        .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                                .addTextContent(String.valueOf(request.arguments().get("message")))
                                .isError(false)
                                .build())
                        .build())
                .build();

        Path base = Files.createTempDirectory("sdk-echo-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setPort(port);
        // Tomcat closes a keep-alive connection after 100 requests by default; the load is measured
        // on persistent connections, as for Peregrine, so they stay open. Nothing else is tuned.
        connector.setProperty("maxKeepAliveRequests", "-1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Wrapper wrapper = context.createWrapper();
        wrapper.setName("mcp");
        wrapper.setServlet(transport);
        wrapper.setLoadOnStartup(1);
        wrapper.setAsyncSupported(true);
        context.addChild(wrapper);
        context.addServletMappingDecoded("/*", "mcp");
        tomcat.start();

        System.out.println("listening on http://127.0.0.1:" + connector.getLocalPort() + "/mcp");
        System.out.flush();
        try {
            while (System.in.read() >= 0) {
                // Runs until the harness closes our standard input (or exits, which closes it).
            }
        } finally {
            server.closeGracefully();
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
