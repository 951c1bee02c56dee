package io.peregrine.client;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A server on the official MCP Java SDK (its synchronous server API), for the client's interop
 * tests: tools (one that fails, one that reports progress, and ones that ask the client for a
 * sampled message, an elicited answer and its roots), a resource, a resource template and a prompt.
 *
 * <p>{@code SdkReferenceServer http} serves Streamable HTTP at {@code /mcp} on embedded Tomcat on a
 * free loopback port, prints {@code listening on http://127.0.0.1:PORT/mcp} and runs until its
 * standard input closes; {@code SdkReferenceServer stdio} speaks MCP on its standard streams and
 * exits when standard input closes. Either way it cannot outlive the test that started it.
 */
public final class SdkReferenceServer {

    /** The running server, for the tool that adds a tool to it. */
    private static volatile McpSyncServer server;

    private SdkReferenceServer() {
    }

    /** The command that starts this server in a JVM of its own, with this JVM's class path. */
    static List<String> command(String transport) {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SdkReferenceServer.class.getName(), transport);
    }

    /** Held so that the level set on it stays: Tomcat logs each start and stop through java.util.logging. */
    private static final java.util.logging.Logger TOMCAT_LOG = java.util.logging.Logger.getLogger("org.apache");

    public static void main(String[] args) {
        TOMCAT_LOG.setLevel(java.util.logging.Level.SEVERE);
        try {
            if (args.length == 1 && args[0].equals("stdio")) {
                stdio();
            } else if (args.length == 1 && args[0].equals("http")) {
                http();
            } else {
                System.err.println("usage: SdkReferenceServer http|stdio");
                System.exit(64);
            }
            System.exit(0);
        } catch (Throwable e) {
            // The SDK's and Tomcat's threads would keep a failed server alive.
            e.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * Accepts every schema and value. The SDK's own validator (Jackson 3) is built against a
     * json-schema-validator release other than the one on Peregrine's class path, and fails to
     * link; what the tests exercise is the client, which validates arguments itself when asked.
     */
    private static final JsonSchemaValidator ACCEPT_ALL = new JsonSchemaValidator() {
        @Override
        public ValidationResponse validate(Map<String, Object> schema, Object value) {
            return ValidationResponse.asValid(null);
        }

        @Override
        public ValidationResponse validateSchema(Map<String, Object> schema) {
            return ValidationResponse.asValid(null);
        }
    };

    private static void stdio() throws InterruptedException {
        // The SDK reads standard input on a thread of its own; its end is the end of this process.
        InputStream in = new FilterInputStream(System.in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    exitSoon();
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c < 0) {
                    exitSoon();
                }
                return c;
            }
        };
        StdioServerTransportProvider transport = new StdioServerTransportProvider(McpJsonDefaults.getMapper(), in, System.out);
        server = McpServer.sync(transport)
                .serverInfo("mcp-java-sdk-reference", "2.1.0")
                .jsonSchemaValidator(ACCEPT_ALL)
                .capabilities(capabilities())
                .tools(tools())
                .resources(greeting())
                .resourceTemplates(items())
                .prompts(greet())
                .build();
        Thread.currentThread().join();
    }

    private static void exitSoon() {
        Thread t = new Thread(() -> System.exit(0), "exit-on-eof");
        t.setDaemon(true);
        t.start();
    }

    private static void http() throws Exception {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .build();
        server = McpServer.sync(transport)
                .serverInfo("mcp-java-sdk-reference", "2.1.0")
                .jsonSchemaValidator(ACCEPT_ALL)
                .capabilities(capabilities())
                .tools(tools())
                .resources(greeting())
                .resourceTemplates(items())
                .prompts(greet())
                .build();

        Path base = Files.createTempDirectory("sdk-reference-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setProperty("address", "127.0.0.1");
        connector.setPort(0);
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
                // Runs until the test closes our standard input (or exits, which closes it).
            }
        } finally {
            server.closeGracefully();
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static McpSchema.ServerCapabilities capabilities() {
        return McpSchema.ServerCapabilities.builder().tools(true).resources(false, false).prompts(false).logging().build();
    }

    private static McpSchema.Tool tool(String name, String description, Map<String, Object> properties, List<String> required) {
        return McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(Map.of("type", "object", "properties", properties, "required", required))
                .build();
    }

    private static McpSchema.CallToolResult text(String text, boolean error) {
        return McpSchema.CallToolResult.builder().addTextContent(text).isError(error).build();
    }

    private static List<McpServerFeatures.SyncToolSpecification> tools() {
        Map<String, Object> string = Map.of("type", "string");
        List<McpServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        tools.add(spec(tool("echo", "Returns the message it is given", Map.of("message", string), List.of("message")),
                (ex, req) -> text(String.valueOf(req.arguments().get("message")), false)));
        tools.add(spec(tool("add", "Adds two numbers", Map.of("a", Map.of("type", "number"), "b", Map.of("type", "number")),
                List.of("a", "b")), (ex, req) -> {
            double sum = ((Number) req.arguments().get("a")).doubleValue() + ((Number) req.arguments().get("b")).doubleValue();
            return McpSchema.CallToolResult.builder().addTextContent(String.valueOf(sum))
                    .structuredContent(Map.of("sum", sum)).isError(false).build();
        }));
        tools.add(spec(tool("fail", "Always fails, as a tool result", Map.of(), List.of()),
                (ex, req) -> text("failed on purpose", true)));
        tools.add(spec(tool("count", "Reports progress once per step, then says how many steps it took",
                Map.of("steps", Map.of("type", "integer")), List.of("steps")), SdkReferenceServer::count));
        tools.add(spec(tool("ask_model", "Asks the client's model", Map.of("prompt", string), List.of("prompt")),
                (ex, req) -> {
                    McpSchema.CreateMessageResult r = ex.createMessage(McpSchema.CreateMessageRequest.builder()
                            .messages(List.of(new McpSchema.SamplingMessage(McpSchema.Role.USER,
                                    new McpSchema.TextContent(String.valueOf(req.arguments().get("prompt"))))))
                            .maxTokens(50).build());
                    return text("The model (" + r.model() + ") answered: " + ((McpSchema.TextContent) r.content()).text(), false);
                }));
        tools.add(spec(tool("ask_user", "Asks the client's user", Map.of("question", string), List.of("question")),
                (ex, req) -> {
                    McpSchema.ElicitResult r = ex.createElicitation(McpSchema.ElicitRequest.builder()
                            .message(String.valueOf(req.arguments().get("question")))
                            .requestedSchema(Map.of("type", "object", "properties", Map.of("answer", string),
                                    "required", List.of("answer")))
                            .build());
                    return text(r.action() == McpSchema.ElicitResult.Action.ACCEPT
                            ? "The user answered: " + r.content().get("answer")
                            : "The user did not answer: " + r.action(), false);
                }));
        tools.add(spec(tool("grow", "Adds a tool by the given name, which answers \"grown\"; the SDK then tells every "
                + "session the tool list changed", Map.of("name", string), List.of("name")), (ex, req) -> {
            String name = String.valueOf(req.arguments().get("name"));
            server.addTool(spec(tool(name, "Added at run time", Map.of(), List.of()), (e, r) -> text("grown", false)));
            return text("added " + name, false);
        }));
        tools.add(spec(tool("list_roots", "Lists the client's roots", Map.of(), List.of()), (ex, req) -> {
            List<String> roots = new ArrayList<>();
            ex.listRoots().roots().forEach(r -> roots.add(r.uri() + " (" + r.name() + ")"));
            return text(String.join(", ", roots), false);
        }));
        return tools;
    }

    private static McpSchema.CallToolResult count(McpSyncServerExchange ex, McpSchema.CallToolRequest req) {
        int steps = ((Number) req.arguments().get("steps")).intValue();
        Object token = req.meta() == null ? null : req.meta().get("progressToken");
        for (int i = 1; i <= steps; i++) {
            if (token != null) {
                ex.progressNotification(new McpSchema.ProgressNotification(token, (double) i, (double) steps, "step " + i));
            }
        }
        return text("counted " + steps + (token == null ? " without a progress token" : ""), false);
    }

    private static McpServerFeatures.SyncToolSpecification spec(
            McpSchema.Tool tool,
            java.util.function.BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler) {
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool).callHandler(handler).build();
    }

    private static McpServerFeatures.SyncResourceSpecification greeting() {
        McpSchema.Resource r = McpSchema.Resource.builder().uri("sdk://greeting").name("greeting")
                .description("A fixed greeting").mimeType("text/plain").build();
        return new McpServerFeatures.SyncResourceSpecification(r, (ex, req) -> new McpSchema.ReadResourceResult(
                List.of(new McpSchema.TextResourceContents(req.uri(), "text/plain", "Hello from the Java SDK"))));
    }

    private static McpServerFeatures.SyncResourceTemplateSpecification items() {
        McpSchema.ResourceTemplate t = McpSchema.ResourceTemplate.builder().uriTemplate("sdk://items/{id}").name("item")
                .description("An item by id").mimeType("text/plain").build();
        return new McpServerFeatures.SyncResourceTemplateSpecification(t, (ex, req) -> new McpSchema.ReadResourceResult(
                List.of(new McpSchema.TextResourceContents(req.uri(), "text/plain",
                        "item " + req.uri().substring("sdk://items/".length())))));
    }

    private static McpServerFeatures.SyncPromptSpecification greet() {
        McpSchema.Prompt p = new McpSchema.Prompt("greet", "Greets someone by name",
                List.of(new McpSchema.PromptArgument("name", "Who to greet", true)));
        return new McpServerFeatures.SyncPromptSpecification(p, (ex, req) -> new McpSchema.GetPromptResult("A greeting",
                List.of(new McpSchema.PromptMessage(McpSchema.Role.USER,
                        new McpSchema.TextContent("Hello, " + req.arguments().get("name") + "!")))));
    }
}
