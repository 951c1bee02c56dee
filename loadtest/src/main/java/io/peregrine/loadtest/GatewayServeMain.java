package io.peregrine.loadtest;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.gateway.UpstreamSpec;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One server of {@code loadtest/run gateway}, in a JVM of its own ({@link GatewayComparison} starts it):
 *
 * <ul>
 *   <li>{@code upstream}: Peregrine serving {@code echo} (as {@link Target} starts it: one I/O
 *       thread) on TCP and on HTTP (Streamable HTTP and WebSocket at {@code /mcp}) of 127.0.0.1;
 *       prints {@code listening tcp HOST:PORT http HOST:PORT}.</li>
 *   <li>{@code stdio}: the same upstream serving one session on its standard input and output
 *       instead, with no listener: the child that a gateway over stdio starts (prints nothing but
 *       MCP).</li>
 *   <li>{@code gateway URL}: Peregrine with no tools of its own, one I/O thread, TCP and HTTP on
 *       127.0.0.1 (as the upstream), federating the upstream at {@code URL} ({@code tcp://}, {@code ws://},
 *       {@code http://}, {@code h2c://} for {@code http://} over h2c, or {@code stdio:} and a command line that starts the child) as
 *       {@value #UPSTREAM}, so that its echo is {@code up_echo}; prints {@code listening tcp HOST:PORT http HOST:PORT}
 *       once the upstream's catalog is in.</li>
 * </ul>
 *
 * <p>The server stops when its standard input ends (the stdio one: when its session does).
 */
public final class GatewayServeMain {

    /** The prefix of a gateway's upstream that is a command line, as {@code PeregrineClient} takes it. */
    static final String STDIO = "stdio:";
    /** The scheme of a gateway's upstream reached over Streamable HTTP on h2c ({@code gateway.upstreams.<name>.h2c}). */
    static final String H2C = "h2c://";
    /** The upstream's name in the gateway, and so the prefix of its tools. */
    static final String UPSTREAM = "up";
    /**
     * Calls in flight through the gateway at most (its upstream's bulkhead and the server's
     * {@code exec.max-concurrency}, which the forwarded calls run under), kept as the published
     * figures were measured.
     */
    static final int MAX_IN_FLIGHT = 256;

    private GatewayServeMain() {
    }

    public static void main(String[] args) throws Exception {
        int maxMessageBytes = LoadSettings.maxMessageBytes(64 * 1024);
        Peregrine peregrine;
        if (args.length == 1 && args[0].equals("stdio")) {
            try (Peregrine stdio = Peregrine.builder().tool(EchoTool.create()).ioThreads(1)
                    .maxLineLength(maxMessageBytes).maxStringLength(maxMessageBytes).noTcp()
                    .maxConcurrency(MAX_IN_FLIGHT).stdio(System.in, System.out).build()) {
                stdio.start();
                stdio.stdioClosed().await();
            }
            return;
        } else if (args.length == 1 && args[0].equals("upstream")) {
            peregrine = Peregrine.builder().tool(EchoTool.create()).ioThreads(1)
                    .maxLineLength(maxMessageBytes).maxStringLength(maxMessageBytes)
                    .tcp("127.0.0.1", 0).http("127.0.0.1", 0).maxFrameBytes(maxMessageBytes)
                    .maxConcurrency(MAX_IN_FLIGHT).build();
        } else if (args.length == 2 && args[0].equals("gateway")) {
            UpstreamSpec.Builder upstream = UpstreamSpec.builder(UPSTREAM).maxInFlight(MAX_IN_FLIGHT, Duration.ofSeconds(5));
            if (args[1].startsWith(STDIO)) {
                upstream.command(args[1].substring(STDIO.length()));
            } else if (args[1].startsWith(H2C)) {
                upstream.url("http://" + args[1].substring(H2C.length())).h2c(true);
            } else {
                upstream.url(args[1]);
            }
            peregrine = Peregrine.builder().ioThreads(1)
                    .maxLineLength(maxMessageBytes).maxStringLength(maxMessageBytes)
                    .tcp("127.0.0.1", 0).http("127.0.0.1", 0).maxFrameBytes(maxMessageBytes)
                    .maxConcurrency(MAX_IN_FLIGHT).upstream(upstream.build()).build();
        } else {
            System.err.println("usage: GatewayServeMain upstream | stdio | gateway tcp://...|ws://...|http://...|h2c://...|stdio:COMMAND");
            System.exit(64);
            return;
        }
        Peregrine.BoundAddresses bound = peregrine.start();
        System.out.println("listening tcp " + hostPort(bound.tcp()) + " http " + hostPort(bound.http()));
        System.out.flush();
        try (peregrine) {
            InputStream in = System.in;
            while (in.read() >= 0) {
                // nothing is expected on standard input but its end
            }
        } catch (IOException e) {
            // standard input is gone: stop as at its end
        }
    }

    static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
