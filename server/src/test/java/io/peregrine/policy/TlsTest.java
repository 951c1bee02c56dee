package io.peregrine.policy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.peregrine.Peregrine;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.testing.TestCertificates;
import io.peregrine.transport.tls.TlsContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS on every listener with real TLS sockets: our client, the JDK's WebSocket client, openssl s_client, mTLS, reload. */
class TlsTest {

    @TempDir
    static Path dir;
    private static TestCertificates server;
    private static TestCertificates alice;

    @BeforeAll
    static void certificates() throws Exception {
        server = TestCertificates.create(dir, "server", "localhost");
        alice = TestCertificates.create(dir, "alice", "alice");
    }

    private static Peregrine start(TlsContext tls, Peregrine.Builder extra) throws InterruptedException {
        Peregrine p = extra.tool(PolicyTestServer.tool("echo")).tool(PolicyTestServer.tool("secret"))
                .tcp("127.0.0.1", 0).http("127.0.0.1", 0).tcpTls(tls).httpTls(tls)
                .drainTimeout(Duration.ZERO).build();
        p.start();
        return p;
    }

    private static SslContext clientContext(TestCertificates clientCert) throws Exception {
        SslContextBuilder b = SslContextBuilder.forClient().trustManager(server.cert.toFile());
        if (clientCert != null) {
            b.keyManager(clientCert.cert.toFile(), clientCert.key.toFile());
        }
        return b.build();
    }

    private static SSLContext jdkTrusting(X509Certificate cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void tcpAndWebSocketSpeakTls() throws Exception {
        try (Peregrine p = start(TlsContext.builder(server.cert, server.key).build(), Peregrine.builder())) {
            try (PeregrineClient c = PeregrineClient.builder().address(p.addresses().tcp()).tls(clientContext(null)).connect()) {
                assertThat(c.callTool("echo", Map.of("message", "over tls")).text()).isEqualTo("echo:over tls");
            }
            LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newBuilder().sslContext(jdkTrusting(server.certificate)).build()
                    .newWebSocketBuilder().subprotocols("mcp")
                    .buildAsync(URI.create("wss://localhost:" + p.addresses().http().getPort() + "/mcp"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            received.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            ws.sendText(JwtAuthenticationTest.call(1, null), true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).contains("echo:hi");
            ws.abort();
            // Plain text on a TLS port is not MCP.
            assertThatThrownBy(() -> PeregrineClient.builder().address(p.addresses().tcp())
                    .requestTimeout(Duration.ofSeconds(2)).connect().close()).isInstanceOf(McpClientException.class);
        }
    }

    @Test
    void opensslSClientTalksToTheTcpListener() throws Exception {
        try (Peregrine p = start(TlsContext.builder(server.cert, server.key).build(), Peregrine.builder())) {
            Process s = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + p.addresses().tcp().getPort(),
                    "-CAfile", server.cert.toString(), "-verify_return_error", "-quiet")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                OutputStream in = s.getOutputStream();
                in.write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"openssl\",\"version\":\"3\"}}}\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                BufferedReader out = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                assertThat(line).contains("\"protocolVersion\":\"2025-11-25\"").contains("\"serverInfo\"");
            } finally {
                s.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void clientCertificatesMapToPrincipals() throws Exception {
        TlsContext tls = TlsContext.builder(server.cert, server.key).clientCertificates(alice.cert, true).build();
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder().key("nobody", "nobody-key-0123456789", List.of()).build();
        Peregrine.Builder b = Peregrine.builder()
                .policy(PolicyChain.builder().authenticator("tcp", keys).build())
                .clientCertificates(ClientCertificates.parse("alice=tool:echo"));
        try (Peregrine p = start(tls, b)) {
            // No token needed: the certificate authenticates alice, with her configured scopes.
            try (PeregrineClient c = PeregrineClient.builder().address(p.addresses().tcp()).tls(clientContext(alice)).connect()) {
                assertThat(c.listTools()).extracting(t -> t.get("name")).containsExactly("echo");
                assertThat(c.callTool("echo", Map.of("message", "m")).text()).isEqualTo("echo:m");
            }
            assertThatThrownBy(() -> PeregrineClient.builder().address(p.addresses().tcp()).tls(clientContext(null))
                    .requestTimeout(Duration.ofSeconds(3)).connect().close())
                    .as("a required client certificate is missing").isInstanceOf(Exception.class);
        }
    }

    @Test
    void renewedCertificatesArePickedUpWithoutARestart() throws Exception {
        Path live = Files.createDirectories(dir.resolve("live"));
        TestCertificates first = TestCertificates.create(live, "tls", "localhost");
        AtomicLong nanos = new AtomicLong();
        TlsContext tls = TlsContext.builder(first.cert, first.key).reloadInterval(Duration.ofSeconds(30))
                .nanoClock(nanos::get).build();
        try (Peregrine p = start(tls, Peregrine.builder())) {
            assertThat(served(p)).isEqualTo(first.certificate.getSerialNumber());
            TestCertificates second = TestCertificates.create(live, "tls", "localhost");
            assertThat(second.certificate.getSerialNumber()).isNotEqualTo(first.certificate.getSerialNumber());
            assertThat(served(p)).as("not checked again before the interval").isEqualTo(first.certificate.getSerialNumber());
            nanos.addAndGet(Duration.ofSeconds(31).toNanos());
            assertThat(served(p)).isEqualTo(second.certificate.getSerialNumber());
            Files.writeString(second.key, "not a key");
            nanos.addAndGet(Duration.ofSeconds(31).toNanos());
            assertThat(served(p)).as("a broken renewal keeps the working certificate")
                    .isEqualTo(second.certificate.getSerialNumber());
        }
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateStopsStartUp() {
        assertThatThrownBy(() -> TlsContext.builder(server.cert, alice.key).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(alice.key + " : the private key does not match the certificate in " + server.cert);
    }

    /** The serial number of the certificate the TCP listener presents to a new connection. */
    private static java.math.BigInteger served(Peregrine p) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", p.addresses().tcp().getPort())) {
            s.setSoTimeout(5_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
