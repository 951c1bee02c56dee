package io.peregrine.gateway;

import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.ConfigReference;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway.upstreams.<name>.* keys: YAML, --set and the environment, and what a bad value says. */
class UpstreamSettingsTest {

    @Test
    void upstreamsAreReadFromTheFileTheEnvironmentAndSet(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, String.join("\n",
                "gateway:",
                "  upstreams:",
                "    weather:",
                "      url: http://127.0.0.1:9001/mcp, http://127.0.0.1:9002/mcp",
                "      prefix-mode: collision",
                "      tools:",
                "        include: forecast*, alerts",
                "        exclude: forecast_debug",
                "      call-timeout: 2s",
                "      max-in-flight: 8",
                "      headers:",
                "        X-Tenant: acme",
                "      header-env:",
                "        Authorization: WEATHER_TOKEN",
                "    every:",
                "      command: npx -y @modelcontextprotocol/server-everything stdio",
                "      env:",
                "        DEBUG: '1'",
                ""));
        Map<String, String> env = Map.of("WEATHER_TOKEN", "Bearer s3cret",
                "PEREGRINE_GATEWAY_UPSTREAMS_PERI_URL", "tcp://127.0.0.1:7500",
                "PEREGRINE_GATEWAY_UPSTREAMS_PERI_CALL_TIMEOUT", "750ms",
                "PEREGRINE_GATEWAY_UPSTREAMS_EVERY_ENV_LOG_LEVEL", "debug");
        PeregrineConfig c = ConfigLoader.load(file, env, List.of("gateway.upstreams.weather.connect-timeout=3s",
                "gateway.upstreams.peri.prefix=p"));
        List<UpstreamSpec> specs = UpstreamSettings.from(c, env);
        assertThat(specs).extracting(UpstreamSpec::name).containsExactly("weather", "every", "peri");

        UpstreamSpec weather = specs.get(0);
        assertThat(weather.urls()).containsExactly("http://127.0.0.1:9001/mcp", "http://127.0.0.1:9002/mcp");
        assertThat(weather.prefixMode()).isEqualTo(PrefixMode.COLLISION);
        assertThat(weather.tools().admits("forecast_week")).isTrue();
        assertThat(weather.tools().admits("forecast_debug")).isFalse();
        assertThat(weather.tools().admits("alerts")).isTrue();
        assertThat(weather.tools().admits("radar")).isFalse();
        assertThat(weather.callTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(weather.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(weather.maxInFlight()).isEqualTo(8);
        assertThat(weather.headers()).containsEntry("X-Tenant", "acme").containsEntry("Authorization", "Bearer s3cret");
        assertThat(weather.protocolVersion()).isNull();

        UpstreamSpec every = specs.get(1);
        assertThat(every.command()).isEqualTo("npx -y @modelcontextprotocol/server-everything stdio");
        assertThat(every.environment()).containsEntry("DEBUG", "1").containsEntry("LOG_LEVEL", "debug");
        assertThat(every.prefix()).isEqualTo("every");

        UpstreamSpec peri = specs.get(2);
        assertThat(peri.urls()).containsExactly("tcp://127.0.0.1:7500");
        assertThat(peri.callTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(peri.prefix()).isEqualTo("p");
        assertThat(c.explicitKeys()).contains("gateway.upstreams.peri.url", "gateway.upstreams.weather.url");
        assertThat(c.unreadKeys()).noneMatch(k -> k.startsWith("gateway.upstreams."));
    }

    @Test
    void resourceUrisAreKeptUnlessTheUpstreamOrTheGatewaySaysRewrite() {
        List<String> two = List.of("gateway.upstreams.a.url=tcp://x:1", "gateway.upstreams.b.url=tcp://x:2",
                "gateway.upstreams.b.resource-uris=rewrite");
        assertThat(UpstreamSettings.from(ConfigLoader.load(null, Map.of(), two), Map.of()))
                .extracting(UpstreamSpec::resourceUris).containsExactly(ResourceUriMode.KEEP, ResourceUriMode.REWRITE);
        List<String> rewriting = List.of("gateway.resource-uris=rewrite",
                "gateway.upstreams.a.url=tcp://x:1", "gateway.upstreams.b.url=tcp://x:2", "gateway.upstreams.b.resource-uris=keep");
        assertThat(UpstreamSettings.from(ConfigLoader.load(null, Map.of(), rewriting), Map.of()))
                .extracting(UpstreamSpec::resourceUris).containsExactly(ResourceUriMode.REWRITE, ResourceUriMode.KEEP);
    }

    @Test
    void badValuesSayWhatToDo() {
        assertThat(error(List.of("gateway.upstreams.a.url=ftp://x"))).contains("gateway.upstreams.a.url")
                .contains("tcp://, ws://, wss://, http:// or https://");
        assertThat(error(List.of("gateway.upstreams.a.b.url=tcp://x:1"))).contains("unknown key");
        assertThat(error(List.of("gateway.upstreams.a%b.url=tcp://x:1"))).contains("1 to 32 of A-Z a-z 0-9 _ -");
        assertThat(error(List.of("gateway.upstreams.a.urll=tcp://x:1"))).contains("did you mean \"gateway.upstreams.a.url\"");
        assertThat(error(List.of("gateway.upstreams.a.prefix-mode=sometimes"))).contains("always, collision or never");
        assertThat(error(List.of("gateway.upstreams.a.resource-uris=mangle"))).contains("gateway.upstreams.a.resource-uris")
                .contains("empty, keep or rewrite");
        assertThat(error(List.of("gateway.resource-uris=mangle"))).contains("gateway.resource-uris").contains("keep or rewrite");
        assertThat(error(List.of("gateway.upstreams.a.call-timeout=0"))).contains("call-timeout").contains("positive duration");
        assertThat(error(List.of("gateway.upstreams.a.max-in-flight=0"))).contains("an integer from 1 to 100000");
        assertThat(error(List.of("gateway.upstreams.a.protocol-version=2024-11-05"))).contains("negotiate, 2025-03-26");
        assertThat(error(List.of("gateway.upstreams.a.call-timeout=1s"))).contains("has neither gateway.upstreams.a.url nor");
        assertThat(error(List.of("gateway.upstreams.a.url=tcp://x:1", "gateway.upstreams.a.command=x")))
                .contains("has both");
        assertThat(error(List.of("gateway.upstreams.a.url=tcp://x:1", "gateway.upstreams.a.headers.Authorization=Bearer x")))
                .contains("must not be written in the configuration").contains("header-env.Authorization");
        assertThat(error(List.of("gateway.upstreams.a.url=tcp://x:1", "gateway.upstreams.a.header-env.X-Api-Key=NOT_SET_ANYWHERE")))
                .contains("NOT_SET_ANYWHERE, which is not set");
        assertThat(error(List.of("gateway.upstreams.a.url=tcp://x:1", "gateway.upstreams.a.env.X=1")))
                .contains("has no command");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PEREGRINE_GATEWAY_UPSTREAMS_A_URLL", "tcp://x:1"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PEREGRINE_GATEWAY_UPSTREAMS_A_URLL names no key");
    }

    @Test
    void environmentNamesMapBackToKeys() {
        assertThat(ConfigKey.nameOfEnvironmentVariable("PEREGRINE_GATEWAY_UPSTREAMS_MY_PERI_URL"))
                .isEqualTo("gateway.upstreams.my_peri.url");
        assertThat(ConfigKey.nameOfEnvironmentVariable("PEREGRINE_GATEWAY_UPSTREAMS_PERI_MAX_IN_FLIGHT_WAIT"))
                .isEqualTo("gateway.upstreams.peri.max-in-flight-wait");
        assertThat(ConfigKey.nameOfEnvironmentVariable("PEREGRINE_GATEWAY_UPSTREAMS_W_HEADERS_X_TENANT"))
                .isEqualTo("gateway.upstreams.w.headers.X-TENANT");
        assertThat(ConfigKey.nameOfEnvironmentVariable("PEREGRINE_TCP_PORT")).isNull();
        assertThat(ConfigKey.UPSTREAM_URL.envName()).isEqualTo("PEREGRINE_GATEWAY_UPSTREAMS_<name>_URL");
    }

    @Test
    void theReferenceListsTheUpstreamKeys() {
        String page = ConfigReference.render();
        for (ConfigKey<?> key : ConfigKey.templates().values()) {
            assertThat(page).contains("| `" + key.name() + "`<br>`" + key.envName() + "` |");
        }
        assertThat(page).contains("## The gateway: upstream MCP servers (`gateway.*`)");
    }

    @Test
    void tlsAndH2cKeysAreReadAndBadFilesStopStartUpNamingTheirKey(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.create(dir, "ca", "localhost");
        TestCertificates client = TestCertificates.create(dir, "client", "client");
        String at = "gateway.upstreams.s.";
        UpstreamSpec s = UpstreamSettings.from(ConfigLoader.load(null, Map.of(), List.of(at + "url=https://127.0.0.1:1/mcp",
                at + "tls.ca-file=" + ca.cert, at + "tls.cert-file=" + client.cert, at + "tls.key-file=" + client.key)),
                Map.of()).get(0);
        assertThat(s.tls().caFile()).isEqualTo(ca.cert);
        assertThat(s.tls().certFile()).isEqualTo(client.cert);
        assertThat(s.tls().verify()).isTrue();
        assertThat(s.h2c()).isFalse();
        assertThat(s.tls().toString()).contains(client.cert.toString()).doesNotContain("BEGIN");

        Map<String, String> env = Map.of("PEREGRINE_GATEWAY_UPSTREAMS_P_URL", "http://127.0.0.1:1/mcp",
                "PEREGRINE_GATEWAY_UPSTREAMS_P_H2C", "true",
                "PEREGRINE_GATEWAY_UPSTREAMS_Q_URL", "wss://127.0.0.1:1/mcp",
                "PEREGRINE_GATEWAY_UPSTREAMS_Q_TLS_VERIFY", "false");
        List<UpstreamSpec> fromEnv = UpstreamSettings.from(ConfigLoader.load(null, env, List.of()), env);
        assertThat(fromEnv.get(0).h2c()).isTrue();
        assertThat(fromEnv.get(0).tls()).isNull();
        assertThat(fromEnv.get(1).tls().verify()).isFalse();
        UpstreamSpec plain = UpstreamSettings.from(ConfigLoader.load(null, Map.of(), List.of(at + "url=https://127.0.0.1:1/mcp")),
                Map.of()).get(0);
        assertThat(plain.tls()).as("the defaults: the JDK's roots, verified").isNull();

        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        String https = at + "url=https://127.0.0.1:1/mcp";
        assertThat(error(List.of(https, at + "tls.ca-file=" + dir.resolve("absent.pem"))))
                .startsWith(at + "tls.ca-file: ").contains("absent.pem").contains("cannot be read");
        assertThat(error(List.of(https, at + "tls.ca-file=" + notPem))).startsWith(at + "tls.ca-file: ").contains("not.pem");
        assertThat(error(List.of(https, at + "tls.cert-file=" + client.cert, at + "tls.key-file=" + ca.key)))
                .startsWith(at + "tls.key-file: ").contains("does not match the certificate in " + client.cert);
        assertThat(error(List.of(https, at + "tls.cert-file=" + client.cert, at + "tls.key-file=" + client.cert)))
                .startsWith(at + "tls.key-file: ").contains("no private key");
        assertThat(error(List.of(https, at + "tls.cert-file=" + notPem, at + "tls.key-file=" + client.key)))
                .startsWith(at + "tls.cert-file: ");
        assertThat(error(List.of(https, at + "tls.cert-file=" + client.cert)))
                .startsWith(at + "tls.key-file: \"\"").contains("needs both");
        assertThat(error(List.of(https, at + "tls.verify=false", at + "tls.ca-file=" + ca.cert)))
                .contains(at + "tls.ca-file is set but " + at + "tls.verify is false");
        assertThat(error(List.of(https, at + "h2c=true"))).startsWith(at + "h2c: ").contains("not an http:// URL");
        assertThat(error(List.of(at + "url=http://127.0.0.1:1/mcp", at + "tls.ca-file=" + ca.cert))).contains("cleartext");
        String keyLine = Files.readAllLines(client.key).get(1);
        assertThat(error(List.of(https, at + "tls.cert-file=" + ca.cert, at + "tls.key-file=" + client.key)))
                .as("no key material in messages").doesNotContain(keyLine);
    }

    private static String error(List<String> sets) {
        try {
            UpstreamSettings.from(ConfigLoader.load(null, Map.of(), sets), Map.of());
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + sets);
    }
}
