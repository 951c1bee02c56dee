package io.peregrine.client;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.AskingTools;
import io.peregrine.testing.TestContent;
import io.peregrine.testing.TestTools;

import java.io.File;
import java.util.List;

/**
 * The server the client's transport suite talks to: the same tools, resources and prompts over
 * TCP, WebSocket and Streamable HTTP in the test's process, or over stdio in a child process
 * ({@link #main}).
 */
public final class ClientKitServer {

    private ClientKitServer() {
    }

    /** A server with the suite's content; the caller adds listeners and starts it. */
    public static Peregrine.Builder builder() {
        Peregrine.Builder b = Peregrine.builder()
                .pageSize(2)
                .tool(EchoTool.create())
                .tool(TestTools.slow())
                .tool(TestContent.chatty())
                .resourceTemplate(TestContent.items())
                .prompt(TestContent.greet());
        AskingTools.all().forEach(b::tool);
        b.tool(io.peregrine.tool.Tool.builder("regional")
                .description("Answers with the region it was called for; the region travels in Mcp-Param-Region too")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
                        + "\"x-mcp-header\":\"Region\"},\"query\":{\"type\":\"string\"}},\"required\":[\"region\"]}")
                .blocking(false)
                .handler((args, ctx) -> io.peregrine.tool.ToolResult.text(args.string("region") + ": " + args.string("query", "")))
                .build());
        TestContent.resources().forEach(b::resource);
        return b;
    }

    /** The command that starts {@link #main} with this JVM and class path. */
    static List<String> stdioCommand() {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        return List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ClientKitServer.class.getName());
    }

    public static void main(String[] args) throws Exception {
        // Only in the child: a server that dies on request, with an exit code the client reports.
        Peregrine.Builder b = builder().tool(io.peregrine.tool.Tool.builder("die").blocking(false)
                .handler((a, ctx) -> {
                    Runtime.getRuntime().halt(3);
                    return io.peregrine.tool.ToolResult.text("unreachable");
                }).build());
        try (Peregrine server = b.noTcp().stdio(System.in, System.out).build()) {
            server.start();
            server.stdioClosed().await();
        }
    }
}
