package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.demo.EchoTool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway tests start and close: gateway Peregrines (TCP and HTTP listeners, a local
 * {@code echo} beside the upstreams) and clients of either era reaching them, closed in reverse
 * order by {@link #close()} (call it from an {@code @AfterEach}).
 */
final class GatewayFixture implements AutoCloseable {

    private final List<AutoCloseable> closing = new ArrayList<>();

    /** Started gateway federating {@code specs}. */
    Peregrine gateway(UpstreamSpec... specs) throws InterruptedException {
        return gateway(Peregrine.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).tool(EchoTool.create()), specs);
    }

    /** {@code b} federating {@code specs}, started; closed with the fixture. */
    Peregrine gateway(Peregrine.Builder b, UpstreamSpec... specs) throws InterruptedException {
        for (UpstreamSpec s : specs) {
            b.upstream(s);
        }
        Peregrine g = closeLater(b.build());
        g.start();
        return g;
    }

    /** A client of {@code gateway} speaking {@code version}, over {@code transport} ({@code tcp} or {@code http}). */
    PeregrineClient.Builder clientOf(Peregrine gateway, String transport, String version) {
        PeregrineClient.Builder b = PeregrineClient.builder().protocolVersion(version).requestTimeout(Duration.ofSeconds(20));
        return transport.equals("tcp") ? b.address(gateway.addresses().tcp())
                : b.url("http://127.0.0.1:" + gateway.addresses().http().getPort() + "/mcp");
    }

    /** {@link #clientOf} connected. */
    PeregrineClient client(Peregrine gateway, String transport, String version) throws Exception {
        return connect(clientOf(gateway, transport, version));
    }

    /** Connects {@code b}; the client is closed with the fixture. */
    PeregrineClient connect(PeregrineClient.Builder b) throws Exception {
        return closeLater(b.connect());
    }

    /** {@code c}, closed with the fixture. */
    <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        closing.clear();
    }
}
