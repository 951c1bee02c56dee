package io.peregrine.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.peregrine.Peregrine;
import io.peregrine.transport.tls.TlsContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client over TLS on every transport that has it (tcp with a context, wss, https), verifying
 * the server: with the server's certificate trusted it talks; with the JDK's default roots, which
 * do not know a self-signed certificate, it refuses to.
 */
class ClientTlsTest {

    @TempDir
    static Path dir;
    private static Peregrine server;
    private static Peregrine.BoundAddresses addresses;
    private static Path cert;

    @BeforeAll
    static void start() throws Exception {
        Path store = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        cert = pem(dir.resolve("server.crt"), "CERTIFICATE", ((X509Certificate) ks.getCertificate("server")).getEncoded());
        Path key = pem(dir.resolve("server.key"), "PRIVATE KEY", ks.getKey("server", "changeit".toCharArray()).getEncoded());
        TlsContext tls = TlsContext.builder(cert, key).build();
        server = ClientKitServer.builder().tcp("127.0.0.1", 0).http("127.0.0.1", 0).tcpTls(tls).httpTls(tls).build();
        addresses = server.start();
    }

    private static Path pem(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
        return file;
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String url(String transport) {
        switch (transport) {
            case "tcp":
                return "tcp://localhost:" + addresses.tcp().getPort();
            case "wss":
                return "wss://localhost:" + addresses.http().getPort() + "/mcp";
            default:
                return "https://localhost:" + addresses.http().getPort() + "/mcp";
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "wss", "https"})
    void talksTlsToAServerItTrusts(String transport) throws Exception {
        SslContext trusting = SslContextBuilder.forClient().trustManager(cert.toFile()).build();
        for (String version : List.of("2025-11-25", "2026-07-28")) {
            try (PeregrineClient c = PeregrineClient.builder().url(url(transport)).tls(trusting).protocolVersion(version)
                    .connect()) {
                assertThat(c.callTool("echo", Map.of("message", "sealed")).text()).isEqualTo("sealed");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wss", "https"})
    void refusesAServerTheDefaultRootsDoNotVouchFor(String transport) {
        assertThatThrownBy(() -> PeregrineClient.builder().url(url(transport)).connect().close())
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot connect to " + url(transport))
                .hasMessageContaining("SSLHandshakeException");
    }

    @Test
    void aUrlWithoutTlsGetsNoTls() throws Exception {
        // Plain ws:// to a TLS listener: the handshake cannot succeed, and connecting says so.
        assertThatThrownBy(() -> PeregrineClient.builder().url("ws://localhost:" + addresses.http().getPort() + "/mcp")
                .connectTimeout(java.time.Duration.ofSeconds(5)).connect().close())
                .isInstanceOf(IOException.class);
    }
}
