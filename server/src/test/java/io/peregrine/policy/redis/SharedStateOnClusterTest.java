package io.peregrine.policy.redis;

import io.lettuce.core.cluster.SlotHash;
import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.policy.ApiKeyAuthenticator;
import io.peregrine.policy.Grants;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.PolicyEvents;
import io.peregrine.policy.Principal;
import io.peregrine.policy.RateLimit;
import io.peregrine.policy.RateLimiter;
import io.peregrine.policy.ResultCache;
import io.peregrine.policy.SharedLimits.FailureMode;
import io.peregrine.policy.SharedTasks;
import io.peregrine.testing.Await;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * State shared by two replicas through a Redis Cluster of three real redis-server primaries
 * ({@code redis.cluster: true}): the rate limits admit exactly the limit between the replicas for
 * many principals at once, every bucket in one slot; a result cached through one replica is a hit
 * on the other and a changed tool is dropped from both and from every node; a task created on one
 * is read and cancelled on the other; messages published on any node reach every replica. Results
 * and tasks are spread over the nodes, the limits are on one. A primary that stops is an outage
 * until it is back.
 */
class SharedStateOnClusterTest {

    private static final Duration PATIENT = Duration.ofSeconds(20);
    private static final ToolAnnotations READ_ONLY = ToolAnnotations.builder().readOnly(true).idempotent(true).build();
    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A replica's store on the cluster; the second replica names the seeds in Lettuce's own form. */
    private static RedisStore store(int replica, String prefix, Duration timeout) {
        return RedisStore.connect(replica == 0 ? cluster.uri() : cluster.lettuceUri(), true, null, timeout, prefix,
                Map.<String, String>of()::get);
    }

    private static Principal principal(String name) {
        return new Principal(name, "test", Grants.ALL, Long.MAX_VALUE);
    }

    /**
     * Two limiters on two stores, as two replicas, each call deciding a principal's bucket and the
     * global one in one script call, calls batched: 200 principals calling 9 times each, every one
     * admitted exactly 5 times; without one slot for every bucket the script calls would fail
     * ({@code CROSSSLOT}) and fail-closed would refuse everything.
     */
    @Test
    void twoReplicasAdmitExactlyTheLimitForManyPrincipalsWithEveryBucketInOneSlot() throws Exception {
        String prefix = "l-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(0, prefix, PATIENT); RedisStore b = store(1, prefix, PATIENT)) {
            assertThat(a.isCluster()).isTrue();
            RateLimiter ra = limiter(a);
            RateLimiter rb = limiter(b);
            SharedRateLimitTest.assertEachOf200PrincipalsGetsFive(ra, rb);
            int principals = SharedRateLimitTest.PRINCIPALS;
            assertThat(a.failures() + b.failures()).isZero();

            // Every bucket (each principal's and the global one) on one node, in one slot.
            String tag = "{" + prefix + "rl}";
            List<Integer> holding = cluster.nodesHolding(tag + "*");
            assertThat(holding).hasSize(1);
            int node = holding.get(0);
            assertThat(cluster.keysOn(node, tag + "rl:*")).isEqualTo(principals + 1);
            assertThat(cluster.node(node).exists(tag + "rl:g:1000000/60000ms",
                    tag + "rl:pt:5/60000ms:3:p42:4:echo")).isEqualTo(2);
            long slot = SlotHash.getSlot(tag);
            assertThat(cluster.node(node).clusterKeyslot(tag + "rl:pt:5/60000ms:2:p7:4:echo")).isEqualTo(slot);
            // The same keys counted by slot (and the start-up decision's, unless it has expired already).
            assertThat(cluster.node(node).clusterCountKeysInSlot((int) slot)).isBetween(principals + 1L, principals + 2L);
            // No key of this prefix outside the tag.
            assertThat(cluster.keys(prefix + "*")).isZero();
            // The clock replicas agree on was read from the cluster.
            assertThat(a.clock().lastRoundTripNanos()).isNotNegative();
        }
    }

    /**
     * The script is loaded on every node, the one holding the buckets' slot among them; a cluster
     * that forgot it (flushed on every node) is sent it whole once, by EVAL to that node.
     */
    @Test
    void theScriptReachesTheNodeOfTheBucketsAndIsSentAgainWhenForgotten() throws Exception {
        String prefix = "s-" + UUID.randomUUID() + ":";
        try (RedisStore a = store(0, prefix, PATIENT)) {
            RateLimiter limiter = limiter(a);
            String digest;
            try (InputStream in = TokenBucketScript.class.getResourceAsStream("token-buckets.lua")) {
                digest = a.async().digest(in.readAllBytes());
            }
            for (int i = 0; i < cluster.size(); i++) {
                assertThat(cluster.node(i).scriptExists(digest)).as("loaded on node %d", i).containsExactly(true);
            }
            a.sync().scriptFlush();
            for (int i = 0; i < cluster.size(); i++) {
                assertThat(cluster.node(i).scriptExists(digest)).as("flushed on node %d", i).containsExactly(false);
            }
            CommandCount commands = CommandCount.on(a);
            assertThat(limiter.tryAcquireAsync(principal("hal"), "echo", PolicyEvents.NONE).get(30, TimeUnit.SECONDS)).isNull();
            assertThat(limiter.tryAcquireAsync(principal("hal"), "echo", PolicyEvents.NONE).get(30, TimeUnit.SECONDS)).isNull();
            Map<String, Long> scripts = new TreeMap<>(commands.snapshot());
            scripts.keySet().removeIf(name -> !name.startsWith("EVAL"));
            assertThat(scripts).isEqualTo(Map.of("EVALSHA (error)", 1L, "EVAL", 1L, "EVALSHA", 1L));
            int node = cluster.nodesHolding("{" + prefix + "rl}*").get(0);
            assertThat(cluster.node(node).scriptExists(digest)).containsExactly(true);
            assertThat(a.failures()).isZero();
        }
    }

    private static RateLimiter limiter(RedisStore store) {
        return RateLimiter.builder().global(RateLimit.parse("1000000/1m"))
                .perPrincipalTool("echo", RateLimit.parse("5/1m"))
                .shared(new RedisSharedLimits(store, FailureMode.FAIL_CLOSED)).build();
    }

    /** A cacheable tool that counts its executions. */
    private static Tool cached(String name, String version, AtomicInteger executions) {
        return Tool.builder(name).annotations(READ_ONLY).inputSchema("{\"type\":\"object\"}").blocking(true)
                .cacheable(Duration.ofMinutes(5), CacheScope.PUBLIC)
                .handler((args, ctx) -> ToolResult.text(version + " " + name + " " + executions.incrementAndGet()
                        + " for " + args.string("q", "")))
                .build();
    }

    private static Peregrine cacheReplica(int replica, String prefix, Tool... tools) throws Exception {
        RedisStore store = store(replica, prefix, Duration.ofSeconds(2));
        RedisSharedCache shared = new RedisSharedCache(store);
        ApiKeyAuthenticator keys = ApiKeyAuthenticator.builder().key("alice", "alice-key-0123456789", List.of("tool:*"))
                .build();
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .policy(PolicyChain.builder().authenticator("tcp", keys).sharedCache(shared)
                        .closeWith(store).closeWith(shared).build());
        for (Tool t : tools) {
            b.tool(t);
        }
        Peregrine server = b.build();
        server.start();
        return server;
    }

    private static String call(PeregrineClient c, String tool, String q) throws Exception {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("q", q);
        return c.callTool(tool, args).text();
    }

    private static ResultCache.Stats stats(Peregrine server) {
        return server.policy().cache().stats();
    }

    /**
     * Results filled through one replica are hits on the other, their keys spread over the nodes; a
     * tool replaced on one is dropped from the other's first level and from every node (a SCAN of
     * every primary), another tool's entries staying.
     */
    @Test
    void aResultCachedThroughOneReplicaIsAHitOnTheOtherAndAnInvalidationReachesEveryNode() throws Exception {
        String prefix = "c-" + UUID.randomUUID() + ":";
        AtomicInteger executions = new AtomicInteger();
        int n = 30;
        try (Peregrine a = cacheReplica(0, prefix, cached("lookup", "v1", executions), cached("keep", "v1", executions));
             Peregrine b = cacheReplica(1, prefix, cached("lookup", "v1", executions), cached("keep", "v1", executions));
             PeregrineClient onA = PeregrineClient.builder().address(a.addresses().tcp())
                     .authorization("Bearer alice-key-0123456789").connect();
             PeregrineClient onB = PeregrineClient.builder().address(b.addresses().tcp())
                     .authorization("Bearer alice-key-0123456789").connect()) {
            for (int i = 0; i < n; i++) {
                assertThat(call(onA, "lookup", "q" + i)).isEqualTo("v1 lookup " + (i + 1) + " for q" + i);
            }
            assertThat(call(onA, "keep", "x")).isEqualTo("v1 keep " + (n + 1) + " for x");
            String lookupKeys = prefix + ResultCache.toolKeyPrefix("lookup") + "*";
            String keepKeys = prefix + ResultCache.toolKeyPrefix("keep") + "*";
            // The fills are written once the results are there: wait for them rather than race them.
            Await.until(() -> cluster.keys(lookupKeys) == n && cluster.keys(keepKeys) == 1, n + " fills of lookup and one of keep");
            assertThat(cluster.nodesHolding(lookupKeys)).as("nodes holding the results").hasSizeGreaterThan(1);

            for (int i = 0; i < n; i++) {
                assertThat(call(onB, "lookup", "q" + i)).isEqualTo("v1 lookup " + (i + 1) + " for q" + i);
            }
            assertThat(executions).hasValue(n + 1);
            assertThat(stats(b).sharedHits()).isEqualTo(n);
            assertThat(stats(b).size()).isEqualTo(n);
            assertThat(stats(a).sharedBypassed() + stats(b).sharedBypassed()).isZero();

            // lookup replaced on A: B drops its entries, every node loses lookup's keys, keep's stays.
            a.tools().add(cached("lookup", "v2", executions));
            Await.until(() -> stats(b).size() == 0, "B's first level dropped on the invalidation from A");
            Await.until(() -> cluster.keys(lookupKeys) == 0, "lookup's entries removed from every node");
            assertThat(cluster.keys(keepKeys)).isEqualTo(1);
            assertThat(call(onB, "lookup", "q0")).isEqualTo("v1 lookup " + (n + 2) + " for q0");
            assertThat(call(onB, "keep", "x")).isEqualTo("v1 keep " + (n + 1) + " for x");
        }
    }

    private static Peregrine taskReplica(int replica, String prefix) throws Exception {
        return SharedTasksTest.replica(store(replica, prefix, Duration.ofSeconds(2)));
    }

    /**
     * Tasks created on one replica are read on the other until they complete, their keys spread
     * over the nodes; a long one is cancelled through the other replica.
     */
    @Test
    void aTaskCreatedOnOneReplicaIsReadAndCancelledOnTheOther() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        try (Peregrine a = taskReplica(0, prefix); Peregrine b = taskReplica(1, prefix);
             SharedTasksTest.Client client = new SharedTasksTest.Client(a, b)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Map<String, Object> created = client.on(0, "tools/call",
                        "\"name\":\"slow_compute\",\"arguments\":{\"millis\":10,\"label\":\"t" + i + "\"}");
                assertThat(at(created, "result.resultType")).isEqualTo("task");
                ids.add((String) at(created, "result.taskId"));
            }
            for (int i = 0; i < ids.size(); i++) {
                Map<String, Object> done = client.until(1, ids.get(i), "completed");
                assertThat(at(done, "result.result.content.0.text")).isEqualTo("computed t" + i + " in 10 ms");
            }
            assertThat(cluster.keys(prefix + "task:*")).isEqualTo(ids.size());
            assertThat(cluster.nodesHolding(prefix + "task:*")).as("nodes holding the tasks").hasSizeGreaterThan(1);

            String slow = (String) at(client.on(0, "tools/call",
                    "\"name\":\"slow_compute\",\"arguments\":{\"millis\":60000,\"label\":\"long\"}"), "result.taskId");
            client.until(1, slow, "working");
            assertThat(at(client.on(1, "tasks/cancel", "\"taskId\":\"" + slow + "\""), "result.resultType"))
                    .isEqualTo("complete");
            assertThat(at(client.until(0, slow, "cancelled"), "result.statusMessage")).isEqualTo("cancelled by the client");
            assertThat(at(client.until(1, slow, "cancelled"), "result.status")).isEqualTo("cancelled");
        }
    }

    /**
     * A replica subscribes on one node and hears what is published on any: a cancel published on
     * each node in turn reaches it (Redis Cluster passes every PUBLISH to every node).
     */
    @Test
    void aMessagePublishedOnAnyNodeReachesTheReplica() throws Exception {
        String prefix = "m-" + UUID.randomUUID() + ":";
        Set<String> cancelled = ConcurrentHashMap.newKeySet();
        try (RedisStore store = store(0, prefix, Duration.ofSeconds(2)); RedisSharedTasks tasks = new RedisSharedTasks(store)) {
            tasks.listen(new SharedTasks.Listener() {
                @Override
                public void cancelled(String taskId) {
                    cancelled.add(taskId);
                }

                @Override
                public void updated(String taskId, String inputResponsesJson) {
                }
            });
            for (int i = 0; i < cluster.size(); i++) {
                String id = "on-node-" + i;
                long heard = cluster.node(i).publish(prefix + "tasks", "c\n" + id);
                assertThat(heard).as("subscribers node %d counts", i).isNotNegative();
                Await.until(() -> cancelled.contains(id), "the cancel published on node " + i);
            }
            assertThat(cancelled).hasSize(cluster.size());
        }
    }

    /**
     * Replicas compare their settings through the cluster: their entries lie in several slots, read
     * back with one MGET that Lettuce splits by slot; a replica that differs is refused, naming the
     * setting.
     */
    @Test
    void replicasCompareTheirSettingsThroughTheCluster() throws Exception {
        String fleet = "fleet-" + UUID.randomUUID();
        Map<String, String> settings = Map.of("redis.key-prefix", "p:", "limits.global", "10/1s");
        try (RedisStore one = store(0, "p:", Duration.ofSeconds(5)); RedisStore two = store(1, "p:", Duration.ofSeconds(5))) {
            List<ReplicaAgreement> joined = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    joined.add(ReplicaAgreement.join(i % 2 == 0 ? one : two, fleet, settings, ReplicaAgreement.Mode.REFUSE));
                }
                assertThat(joined).allMatch(r -> r.disagreements().isEmpty());
                // Entries in several slots: reading them back is one MGET that Lettuce splits by slot.
                Set<Integer> slots = new HashSet<>();
                for (int i = 0; i < cluster.size(); i++) {
                    cluster.node(i).keys(ReplicaAgreement.NAMESPACE + fleet + ":*").forEach(k -> slots.add(SlotHash.getSlot(k)));
                }
                assertThat(slots).hasSizeGreaterThan(1);
                assertThatThrownBy(() -> ReplicaAgreement.join(two, fleet,
                        Map.of("redis.key-prefix", "p:", "limits.global", "20/1s"), ReplicaAgreement.Mode.REFUSE))
                        .hasMessageContaining("limits.global is \"20/1s\" here but \"10/1s\" on replica");
            } finally {
                joined.forEach(ReplicaAgreement::close);
            }
        }
    }

    /**
     * The check pings every primary: one that stops puts the store down (each primary holds part
     * of the keys), and its return ends the outage. On a cluster of its own, the others' staying whole.
     */
    @Test
    void aPrimaryThatStopsIsAnOutageUntilItIsBack() throws Exception {
        try (RedisCluster own = RedisCluster.start(3);
             RedisStore store = RedisStore.connect(own.uri(), true, null, Duration.ofMillis(500), "d:",
                     Map.<String, String>of()::get)) {
            assertThat(store.isUp()).isTrue();
            own.stop(2);
            Await.until(store::isDown, "the check to find a primary gone");
            assertThat(store.lastError()).isNotNull();
            own.restart(2);
            Await.until(() -> !store.isDown(), "the check to find every primary answering again");
            assertThat(store.isUp()).isTrue();
        }
    }

    /** Settings that cannot work on a cluster are refused, naming the key. */
    @Test
    void badClusterSettingsAreRefusedNamingTheKey() {
        Map<String, String> env = Map.of();
        assertThatThrownBy(() -> RedisStore.connect("redis://127.0.0.1:" + cluster.port(0) + "/1", true, null,
                Duration.ofSeconds(1), "p:", env::get)).hasMessageStartingWith("redis.uri : ")
                .hasMessageContaining("only database 0");
        assertThatThrownBy(() -> RedisStore.connect("redis-sentinel://127.0.0.1:26379#mymaster", true, null,
                Duration.ofSeconds(1), "p:", env::get)).hasMessageStartingWith("redis.uri : ")
                .hasMessageContaining("redis.cluster: false");
        assertThatThrownBy(() -> RedisStore.connect("redis://127.0.0.1:" + cluster.port(0) + ",rediss://127.0.0.1:"
                + cluster.port(1), true, null, Duration.ofSeconds(1), "p:", env::get))
                .hasMessageStartingWith("redis.uri : ").hasMessageContaining("mixes redis:// and rediss://");
        assertThatThrownBy(() -> RedisStore.connect(cluster.uri(), true, null, Duration.ofSeconds(1), "{p}:", env::get))
                .hasMessageStartingWith("redis.key-prefix : ");
        // A node of the cluster named as one Redis would answer MOVED for most keys.
        assertThatThrownBy(() -> RedisStore.connect("redis://127.0.0.1:" + cluster.port(0), false, null,
                Duration.ofSeconds(1), "p:", env::get)).hasMessageStartingWith("redis.uri : ")
                .hasMessageContaining("set redis.cluster: true");
        assertThatThrownBy(() -> RedisStore.connect(cluster.uri(), false, null, Duration.ofSeconds(1), "p:", env::get))
                .hasMessageStartingWith("redis.uri : ").hasMessageContaining("names several Redis servers");
    }
}
