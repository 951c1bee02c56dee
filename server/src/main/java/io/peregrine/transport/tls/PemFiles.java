package io.peregrine.transport.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys read from PEM files, for every TLS context Peregrine builds: its
 * listeners ({@link TlsContext}) and the links it opens (a gateway's upstreams). Each failure is an
 * {@link IllegalArgumentException} that names the file and says what is wrong with it, so that a
 * bad file stops start-up with a reason instead of failing the first handshake. Key material never
 * appears in a message.
 */
public final class PemFiles {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    /** The certificates of {@code file}, at least one: a chain (leaf first) or a bundle of CAs. */
    public static X509Certificate[] certificates(Path file) {
        byte[] pem = read(file);
        try {
            Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            if (all.isEmpty()) {
                throw new IllegalArgumentException(file + " : no certificate in it (expected: PEM BEGIN CERTIFICATE blocks)");
            }
            return all.toArray(new X509Certificate[0]);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " : not a PEM certificate file (" + e.getMessage() + ")", e);
        }
    }

    /** The private key of {@code file}: PEM, PKCS#8 ({@code BEGIN PRIVATE KEY}), unencrypted; RSA, EC or EdDSA. */
    public static PrivateKey privateKey(Path file) {
        Matcher m = PKCS8.matcher(new String(read(file), StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException(file + " : no private key in it (expected: an unencrypted PKCS#8 PEM key, "
                    + "BEGIN PRIVATE KEY; convert others with openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " : the private key is not valid base64", e);
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // The next algorithm.
            }
        }
        throw new IllegalArgumentException(file + " : the private key cannot be decoded (expected: RSA, EC or EdDSA)");
    }

    /**
     * Checks that {@code key} is the private half of {@code certificate}'s public key, by signing
     * with one and verifying with the other: a certificate renewed without its key otherwise only
     * shows when a peer fails the handshake.
     *
     * @throws IllegalArgumentException when they do not match
     */
    public static void checkPair(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile) {
        PublicKey pub = certificate.getPublicKey();
        String mismatch = keyFile + " : the private key does not match the certificate in " + certFile;
        if (!sameFamily(pub.getAlgorithm(), key.getAlgorithm())) {
            throw new IllegalArgumentException(mismatch + " (a " + key.getAlgorithm() + " key for a "
                    + pub.getAlgorithm() + " certificate)");
        }
        String algorithm = signature(key.getAlgorithm());
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signed = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (!verifier.verify(signed)) {
                throw new IllegalArgumentException(mismatch);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(mismatch + " (" + e.getMessage() + ")", e);
        }
    }

    private static boolean sameFamily(String a, String b) {
        return family(a).equals(family(b));
    }

    private static String family(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT);
        return a.equals("ED25519") || a.equals("ED448") ? "EDDSA" : a;
    }

    /** A signature the key's algorithm makes, or null when there is no simple one (RSASSA-PSS needs parameters). */
    private static String signature(String keyAlgorithm) {
        switch (family(keyAlgorithm)) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            case "EDDSA":
                return keyAlgorithm;
            default:
                return null;
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " : cannot be read (" + e.getClass().getSimpleName()
                    + (e.getMessage() != null && !e.getMessage().equals(file.toString()) ? ": " + e.getMessage() : "")
                    + ")", e);
        }
    }
}
