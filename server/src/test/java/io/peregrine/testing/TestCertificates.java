package io.peregrine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made with the JDK's keytool, written as the PEM files a listener is
 * configured with: {@code <name>.crt} (the certificate) and {@code <name>.key} (PKCS#8).
 */
public final class TestCertificates {

    public final Path cert;
    public final Path key;
    public final X509Certificate certificate;

    private TestCertificates(Path cert, Path key, X509Certificate certificate) {
        this.cert = cert;
        this.key = key;
        this.certificate = certificate;
    }

    /** A certificate for {@code commonName}, valid for 127.0.0.1 and localhost. */
    public static TestCertificates create(Path dir, String name, String commonName) throws Exception {
        return create(dir, name, commonName, "ip:127.0.0.1,dns:localhost");
    }

    /** A certificate for {@code commonName}, valid for the subject alternative names {@code san} (keytool's form). */
    public static TestCertificates create(Path dir, String name, String commonName, String san) throws Exception {
        Path store = dir.resolve(name + "-" + System.nanoTime() + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + commonName, "-ext", "SAN=" + san,
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
        X509Certificate certificate = (X509Certificate) ks.getCertificate(name);
        PrivateKey privateKey = (PrivateKey) ks.getKey(name, "changeit".toCharArray());
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        write(cert, "CERTIFICATE", certificate.getEncoded());
        write(key, "PRIVATE KEY", privateKey.getEncoded());
        return new TestCertificates(cert, key, certificate);
    }

    private static void write(Path file, String type, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
