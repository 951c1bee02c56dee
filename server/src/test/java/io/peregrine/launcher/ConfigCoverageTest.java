package io.peregrine.launcher;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import io.peregrine.policy.redis.RedisServer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every configuration key reaches the server the launcher builds: none is parsed and then forgotten. */
class ConfigCoverageTest {

    /** Values for the string keys, which have no "other value" to derive. */
    private static final Map<String, String> STRINGS = Map.ofEntries(
            Map.entry("server.name", "renamed"),
            Map.entry("server.version", "9.9.9"),
            Map.entry("server.instructions", "Be brief."),
            Map.entry("tcp.host", "127.0.0.2"),
            Map.entry("http.host", "127.0.0.3"),
            Map.entry("http.allowed-origins", "https://example.com"),
            Map.entry("ws.path", "/elsewhere"),
            Map.entry("client-requests.state-key", "a-key-of-sixteen-or-more"),
            Map.entry("gateway.session-key", "a-session-key-of-sixteen-or-more"),
            Map.entry("metrics.path", "/scrape"),
            Map.entry("admin.host", "127.0.0.4"));

    /** Each server key, set through the configuration, arrives in the built server's settings. */
    @Test
    void everyServerKeyChangesTheBuiltServersSettings() {
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            if (key.scope() != ConfigKey.Scope.SERVER) {
                continue;
            }
            String value = otherValue(key);
            PeregrineConfig defaults = ConfigLoader.load(null, Map.of(), List.of("demo.enabled=false"));
            PeregrineConfig changed = ConfigLoader.load(null, Map.of(), List.of("demo.enabled=false", key.name() + "=" + value));
            try (Peregrine before = Main.build(defaults, Map.of(), null, null);
                 Peregrine after = Main.build(changed, Map.of(), null, null)) {
                assertThat(after.settings().get(key)).as(key.name()).isEqualTo(changed.get(key))
                        .isNotEqualTo(before.settings().get(key));
            }
        }
    }

    /** A value of {@code key} other than its default, as a configuration file writes it. */
    private static <T> String otherValue(ConfigKey<T> key) {
        T def = key.defaultValue();
        switch (key.type()) {
            case BOOLEAN:
                return String.valueOf(!(Boolean) def);
            case DURATION:
                return ((Duration) def).plusSeconds(1).toMillis() + "ms";
            case INT:
            case SIZE:
                String[] bounds = key.bounds().split(" to ");
                String other = bounds[0].equals(key.format(def)) ? bounds[1] : bounds[0];
                return other;
            default:
                assertThat(STRINGS).as("a value for " + key.name()).containsKey(key.name());
                return STRINGS.get(key.name());
        }
    }

    /**
     * With every feature on (both listeners authenticated, TLS with client certificates, every
     * limit shared through a real Redis, the demo, tracing) and logging configured as the launcher does, building the server
     * reads every key there is.
     */
    @Test
    void aServerWithEverythingOnReadsEveryKey(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            everythingOn(dir, redis);
        }
    }

    private static void everythingOn(Path dir, RedisServer redis) throws Exception {
        Path keys = dir.resolve("api-keys");
        Files.writeString(keys, "alice 0123456789abcdef0123456789abcdef tool:*\n");
        Path[] pem = selfSigned(dir);
        List<String> sets = new ArrayList<>(List.of(
                "tcp.auth=api-key", "auth.api-keys-file=" + keys,
                "http.auth=jwt", "auth.jwt.audience=peregrine", "auth.roles=admin=tool:*",
                "tcp.tls=true", "http.tls=true", "tls.cert-file=" + pem[0], "tls.key-file=" + pem[1],
                "tls.client-auth=optional", "tls.client-ca-file=" + pem[0], "auth.client-certificates=ops=tool:*",
                "limits.global=1000/1s", "limits.per-principal=100/1s", "limits.per-tool=echo=10/1s",
                "limits.per-principal-tool=echo=5/1s", "limits.per-connection=50/1s",
                "demo.fs.root=" + dir, "redis.uri=" + redis.uri(), "redis.cluster=false", "limits.shared-mode=lease",
                "tracing.enabled=true", "tracing.endpoint=http://127.0.0.1:9/v1/traces"));
        PeregrineConfig config = ConfigLoader.load(null,
                Map.of("PEREGRINE_JWT_SECRET", "a-test-secret-that-is-long-enough-for-hs256!"), sets);
        // What Main.start does before it builds: the log.* keys configure logging.
        OpsSetup.logSettings(config);
        try (Peregrine server = Main.build(config, Map.of("PEREGRINE_JWT_SECRET",
                "a-test-secret-that-is-long-enough-for-hs256!"), null, null)) {
            assertThat(config.unreadKeys()).as("keys the launcher never read").isEmpty();
            assertThat(server.tools().size()).isPositive();
        }
    }

    /** A certificate and its key as PEM files, made with the JDK's keytool. */
    private static Path[] selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("server").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", ks.getKey("server", "changeit".toCharArray()).getEncoded()));
        return new Path[] {cert, key};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
