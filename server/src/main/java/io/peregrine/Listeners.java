package io.peregrine;

import io.netty.util.concurrent.Future;
import io.peregrine.config.ConfigKey;
import io.peregrine.mcp.McpServer;
import io.peregrine.mcp.ProtocolVersion;
import io.peregrine.transport.HealthReport;
import io.peregrine.transport.EventLoops;
import io.peregrine.transport.http.HttpListener;
import io.peregrine.transport.http.HttpProtocolVersions;
import io.peregrine.transport.http.HttpRoute;
import io.peregrine.transport.http.StreamableHttpEndpoint;
import io.peregrine.transport.stdio.StdioTransport;
import io.peregrine.transport.tcp.TcpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The transports of a started server: its I/O threads, the TCP and HTTP listeners and the stdio
 * session, bound in {@link #bind} and taken down in the order shutdown needs (stop accepting,
 * then, once the core has drained, end HTTP sessions and stop the threads).
 */
final class Listeners {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final EventLoops loops;
    private TcpServer tcp;
    private HttpListener http;
    private StreamableHttpEndpoint streamableHttp;
    private StdioTransport stdio;

    private Listeners(EventLoops loops) {
        this.loops = loops;
    }

    /**
     * Binds every listener the settings turn on, the HTTP listener with {@code routes} beside MCP;
     * on failure, closes what was bound.
     */
    static Listeners bind(ServerSettings s, ServerParts parts, McpServer core, HealthReport health,
                          List<HttpRoute> routes) throws InterruptedException {
        Listeners l = new Listeners(new EventLoops(s.get(ConfigKey.IO_THREADS), "peregrine"));
        try {
            l.start(s, parts, core, health, routes);
            return l;
        } catch (InterruptedException | RuntimeException e) {
            l.stopAccepting();
            l.loops.shutdown(1_000);
            throw e;
        }
    }

    private void start(ServerSettings s, ServerParts parts, McpServer core, HealthReport health, List<HttpRoute> routes)
            throws InterruptedException {
        if (s.get(ConfigKey.TCP_ENABLED)) {
            tcp = TcpServer.bind(loops, s.get(ConfigKey.TCP_HOST), s.get(ConfigKey.TCP_PORT), s.maxMessageBytes(), core,
                    parts.security(parts.tcpTls()));
            log.info("MCP over TCP (newline-delimited JSON-RPC) on {}", tcp.localAddress());
        }
        if (s.get(ConfigKey.HTTP_ENABLED)) {
            streamableHttp = new StreamableHttpEndpoint(core, s.streamableHttp(),
                    new HttpProtocolVersions(ProtocolVersion.ids(), ProtocolVersion.statelessIds()));
            http = HttpListener.bind(loops, s.get(ConfigKey.HTTP_HOST), s.get(ConfigKey.HTTP_PORT), s.webSocket(health),
                    streamableHttp, core, parts.security(parts.httpTls()), routes);
            InetSocketAddress a = http.localAddress();
            String scheme = parts.httpTls() != null ? "s" : "";
            String path = s.get(ConfigKey.WS_PATH);
            log.info("MCP over Streamable HTTP on http{}://{}:{}{} and WebSocket on ws{}://{}:{}{}",
                    scheme, a.getHostString(), a.getPort(), path, scheme, a.getHostString(), a.getPort(), path);
        }
        if (parts.stdin() != null) {
            stdio = StdioTransport.start(parts.stdin(), parts.stdout(), s.maxMessageBytes(), core);
            log.info("MCP over stdio (newline-delimited JSON-RPC on stdin and stdout)");
        }
    }

    /**
     * A listener without authentication is for this machine only: on any other address it would
     * hand every tool to the network. Opting in is explicit.
     */
    static void checkExposure(ServerSettings s, ServerParts parts) {
        checkExposure(s, parts, "tcp", ConfigKey.TCP_ENABLED, ConfigKey.TCP_HOST, "tcp");
        checkExposure(s, parts, "http", ConfigKey.HTTP_ENABLED, ConfigKey.HTTP_HOST, "ws");
    }

    private static void checkExposure(ServerSettings s, ServerParts parts, String listener, ConfigKey<Boolean> enabled,
                                      ConfigKey<String> hostKey, String transport) {
        String host = s.get(hostKey);
        if (!s.get(enabled) || s.get(ConfigKey.AUTH_ALLOW_ANONYMOUS_REMOTE)
                || parts.policy().authenticator(transport).requiresCredentials() || isLoopback(host)) {
            return;
        }
        throw new IllegalArgumentException(listener + ".host : " + host + " with " + listener + ".auth none (expected: "
                + "a loopback address, or authentication on this listener, or auth.allow-anonymous-remote=true)");
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    Peregrine.BoundAddresses addresses() {
        return new Peregrine.BoundAddresses(tcp == null ? null : tcp.localAddress(), http == null ? null : http.localAddress());
    }

    /** The I/O event loops, whose backlog the metrics read when scraped. */
    io.netty.channel.EventLoopGroup workers() {
        return loops.workers();
    }

    /** Completes when the stdio session ends; null when stdio is not served. */
    Future<Void> stdioClosed() {
        return stdio == null ? null : stdio.closeFuture();
    }

    /** Closes the listening sockets; connections already open stay open. */
    void stopAccepting() {
        if (tcp != null) {
            tcp.close();
        }
        if (http != null) {
            http.close();
        }
    }

    /** After the core drained: ends HTTP sessions and the stdio session, then stops the I/O threads. */
    void shutdown() {
        if (streamableHttp != null) {
            streamableHttp.close();
        }
        if (stdio != null) {
            stdio.shutdown();
        }
        // Let the shutdown answers reach the wire before the connections go.
        loops.shutdown(2_000);
    }
}
