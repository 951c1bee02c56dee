package io.peregrine.bench;

import io.peregrine.Peregrine;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.PeregrineClient;
import io.peregrine.demo.EchoTool;
import io.peregrine.gateway.UpstreamSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code tools/call} of {@code echo} relayed by the gateway, beside the same call made
 * directly, with everything in this JVM on real loopback sockets: an upstream Peregrine serving
 * {@code echo} (one I/O thread), a gateway Peregrine (one I/O thread, no tools of its own)
 * federating it as {@code up} over the upstream link in {@code link}, and one
 * {@link PeregrineClient} over TCP (2025-11-25 session) to each. {@link #direct} calls
 * {@code echo} on the upstream; {@link #throughGateway} calls {@code up_echo} on the gateway,
 * which decodes it, runs the forwarding handler on its executor, sends the call over its upstream
 * link, waits for the answer and encodes it back. One call in flight at a time, so the time is a
 * round trip (two of them through the gateway), not the throughput.
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} counts what every thread of this JVM
 * allocates per call (client, gateway, upstream): {@code throughGateway} minus {@code direct} is
 * what the relay adds per call, its upstream link's client side included.
 *
 * <pre>{@code bench/run GatewayRelayBenchmark -p link=tcp,ws,http}</pre>
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GatewayRelayBenchmark extends AbstractBenchmark {

    @Param({"tcp", "ws", "http"})
    public String link;

    @Param({"100"})
    public int payload;

    private Peregrine upstream;
    private Peregrine gateway;
    private PeregrineClient directClient;
    private PeregrineClient gatewayClient;
    private Map<String, Object> arguments;

    @Setup(Level.Trial)
    public void start() throws Exception {
        upstream = Peregrine.builder().tool(EchoTool.create()).ioThreads(1)
                .tcp("127.0.0.1", 0).http("127.0.0.1", 0).build();
        Peregrine.BoundAddresses up = upstream.start();
        String host = up.http().getAddress().getHostAddress();
        String url;
        switch (link) {
            case "tcp":
                url = "tcp://" + up.tcp().getAddress().getHostAddress() + ":" + up.tcp().getPort();
                break;
            case "ws":
                url = "ws://" + host + ":" + up.http().getPort() + "/mcp";
                break;
            case "http":
                url = "http://" + host + ":" + up.http().getPort() + "/mcp";
                break;
            default:
                throw new IllegalArgumentException("link : " + link + " (expected: tcp, ws or http)");
        }
        gateway = Peregrine.builder().ioThreads(1).tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("up").url(url).build()).build();
        Peregrine.BoundAddresses gw = gateway.start();
        directClient = PeregrineClient.builder().address(up.tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(10)).connect();
        gatewayClient = PeregrineClient.builder().address(gw.tcp()).protocolVersion("2025-11-25")
                .requestTimeout(Duration.ofSeconds(10)).connect();
        arguments = Map.of("message", message(payload));
        // Both paths answer before anything is measured.
        check(directClient.callTool("echo", arguments));
        check(gatewayClient.callTool("up_echo", arguments));
    }

    private CallToolResult check(CallToolResult result) {
        if (result.isError() || !result.text().equals(arguments.get("message"))) {
            throw new IllegalStateException("echo answered " + result.text());
        }
        return result;
    }

    @Benchmark
    public CallToolResult direct() {
        return directClient.callTool("echo", arguments);
    }

    @Benchmark
    public CallToolResult throughGateway() {
        return gatewayClient.callTool("up_echo", arguments);
    }

    @TearDown(Level.Trial)
    public void stop() {
        directClient.close();
        gatewayClient.close();
        gateway.close();
        upstream.close();
    }
}
