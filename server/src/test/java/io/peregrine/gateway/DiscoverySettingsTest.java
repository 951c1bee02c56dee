package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigLoader;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.gateway.discovery.ConsulDiscovery;
import io.peregrine.gateway.discovery.ConsulRegistration;
import io.peregrine.gateway.discovery.DnsDiscovery;
import io.peregrine.gateway.discovery.EtcdDiscovery;
import io.peregrine.gateway.discovery.EtcdRegistration;
import io.peregrine.gateway.discovery.Registration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The discovery and registration keys read into their objects, the errors that name a key, and start-up with a source that finds nothing. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiscoverySettingsTest {

    private static List<UpstreamSpec> upstreams(Map<String, String> env, String... sets) {
        return UpstreamSettings.from(ConfigLoader.load(null, env, List.of(sets)), env);
    }

    @Test
    void eachKindIsReadFromItsKeys() {
        Map<String, String> env = Map.of("CONSUL_TOKEN", "t0ken", "PEREGRINE_GATEWAY_UPSTREAMS_E_DISCOVERY_ETCD_PREFIX", "/x/");
        List<UpstreamSpec> specs = upstreams(env,
                "gateway.upstreams.d.discovery=dns", "gateway.upstreams.d.discovery.dns.name=_mcp._tcp.w.test",
                "gateway.upstreams.d.discovery.dns.srv=true", "gateway.upstreams.d.discovery.dns.resolver=127.0.0.1:5353",
                "gateway.upstreams.d.discovery.dns.min-refresh=500ms", "gateway.upstreams.d.discovery.dns.max-refresh=5s",
                "gateway.upstreams.c.discovery=consul", "gateway.upstreams.c.discovery.consul.tag=mcp",
                "gateway.upstreams.c.discovery.consul.token-env=CONSUL_TOKEN", "gateway.upstreams.c.discovery.consul.wait=10s",
                "gateway.upstreams.e.discovery=etcd",
                "gateway.upstreams.s.url=tcp://127.0.0.1:1");
        Map<String, UpstreamSpec> byName = new java.util.HashMap<>();
        specs.forEach(u -> byName.put(u.name(), u));
        DnsDiscovery dns = (DnsDiscovery) byName.get("d").discovery();
        assertThat(dns.srv()).isTrue();
        assertThat(dns.name()).isEqualTo("_mcp._tcp.w.test");
        assertThat(dns.resolver()).isEqualTo(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(dns.minRefresh()).isEqualTo(Duration.ofMillis(500));
        assertThat(dns.maxRefresh()).isEqualTo(Duration.ofSeconds(5));
        assertThat(byName.get("d").urls()).isEmpty();
        ConsulDiscovery consul = (ConsulDiscovery) byName.get("c").discovery();
        assertThat(consul.service()).as("the upstream's name by default").isEqualTo("c");
        assertThat(consul.tag()).isEqualTo("mcp");
        assertThat(consul.waitTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(consul.address().toString()).isEqualTo("http://127.0.0.1:8500");
        EtcdDiscovery etcd = (EtcdDiscovery) byName.get("e").discovery();
        assertThat(etcd.prefix()).isEqualTo("/x/");
        assertThat(etcd.endpoints()).extracting(Object::toString).containsExactly("http://127.0.0.1:2379");
        assertThat(byName.get("s").discovery()).isNull();
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.d.discovery=dns"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.d.discovery.dns.name");
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.d.discovery=dns", "gateway.upstreams.d.discovery.dns.name=w.test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.d.discovery.dns.port");
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.d.discovery=dns", "gateway.upstreams.d.discovery.dns.name=w.test",
                "gateway.upstreams.d.discovery.dns.port=80", "gateway.upstreams.d.discovery.consul.tag=x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.d.discovery.consul.tag is set but");
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.d.url=tcp://h:1", "gateway.upstreams.d.discovery.etcd.prefix=/x/"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is static");
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.c.discovery=consul", "gateway.upstreams.c.discovery.consul.token-env=NOPE"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NOPE, which is not set");
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.c.discovery=consul", "gateway.upstreams.c.command=cat"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> upstreams(Map.of(), "gateway.upstreams.d.discovery=dnz"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.d.discovery");
    }

    @Test
    void registrationsAreReadWhenTheirAddressIsSet() {
        PeregrineConfig none = ConfigLoader.load(null, Map.of(), List.of());
        assertThat(RegistrationSettings.from(none, Map.of())).isEmpty();
        Map<String, String> env = Map.of("CT", "x");
        PeregrineConfig both = ConfigLoader.load(null, env, List.of("registration.consul.address=http://127.0.0.1:8500",
                "registration.consul.tags=mcp,prod", "registration.consul.token-env=CT",
                "registration.etcd.endpoints=http://127.0.0.1:2379", "registration.etcd.lease-ttl=5s"));
        List<Registration> rs = RegistrationSettings.from(both, env);
        assertThat(rs).hasSize(2);
        assertThat(rs.get(0)).isInstanceOf(ConsulRegistration.class);
        assertThat(rs.get(1)).isInstanceOf(EtcdRegistration.class);
        assertThatThrownBy(() -> RegistrationSettings.from(ConfigLoader.load(null, Map.of(),
                List.of("registration.consul.address=http://h:8500", "registration.consul.token-env=NOPE")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("registration.consul.token-env");
    }

    @Test
    void startUpDoesNotWaitForASourceThatFindsNothing() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        // Nothing listens there: every lookup fails, so the upstream starts with no endpoints.
        UpstreamSpec spec = UpstreamSpec.builder("svc").connectTimeout(Duration.ofMillis(800))
                .discovery(ConsulDiscovery.builder("http://127.0.0.1:" + closed, "svc").build()).build();
        long start = System.nanoTime();
        try (Peregrine gateway = Peregrine.builder().tcp("127.0.0.1", 0).upstream(spec).build()) {
            gateway.start();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("discovery: start-up with a source that finds nothing took %d ms (connect timeout 800 ms)%n", took);
            assertThat(took).as("start-up with a source that finds nothing").isLessThan(10_000); // without the bound: connect + call timeout, 30.8 s
            assertThat(gateway.gateway().failure("svc")).contains("no endpoints");
        }
    }
}
