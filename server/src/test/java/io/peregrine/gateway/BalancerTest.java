package io.peregrine.gateway;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Each balancing strategy alone, over endpoints whose load and weight the test sets. */
class BalancerTest {

    /** An endpoint the test controls. */
    static final class Fake {
        final String id;
        int inFlight;
        int weight = 1;
        double ramp = 1;

        Fake(String id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private static final Balancer.View<Fake> VIEW = new Balancer.View<>() {
        @Override
        public String id(Fake e) {
            return e.id;
        }

        @Override
        public int inFlight(Fake e) {
            return e.inFlight;
        }

        @Override
        public int weight(Fake e) {
            return e.weight;
        }

        @Override
        public double effectiveWeight(Fake e) {
            return e.weight * e.ramp;
        }
    };

    private static List<Fake> endpoints(int n) {
        List<Fake> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Fake("tcp://10.0.0." + (i + 1) + ":9001"));
        }
        return out;
    }

    private static Map<Fake, Integer> count(Balancer<Fake> b, List<Fake> candidates, int picks) {
        Map<Fake, Integer> counts = new HashMap<>();
        for (Fake f : candidates) {
            counts.put(f, 0);
        }
        for (int i = 0; i < picks; i++) {
            counts.merge(b.pick(candidates, null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinTakesEachInTurn() {
        List<Fake> es = endpoints(3);
        Balancer<Fake> rr = Balancer.of(LoadBalancing.ROUND_ROBIN, VIEW);
        assertThat(count(rr, es, 300).values()).containsOnly(100);
        Fake first = rr.pick(es, null);
        assertThat(List.of(rr.pick(es, null), rr.pick(es, null), rr.pick(es, null))).contains(first).doesNotHaveDuplicates();
    }

    @Test
    void leastInFlightSpreadsEvenlyWhenLoadIsEven() {
        List<Fake> es = endpoints(4);
        Map<Fake, Integer> counts = count(Balancer.of(LoadBalancing.LEAST_IN_FLIGHT, VIEW), es, 40_000);
        for (int c : counts.values()) {
            assertThat(c / 40_000.0).isCloseTo(0.25, within(0.03));
        }
    }

    @Test
    void leastInFlightPrefersTheEndpointWithFewerCallsInFlight() {
        List<Fake> es = endpoints(3);
        es.get(0).inFlight = 0;
        es.get(1).inFlight = 10;
        es.get(2).inFlight = 10;
        Map<Fake, Integer> counts = count(Balancer.of(LoadBalancing.LEAST_IN_FLIGHT, VIEW), es, 30_000);
        // The idle one wins whenever it is one of the two drawn: 2 picks in 3.
        assertThat(counts.get(es.get(0)) / 30_000.0).isCloseTo(2 / 3.0, within(0.03));
        // Of two endpoints, the less loaded always wins.
        List<Fake> two = List.of(es.get(0), es.get(1));
        assertThat(count(Balancer.of(LoadBalancing.LEAST_IN_FLIGHT, VIEW), two, 1_000).get(es.get(0))).isEqualTo(1_000);
    }

    @Test
    void leastInFlightWeighsLoadByWeight() {
        Fake heavy = new Fake("tcp://heavy:1");
        Fake light = new Fake("tcp://light:1");
        heavy.weight = 3;
        heavy.inFlight = 2; // (2 + 1) / 3 = 1
        light.inFlight = 1; // (1 + 1) / 1 = 2
        Balancer<Fake> b = Balancer.of(LoadBalancing.LEAST_IN_FLIGHT, VIEW);
        for (int i = 0; i < 100; i++) {
            assertThat(b.pick(List.of(heavy, light), null)).isSameAs(heavy);
        }
        heavy.inFlight = 6; // 7 / 3 > 2
        for (int i = 0; i < 100; i++) {
            assertThat(b.pick(List.of(heavy, light), null)).isSameAs(light);
        }
    }

    @Test
    void weightedRoundRobinGivesEachItsWeightExactlyOverACycleInterleaved() {
        List<Fake> es = endpoints(3);
        es.get(0).weight = 5;
        Balancer<Fake> wrr = Balancer.of(LoadBalancing.WEIGHTED_ROUND_ROBIN, VIEW);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            order.append((char) ('a' + es.indexOf(wrr.pick(es, null))));
        }
        assertThat(order.toString()).isEqualTo("aabacaa");
        es.get(0).weight = 3;
        es.get(1).weight = 2;
        es.get(2).weight = 1;
        Balancer<Fake> fresh = Balancer.of(LoadBalancing.WEIGHTED_ROUND_ROBIN, VIEW);
        for (int cycle = 0; cycle < 10; cycle++) {
            Map<Fake, Integer> counts = count(fresh, es, 6);
            assertThat(counts.get(es.get(0))).isEqualTo(3);
            assertThat(counts.get(es.get(1))).isEqualTo(2);
            assertThat(counts.get(es.get(2))).isEqualTo(1);
        }
    }

    @Test
    void consistentHashKeepsKeysWhereTheyWereAndMovesAboutOneNthWhenAnEndpointJoins() {
        int keys = 20_000;
        for (int n : new int[] {3, 5, 8}) {
            List<Fake> es = endpoints(n);
            Balancer<Fake> ring = Balancer.of(LoadBalancing.CONSISTENT_HASH, VIEW);
            Map<String, Fake> before = new HashMap<>();
            Map<Fake, Integer> share = new HashMap<>();
            for (int k = 0; k < keys; k++) {
                Fake f = ring.pick(es, "session-" + k);
                before.put("session-" + k, f);
                share.merge(f, 1, Integer::sum);
                assertThat(ring.pick(es, "session-" + k)).isSameAs(f);
            }
            for (Fake f : es) {
                assertThat(share.get(f) / (double) keys).as("share of %s of %d", f, n).isCloseTo(1.0 / n, within(0.35 / n));
            }
            Fake joined = new Fake("tcp://10.0.1.1:9001");
            List<Fake> more = new ArrayList<>(es);
            more.add(joined);
            int moved = 0;
            for (int k = 0; k < keys; k++) {
                Fake now = ring.pick(more, "session-" + k);
                if (now != before.get("session-" + k)) {
                    moved++;
                    assertThat(now).as("a key that moves moves to the endpoint that joined").isSameAs(joined);
                }
            }
            double fraction = moved / (double) keys;
            assertThat(fraction).as("keys moved when endpoint %d joined", n + 1).isLessThanOrEqualTo(1.5 / (n + 1))
                    .isGreaterThan(0.5 / (n + 1));
            // One that leaves hands over its own keys only.
            List<Fake> fewer = new ArrayList<>(es);
            Fake left = fewer.remove(0);
            for (int k = 0; k < keys; k++) {
                Fake was = before.get("session-" + k);
                Fake now = ring.pick(fewer, "session-" + k);
                if (was != left) {
                    assertThat(now).isSameAs(was);
                }
            }
        }
    }

    @Test
    void consistentHashWithoutAKeyBalancesByLoad() {
        List<Fake> es = endpoints(2);
        es.get(1).inFlight = 5;
        Balancer<Fake> ring = Balancer.of(LoadBalancing.CONSISTENT_HASH, VIEW);
        assertThat(count(ring, es, 200).get(es.get(0))).isEqualTo(200);
    }

    @Test
    void slowStartRampsFromATenthToFullOverTheWindow() {
        long window = TimeUnit.SECONDS.toNanos(10);
        assertThat(Endpoints.ramp(0, 0, window)).isEqualTo(0.1);
        assertThat(Endpoints.ramp(0, TimeUnit.SECONDS.toNanos(5), window)).isCloseTo(0.5, within(1e-9));
        assertThat(Endpoints.ramp(0, TimeUnit.SECONDS.toNanos(9), window)).isCloseTo(0.9, within(1e-9));
        assertThat(Endpoints.ramp(0, window, window)).isEqualTo(1);
        assertThat(Endpoints.ramp(0, 1, 0)).as("no window: full weight at once").isEqualTo(1);

        // A newcomer at a quarter of its weight gets a quarter of an old endpoint's share from weighted round robin...
        List<Fake> es = endpoints(2);
        es.get(0).weight = 4;
        es.get(1).weight = 4;
        es.get(1).ramp = 0.25;
        Map<Fake, Integer> counts = count(Balancer.of(LoadBalancing.WEIGHTED_ROUND_ROBIN, VIEW), es, 5_000);
        assertThat(counts.get(es.get(1))).isEqualTo(1_000);
        // ...and loses to it under least-in-flight until it carries a quarter of its load.
        es.get(0).inFlight = 7; // 8 / 4 = 2
        es.get(1).inFlight = 1; // 2 / 1 = 2: a tie, to the one drawn first
        es.get(1).inFlight = 2; // 3 / 1 = 3
        Balancer<Fake> lif = Balancer.of(LoadBalancing.LEAST_IN_FLIGHT, VIEW);
        assertThat(count(lif, es, 500).get(es.get(0))).isEqualTo(500);
        es.get(1).ramp = 1; // 3 / 4 < 2
        assertThat(count(lif, es, 500).get(es.get(1))).isEqualTo(500);
    }
}
