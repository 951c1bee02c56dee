package io.peregrine.gateway;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.peregrine.transport.tls.PemFiles;

import javax.net.ssl.SSLException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import static java.util.Objects.requireNonNull;

/**
 * How the gateway secures its links to one upstream ({@code https://}, {@code wss://}, and
 * {@code tcp://}, which speaks TLS once any of this is set): the CAs its certificate must chain to
 * instead of the JDK's trusted roots, a client certificate for upstreams that require one (mTLS),
 * and, for development only, no verification at all. Verification of the chain and of the host
 * name is on unless switched off. The files are read when it is made, so that a missing file, a
 * file that is not PEM or a key that does not match its certificate stops start-up; one context
 * is then shared by every replica of the upstream.
 */
public final class UpstreamTls {

    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;
    private final boolean verify;
    private final SslContext context;

    private UpstreamTls(Path caFile, Path certFile, Path keyFile, boolean verify) {
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.verify = verify;
        this.context = build();
    }

    /** Verifying the upstream against the CAs in {@code caFile} (PEM) instead of the JDK's trusted roots. */
    public static UpstreamTls trusting(Path caFile) {
        return new UpstreamTls(requireNonNull(caFile, "caFile"), null, null, true);
    }

    /** Verifying the upstream against the JDK's trusted roots (or {@link #trusting} ones). */
    public static UpstreamTls verifying() {
        return new UpstreamTls(null, null, null, true);
    }

    /**
     * No verification at all: any certificate, any host name. For development against an upstream
     * with a throwaway certificate; the gateway logs a warning naming the upstream at start.
     */
    public static UpstreamTls unverified() {
        return new UpstreamTls(null, null, null, false);
    }

    /**
     * The same, presenting the certificate chain in {@code certFile} with the PKCS#8 key in
     * {@code keyFile} (both PEM) to upstreams that ask for client certificates.
     *
     * @throws IllegalArgumentException naming the file when one cannot be read or the key does not match
     */
    public UpstreamTls withClientCertificate(Path certFile, Path keyFile) {
        return new UpstreamTls(caFile, requireNonNull(certFile, "certFile"), requireNonNull(keyFile, "keyFile"), verify);
    }

    /** The trusted CAs' file, or null for the JDK's trusted roots. */
    public Path caFile() {
        return caFile;
    }

    /** The client certificate's file, or null when none is presented. */
    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Whether the upstream's certificate chain and host name are verified. */
    public boolean verify() {
        return verify;
    }

    /** The client context the links use. */
    SslContext context() {
        return context;
    }

    private SslContext build() {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (!verify) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            b.endpointIdentificationAlgorithm("HTTPS");
            if (caFile != null) {
                b.trustManager(PemFiles.certificates(caFile));
            }
        }
        if (certFile != null) {
            X509Certificate[] chain = PemFiles.certificates(certFile);
            PrivateKey key = PemFiles.privateKey(keyFile);
            PemFiles.checkPair(chain[0], key, certFile, keyFile);
            b.keyManager(key, chain);
        }
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("TLS : " + e.getMessage(), e);
        }
    }

    /** For logs: files by path, never their content. */
    @Override
    public String toString() {
        return "tls(" + (verify ? "verify, trusting " + (caFile != null ? caFile : "the JDK's roots") : "NOT verified")
                + (certFile != null ? ", client certificate " + certFile : "") + ")";
    }
}
