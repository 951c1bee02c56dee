package io.peregrine.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.peregrine.Peregrine;
import io.peregrine.chaos.ChaosProxy;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.ToolInfo;
import io.peregrine.config.ConfigLoader;
import io.peregrine.demo.EchoTool;
import io.peregrine.testing.Await;
import io.peregrine.testing.TestCertificates;
import io.peregrine.transport.tls.TlsContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's links to upstreams over real TLS and h2c sockets, configured with the
 * {@code gateway.upstreams.<name>.tls.*} and {@code h2c} keys: a Peregrine upstream serving
 * {@code https://} with a certificate made here, which the gateway trusts only when told to,
 * which can require the gateway's client certificate, and an h2c upstream whose connections are
 * watched through a proxy to see which protocol they speak.
 */
class GatewayUpstreamTlsTest {

    @TempDir
    static Path dir;
    private static TestCertificates upstreamCert;
    private static TestCertificates gatewayCert;
    private static TestCertificates elsewhere;

    private final GatewayFixture fixture = new GatewayFixture();

    @BeforeAll
    static void certificates() throws Exception {
        upstreamCert = TestCertificates.create(dir, "upstream", "localhost");
        gatewayCert = TestCertificates.create(dir, "gateway", "gateway");
        elsewhere = TestCertificates.create(dir, "elsewhere", "elsewhere.test", "dns:elsewhere.test");
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    /** A Peregrine serving {@code echo} over HTTPS with {@code tls}; its {@code https://} URL. */
    private String httpsUpstream(TlsContext tls) throws InterruptedException {
        Peregrine p = fixture.closeLater(Peregrine.builder().noTcp().http("127.0.0.1", 0).httpTls(tls)
                .tool(EchoTool.create()).drainTimeout(Duration.ZERO).build());
        return "https://127.0.0.1:" + p.start().http().getPort() + "/mcp";
    }

    /** The upstream {@code secure} as the configuration keys {@code sets} describe it (short timeouts). */
    private static UpstreamSpec secure(String url, String... sets) {
        List<String> all = new ArrayList<>(List.of("gateway.upstreams.secure.url=" + url,
                "gateway.upstreams.secure.connect-timeout=3s", "gateway.upstreams.secure.call-timeout=5s",
                "gateway.upstreams.secure.reconnect-backoff=5s", "gateway.upstreams.secure.reconnect-max-backoff=5s"));
        all.addAll(List.of(sets));
        return UpstreamSettings.from(ConfigLoader.load(null, Map.of(), all), Map.of()).get(0);
    }

    private String echoThrough(Peregrine gateway) throws Exception {
        PeregrineClient c = fixture.client(gateway, "tcp", "2025-11-25");
        return c.callTool("secure_echo", Map.of("message", "relayed")).text();
    }

    private boolean federates(Peregrine gateway) throws Exception {
        PeregrineClient c = fixture.client(gateway, "tcp", "2025-11-25");
        return c.tools().stream().map(ToolInfo::name).anyMatch("secure_echo"::equals);
    }

    @Test
    void aPrivateCaIsRefusedUntilTrustedWithCaFile() throws Exception {
        String url = httpsUpstream(TlsContext.builder(upstreamCert.cert, upstreamCert.key).build());

        Peregrine untrusting = fixture.gateway(secure(url));
        assertThat(untrusting.gateway().upstreams()).containsEntry("secure", false);
        String why = untrusting.gateway().failure("secure");
        System.out.println("without tls.ca-file: " + why);
        assertThat(why).containsIgnoringCase("certificat");
        assertThat(federates(untrusting)).isFalse();

        Peregrine trusting = fixture.gateway(secure(url, "gateway.upstreams.secure.tls.ca-file=" + upstreamCert.cert));
        assertThat(trusting.gateway().upstreams()).containsEntry("secure", true);
        assertThat(echoThrough(trusting)).isEqualTo("relayed");
    }

    @Test
    void theHostNameIsVerifiedEvenWithTheCaTrusted() throws Exception {
        // A certificate for elsewhere.test, trusted, presented by 127.0.0.1.
        String url = httpsUpstream(TlsContext.builder(elsewhere.cert, elsewhere.key).build());
        Peregrine gateway = fixture.gateway(secure(url, "gateway.upstreams.secure.tls.ca-file=" + elsewhere.cert));
        assertThat(gateway.gateway().upstreams()).containsEntry("secure", false);
        String why = gateway.gateway().failure("secure");
        System.out.println("host name not in the certificate: " + why);
        assertThat(why).contains("127.0.0.1");
        assertThat(why).containsIgnoringCase("subject alternative");
    }

    @Test
    void verifyFalseConnectsWithoutTheCaAndSaysSoAtStart() throws Exception {
        String url = httpsUpstream(TlsContext.builder(elsewhere.cert, elsewhere.key).build());
        ch.qos.logback.classic.Logger gatewayLog = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Gateway.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        gatewayLog.addAppender(logged);
        Peregrine gateway;
        try {
            gateway = fixture.gateway(secure(url, "gateway.upstreams.secure.tls.verify=false"));
        } finally {
            gatewayLog.detachAppender(logged);
        }
        assertThat(echoThrough(gateway)).isEqualTo("relayed");
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("upstream secure") && m.contains("verification is OFF"));
    }

    @Test
    void aTcpUpstreamSpeaksTlsOnceTlsKeysAreSet() throws Exception {
        TlsContext tls = TlsContext.builder(upstreamCert.cert, upstreamCert.key).build();
        Peregrine upstream = fixture.closeLater(Peregrine.builder().tcp("127.0.0.1", 0).tcpTls(tls)
                .tool(EchoTool.create()).drainTimeout(Duration.ZERO).build());
        String url = "tcp://127.0.0.1:" + upstream.start().tcp().getPort();
        Peregrine gateway = fixture.gateway(secure(url, "gateway.upstreams.secure.tls.ca-file=" + upstreamCert.cert));
        assertThat(echoThrough(gateway)).isEqualTo("relayed");
    }

    @Test
    void anUpstreamRequiringClientCertificatesTakesTheGatewaysOnly() throws Exception {
        String url = httpsUpstream(TlsContext.builder(upstreamCert.cert, upstreamCert.key)
                .clientCertificates(gatewayCert.cert, true).build());
        String ca = "gateway.upstreams.secure.tls.ca-file=" + upstreamCert.cert;

        Peregrine anonymous = fixture.gateway(secure(url, ca));
        assertThat(anonymous.gateway().upstreams()).containsEntry("secure", false);
        String why = anonymous.gateway().failure("secure");
        System.out.println("without a client certificate: " + why);
        assertThat(why).containsIgnoringCase("certificate");
        assertThat(federates(anonymous)).isFalse();

        Peregrine stranger = fixture.gateway(secure(url, ca, "gateway.upstreams.secure.tls.cert-file=" + elsewhere.cert,
                "gateway.upstreams.secure.tls.key-file=" + elsewhere.key));
        assertThat(stranger.gateway().upstreams()).containsEntry("secure", false);
        System.out.println("with a certificate the upstream does not trust: " + stranger.gateway().failure("secure"));

        Peregrine known = fixture.gateway(secure(url, ca, "gateway.upstreams.secure.tls.cert-file=" + gatewayCert.cert,
                "gateway.upstreams.secure.tls.key-file=" + gatewayCert.key));
        assertThat(echoThrough(known)).isEqualTo("relayed");
    }

    @Test
    void h2cSpeaksHttp2WithPriorKnowledge() throws Exception {
        Peregrine upstream = fixture.closeLater(Peregrine.builder().noTcp().http("127.0.0.1", 0).h2c(true)
                .tool(EchoTool.create()).drainTimeout(Duration.ZERO).build());
        ChaosProxy watch = fixture.closeLater(ChaosProxy.to(upstream.start().http().getPort()));
        String url = "http://127.0.0.1:" + watch.port() + "/mcp";

        Peregrine http1 = fixture.gateway(secure(url));
        assertThat(echoThrough(http1)).isEqualTo("relayed");
        System.out.println("without h2c, connections open with: " + watch.openings());
        Replica first = http1.gateway().upstream("secure").endpoints().all().get(0);
        Await.until(first::loopLinksMade, "the first gateway's links on its I/O threads");
        assertThat(watch.openings()).isNotEmpty().noneMatch(o -> o.startsWith("PRI * HTTP/2.0"));
        int before = watch.openings().size();

        Peregrine h2 = fixture.gateway(secure(url, "gateway.upstreams.secure.h2c=true"));
        assertThat(echoThrough(h2)).isEqualTo("relayed");
        List<String> opened = watch.openings().subList(before, watch.openings().size());
        System.out.println("with h2c, connections open with: " + opened);
        assertThat(opened).isNotEmpty().allMatch(o -> o.startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    }

    @Test
    void h2cCallsBeyondTheUpstreamsStreamLimitWaitForAStream() throws Exception {
        // Netty's server allows 100 concurrent streams; the gateway lets 256 calls go to the upstream at once.
        Peregrine upstream = fixture.closeLater(Peregrine.builder().noTcp().http("127.0.0.1", 0).h2c(true)
                .tool(EchoTool.create()).drainTimeout(Duration.ZERO).build());
        String url = "http://127.0.0.1:" + upstream.start().http().getPort() + "/mcp";
        Peregrine gateway = fixture.gateway(secure(url, "gateway.upstreams.secure.h2c=true",
                "gateway.upstreams.secure.max-in-flight=256"));
        PeregrineClient c = fixture.client(gateway, "tcp", "2025-11-25");
        List<PendingCall> calls = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            calls.add(c.callToolAsync("secure_echo", Map.of("message", "call " + i), null));
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).result().get(30, TimeUnit.SECONDS).text()).isEqualTo("call " + i);
        }
    }
}
