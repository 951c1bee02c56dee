package io.peregrine.gateway.discovery;

import io.peregrine.Peregrine;
import io.peregrine.gateway.UpstreamSpec;
import io.peregrine.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DNS discovery against a real dnsmasq on a loopback port, with real Peregrine upstream servers:
 * SRV and A records added and removed while four clients call through the gateway. No call may
 * fail, and a new endpoint must take calls within the refresh interval (plus its connection).
 */
@Timeout(value = 50, unit = TimeUnit.SECONDS)
class DnsDiscoveryTest {

    private static final Duration MIN_REFRESH = Duration.ofMillis(200);
    private static final Duration MAX_REFRESH = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private static Peregrine gateway(DnsDiscovery discovery) throws InterruptedException {
        Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("svc").discovery(discovery).build()).build();
        g.start();
        return g;
    }

    private static List<String> srv(Replicas.Replica... rs) {
        List<String> out = new java.util.ArrayList<>();
        for (Replicas.Replica r : rs) {
            out.add("_mcp._tcp.svc.test," + r.id + ".svc.test," + r.port());
        }
        return out;
    }

    @Test
    void srvRecordsAddedAndRemovedUnderLoadLoseNoCall() throws Exception {
        try (Replicas replicas = new Replicas(); Dnsmasq dns = new Dnsmasq(dir)) {
            Replicas.Replica up1 = replicas.start("up1", "127.0.0.1", 0);
            Replicas.Replica up2 = replicas.start("up2", "127.0.0.1", 0);
            Replicas.Replica up3 = replicas.start("up3", "127.0.0.1", 0);
            List<String> records = List.of("up1.svc.test,127.0.0.1", "up2.svc.test,127.0.0.1", "up3.svc.test,127.0.0.1");
            dns.start(srv(up1, up2), records);
            DnsDiscovery discovery = DnsDiscovery.builder("_mcp._tcp.svc.test").srv(true).resolver(dns.address())
                    .target("tcp", "").refresh(MIN_REFRESH, MAX_REFRESH).build();
            try (Peregrine gateway = gateway(discovery); Load load = new Load(gateway, 4, Duration.ofSeconds(25))) {
                Await.until(() -> up1.executions.get() > 0 && up2.executions.get() > 0, "both SRV endpoints take calls");
                assertThat(up3.executions.get()).isZero();

                dns.start(srv(up1, up2, up3), records);
                long added = System.nanoTime();
                Await.until(() -> up3.firstNanos.get() != 0, "the endpoint added to the SRV records takes calls");
                long toFirstCall = TimeUnit.NANOSECONDS.toMillis(up3.firstNanos.get() - added);
                System.out.printf("dns srv: endpoint added -> first call on it after %d ms (TTL 1s, refresh %s..%s)%n",
                        toFirstCall, MIN_REFRESH, MAX_REFRESH);
                assertThat(toFirstCall).isLessThan(MAX_REFRESH.toMillis() + 2_000);

                dns.start(srv(up2, up3), records);
                long removed = System.nanoTime();
                Await.until(() -> System.nanoTime() - up1.lastNanos.get() > TimeUnit.MILLISECONDS.toNanos(500)
                        && up1.lastNanos.get() != 0, "the endpoint removed from the SRV records takes no more calls");
                int up1Calls = up1.executions.get();
                System.out.printf("dns srv: endpoint removed -> its last call %d ms later%n",
                        TimeUnit.NANOSECONDS.toMillis(up1.lastNanos.get() - removed));
                int before3 = up3.executions.get();
                Await.until(() -> up3.executions.get() > before3 + 20, "the remaining endpoints keep taking calls");
                load.close();
                assertThat(up1.executions.get()).as("calls on the removed endpoint").isEqualTo(up1Calls);
                System.out.printf("dns srv: %d calls, %d failed; per endpoint up1=%d up2=%d up3=%d%n", load.ok.get(),
                        load.failures.size(), up1.executions.get(), up2.executions.get(), up3.executions.get());
                assertThat(load.failures).as("failed calls").isEmpty();
                assertThat(load.ok.get()).isGreaterThan(100);
            }
        }
    }

    @Test
    void aRecordsFollowTheHostsFileAndAFailingServerKeepsTheLastList() throws Exception {
        int port = ExternalProcess.freeTcpPort();
        try (Replicas replicas = new Replicas(); Dnsmasq dns = new Dnsmasq(dir)) {
            Replicas.Replica a = replicas.start("a", "127.0.0.2", port);
            Replicas.Replica b = replicas.start("b", "127.0.0.3", port);
            dns.hosts("127.0.0.2 svc.test\n");
            dns.start(List.of(), List.of());
            List<List<String>> heard = new CopyOnWriteArrayList<>();
            DnsDiscovery discovery = DnsDiscovery.builder("svc.test").port(port).resolver(dns.address())
                    .target("tcp", "").refresh(MIN_REFRESH, MAX_REFRESH).build();
            try (EndpointSource probe = discovery.open("probe")) {
                probe.start(heard::add);
                Await.until(() -> !heard.isEmpty(), "the source's first list");
                assertThat(heard.get(0)).containsExactly("tcp://127.0.0.2:" + port);
            }
            try (Peregrine gateway = gateway(discovery); Load load = new Load(gateway, 4, Duration.ofSeconds(25))) {
                Await.until(() -> a.executions.get() > 0, "the A record's endpoint takes calls");

                dns.hosts("127.0.0.2 svc.test\n127.0.0.3 svc.test\n");
                dns.reload();
                long added = System.nanoTime();
                Await.until(() -> b.firstNanos.get() != 0, "the address added to the hosts file takes calls");
                long toFirstCall = TimeUnit.NANOSECONDS.toMillis(b.firstNanos.get() - added);
                System.out.printf("dns A: address added (SIGHUP) -> first call on it after %d ms%n", toFirstCall);
                assertThat(toFirstCall).isLessThan(MAX_REFRESH.toMillis() + 2_000);

                // The DNS server goes away: lookups fail, and the upstream keeps both endpoints.
                dns.stop();
                int a0 = a.executions.get();
                int b0 = b.executions.get();
                Thread.sleep(3 * MAX_REFRESH.toMillis());
                assertThat(a.executions.get()).as("calls on a while DNS is down").isGreaterThan(a0 + 20);
                assertThat(b.executions.get()).as("calls on b while DNS is down").isGreaterThan(b0 + 20);

                // It comes back with a alone: b leaves.
                dns.hosts("127.0.0.2 svc.test\n");
                dns.start(List.of(), List.of());
                Await.until(() -> b.lastNanos.get() != 0 && System.nanoTime() - b.lastNanos.get() > TimeUnit.MILLISECONDS.toNanos(500),
                        "the address removed takes no more calls");
                load.close();
                System.out.printf("dns A: %d calls, %d failed; a=%d b=%d%n", load.ok.get(), load.failures.size(),
                        a.executions.get(), b.executions.get());
                assertThat(load.failures).as("failed calls").isEmpty();
            }
        }
    }
}
