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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * etcd discovery and registration against a real etcd (Debian's etcd-server) on loopback ports,
 * with real Peregrine upstream servers: keys added and removed while four clients call through
 * the gateway, etcd killed and restarted in the middle, and servers that register themselves
 * under a lease, leaving cleanly or dying.
 */
@Timeout(value = 50, unit = TimeUnit.SECONDS)
class EtcdDiscoveryTest {

    @TempDir
    Path dir;

    private static Peregrine gateway(EtcdServer etcd, String prefix) throws InterruptedException {
        Peregrine g = Peregrine.builder().tcp("127.0.0.1", 0)
                .upstream(UpstreamSpec.builder("svc").discovery(EtcdDiscovery.builder(etcd.url(), prefix).build()).build())
                .build();
        g.start();
        return g;
    }

    private static boolean holds(EtcdServer etcd, String key) {
        try {
            return etcd.range(key).containsKey(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void keysAddedAndRemovedUnderLoadLoseNoCallAndAnEtcdOutageKeepsTheLastList() throws Exception {
        try (Replicas replicas = new Replicas(); EtcdServer etcd = EtcdServer.start(dir.resolve("data"))) {
            Replicas.Replica up1 = replicas.start("up1", "127.0.0.1", 0);
            Replicas.Replica up2 = replicas.start("up2", "127.0.0.1", 0);
            Replicas.Replica up3 = replicas.start("up3", "127.0.0.1", 0);
            etcd.put("/mcp/svc/up1", up1.tcpUrl());
            etcd.put("/mcp/svc/up2", up2.tcpUrl());
            etcd.put("/mcp/svc/junk", "not a url");
            etcd.put("/mcp/svcx/other", up3.tcpUrl()); // beside the prefix, not under it
            try (Peregrine gateway = gateway(etcd, "/mcp/svc/"); Load load = new Load(gateway, 4, Duration.ofSeconds(30))) {
                Await.until(() -> up1.executions.get() > 0 && up2.executions.get() > 0, "both endpoints in etcd take calls");

                etcd.put("/mcp/svc/up3", up3.tcpUrl());
                long added = System.nanoTime();
                Await.until(() -> up3.firstNanos.get() != 0, "the endpoint put in etcd takes calls");
                long toFirstCall = TimeUnit.NANOSECONDS.toMillis(up3.firstNanos.get() - added);
                System.out.printf("etcd: key put -> first call on its endpoint after %d ms (watch)%n", toFirstCall);
                assertThat(toFirstCall).isLessThan(2_000);

                etcd.delete("/mcp/svc/up1");
                long removed = System.nanoTime();
                Await.until(() -> System.nanoTime() - up1.lastNanos.get() > TimeUnit.MILLISECONDS.toNanos(500),
                        "the endpoint deleted from etcd takes no more calls");
                System.out.printf("etcd: key deleted -> last call on its endpoint %d ms later%n",
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(up1.lastNanos.get() - removed)));
                int up1Calls = up1.executions.get();

                // etcd dies: the watch breaks, lookups fail, and the upstream keeps up2 and up3.
                etcd.stop();
                int two = up2.executions.get();
                int three = up3.executions.get();
                Thread.sleep(1_500);
                assertThat(up2.executions.get()).as("calls on up2 while etcd is down").isGreaterThan(two + 20);
                assertThat(up3.executions.get()).as("calls on up3 while etcd is down").isGreaterThan(three + 20);

                // It comes back (same data); a change made then is seen once the source reads again.
                etcd.restart();
                etcd.delete("/mcp/svc/up2");
                long recovered = System.nanoTime();
                Await.until(() -> System.nanoTime() - up2.lastNanos.get() > TimeUnit.MILLISECONDS.toNanos(500),
                        "the endpoint deleted after etcd's restart takes no more calls");
                System.out.printf("etcd: restarted, key deleted -> last call on its endpoint %d ms later (backoff up to %d ms)%n",
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(up2.lastNanos.get() - recovered)), SourceLoop.MAX_BACKOFF_MILLIS);
                int before = up3.executions.get();
                Await.until(() -> up3.executions.get() > before + 20, "the remaining endpoint keeps taking calls");
                load.close();
                assertThat(up1.executions.get()).as("calls on the deleted endpoint").isEqualTo(up1Calls);
                System.out.printf("etcd: %d calls, %d failed; up1=%d up2=%d up3=%d%n", load.ok.get(), load.failures.size(),
                        up1.executions.get(), up2.executions.get(), up3.executions.get());
                assertThat(load.failures).as("failed calls").isEmpty();
            }
        }
    }

    @Test
    void aServerRegistersUnderALeaseThatEndsWhenItDiesAndLeavesAtOnceOnClose() throws Exception {
        try (Replicas replicas = new Replicas(); EtcdServer etcd = EtcdServer.start(dir.resolve("data"))) {
            Duration ttl = Duration.ofSeconds(2);
            EtcdRegistration ra = EtcdRegistration.builder(etcd.url(), "/mcp/reg/").leaseTtl(ttl).build();
            EtcdRegistration rb = EtcdRegistration.builder(etcd.url(), "/mcp/reg/").id("b").leaseTtl(ttl).build();
            Replicas.Replica a = replicas.start("a", "127.0.0.1", 0, ra);
            Replicas.Replica b = replicas.start("b", "127.0.0.1", 0, rb);
            assertThat(etcd.range("/mcp/reg/")).isEqualTo(Map.of(
                    "/mcp/reg/127.0.0.1:" + a.port(), a.tcpUrl(),
                    "/mcp/reg/b", b.tcpUrl()));

            List<List<String>> heard = new CopyOnWriteArrayList<>();
            try (Peregrine gateway = gateway(etcd, "/mcp/reg/");
                 EndpointSource probe = EtcdDiscovery.builder(etcd.url(), "/mcp/reg/").build().open("probe")) {
                probe.start(heard::add);
                try (Load load = new Load(gateway, 2, Duration.ofSeconds(3))) {
                    Await.until(() -> a.executions.get() > 0 && b.executions.get() > 0, "the gateway calls both registered servers");
                }
                // Kept alive past the TTL.
                Thread.sleep(ttl.toMillis() + 1_000);
                assertThat(etcd.range("/mcp/reg/")).containsKeys("/mcp/reg/b", "/mcp/reg/127.0.0.1:" + a.port());

                // b dies as with kill -9: no more keep-alives, no deregistration.
                rb.abandon();
                b.server.close();
                long died = System.nanoTime();
                Await.until(() -> !holds(etcd, "/mcp/reg/b"), "the dead server's key expires");
                long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
                System.out.printf("etcd registration: process died -> key gone after %d ms (lease TTL %d ms)%n", gone, ttl.toMillis());
                assertThat(gone).isLessThan(ttl.toMillis() + 3_000);

                // a closes cleanly: its key goes at once.
                long closing = System.nanoTime();
                a.server.close();
                assertThat(etcd.range("/mcp/reg/")).isEmpty();
                System.out.printf("etcd registration: clean close -> key deleted within %d ms%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing));
                Await.until(() -> !heard.isEmpty() && heard.get(heard.size() - 1).isEmpty(), "the watch sees no server left");
                assertThat(heard.get(0)).containsExactlyInAnyOrder(a.tcpUrl(), b.tcpUrl());
            }
        }
    }
}
