package io.peregrine.transport.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The server side of TLS for a listener: certificate chain and private key from PEM files, an
 * optional CA bundle to verify client certificates against (mTLS), and the provider: the JDK's
 * by default, OpenSSL (BoringSSL) when {@code netty-tcnative-boringssl-static} is on the class
 * path and asked for.
 *
 * <h2>Reload without restart</h2>
 * Certificates are renewed on disk (cert-manager, certbot) while the server runs. Each new
 * connection asks for a handler; at most once per reload interval that looks at the files'
 * modification times and sizes, and when any changed, builds a new context from them. New
 * connections get the new certificate; open ones keep the one they shook hands with. A
 * half-written or invalid file keeps the old context and logs why, so a botched renewal never
 * takes the listener down. No thread of its own: the check is a few {@code stat} calls on the
 * accepting event loop, once per interval.
 */
public final class TlsContext {

    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);

    /** Which TLS implementation to use. */
    public enum Provider { JDK, OPENSSL }

    private final Path certFile;
    private final Path keyFile;
    private final Path trustFile;
    private final ClientAuth clientAuth;
    private final SslProvider provider;
    private final long reloadIntervalNanos;
    private final LongSupplier nanoClock;
    private volatile SslContext context;
    private volatile String stamp;
    private volatile long nextCheck;

    private TlsContext(Builder b) throws SSLException {
        this.certFile = b.certFile;
        this.keyFile = b.keyFile;
        this.trustFile = b.trustFile;
        this.clientAuth = b.clientAuth;
        this.provider = b.provider == Provider.OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK;
        this.reloadIntervalNanos = b.reloadInterval.toNanos();
        this.nanoClock = b.nanoClock;
        this.stamp = stamp();
        this.context = build();
        this.nextCheck = nanoClock.getAsLong() + reloadIntervalNanos;
    }

    public static Builder builder(Path certFile, Path keyFile) {
        return new Builder(certFile, keyFile);
    }

    /** A handler for a new connection, with the newest valid certificate. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        long now = nanoClock.getAsLong();
        if (reloadIntervalNanos > 0 && now - nextCheck >= 0) {
            nextCheck = now + reloadIntervalNanos;
            reloadIfChanged();
        }
        return context.newHandler(alloc);
    }

    /**
     * Rebuilds the context when the files changed since it was built.
     *
     * @return whether a new context is in use
     */
    public synchronized boolean reloadIfChanged() {
        String now = stamp();
        if (now.equals(stamp)) {
            return false;
        }
        try {
            SslContext next = build();
            context = next;
            stamp = now;
            log.info("TLS certificate reloaded from {}", certFile);
            return true;
        } catch (SSLException | RuntimeException e) {
            log.warn("TLS certificate files {} changed but cannot be loaded ({}); keeping the previous certificate",
                    certFile, e.toString());
            return false;
        }
    }

    /** Whether client certificates are asked for. */
    public boolean wantsClientCertificates() {
        return clientAuth != ClientAuth.NONE;
    }

    public String provider() {
        return provider.name();
    }

    private SslContext build() throws SSLException {
        try {
            X509Certificate[] chain = PemFiles.certificates(certFile);
            PrivateKey key = PemFiles.privateKey(keyFile);
            PemFiles.checkPair(chain[0], key, certFile, keyFile);
            SslContextBuilder b = SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider)
                    .clientAuth(clientAuth);
            if (trustFile != null) {
                b.trustManager(PemFiles.certificates(trustFile));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot load " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private String stamp() {
        StringBuilder sb = new StringBuilder();
        for (Path p : new Path[] {certFile, keyFile, trustFile}) {
            if (p == null) {
                continue;
            }
            try {
                sb.append(Files.getLastModifiedTime(p).toMillis()).append('/').append(Files.size(p)).append(';');
            } catch (IOException e) {
                sb.append("missing;");
            }
        }
        return sb.toString();
    }

    /** Configures a {@link TlsContext}. */
    public static final class Builder {
        private final Path certFile;
        private final Path keyFile;
        private Path trustFile;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Provider provider = Provider.JDK;
        private Duration reloadInterval = Duration.ofSeconds(30);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder(Path certFile, Path keyFile) {
            this.certFile = Objects.requireNonNull(certFile, "certFile");
            this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
        }

        /**
         * Asks clients for certificates signed by a CA in {@code trustFile} (PEM);
         * {@code required} refuses the handshake of clients without one.
         */
        public Builder clientCertificates(Path trustFile, boolean required) {
            this.trustFile = Objects.requireNonNull(trustFile, "trustFile");
            this.clientAuth = required ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL;
            return this;
        }

        /** JDK (default) or OPENSSL, which needs netty-tcnative-boringssl-static on the class path. */
        public Builder provider(Provider provider) {
            Objects.requireNonNull(provider, "provider");
            if (provider == Provider.OPENSSL && !OpenSsl.isAvailable()) {
                throw new IllegalArgumentException("tls provider : openssl (expected: netty-tcnative-boringssl-static on "
                        + "the class path; it is not: " + OpenSsl.unavailabilityCause() + ")");
            }
            this.provider = provider;
            return this;
        }

        /** How often new connections look for renewed files (zero: never); default 30 s. */
        public Builder reloadInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("reloadInterval : " + interval + " (expected: >= 0)");
            }
            this.reloadInterval = interval;
            return this;
        }

        /** The clock of the reload interval; for tests. */
        public Builder nanoClock(LongSupplier clock) {
            this.nanoClock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Loads the files now: a bad certificate or key stops start-up, not the first handshake. */
        public TlsContext build() {
            for (Path p : new Path[] {certFile, keyFile, trustFile}) {
                if (p != null && !Files.isReadable(p)) {
                    throw new IllegalArgumentException("TLS file : " + p + " (expected: a readable PEM file)");
                }
            }
            try {
                return new TlsContext(this);
            } catch (SSLException e) {
                throw new IllegalArgumentException("TLS : " + e.getMessage() + " (expected: a PEM certificate chain "
                        + "and its PKCS#8 private key)", e);
            }
        }
    }
}
