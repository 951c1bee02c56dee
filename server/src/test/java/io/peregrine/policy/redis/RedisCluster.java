package io.peregrine.policy.redis;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.peregrine.testing.Await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Redis Cluster of Debian's {@code redis-server} on loopback ports for tests: {@code size}
 * primaries without replicas, the 16384 slots split evenly among them in order (node 0 holds the
 * lowest), joined with {@code CLUSTER MEET}, ready once every node's {@code CLUSTER INFO} says
 * {@code cluster_state:ok} and knows them all. Each node's cluster configuration file lives in a
 * temporary directory, removed with the nodes on {@link #close()}.
 *
 * <p>Besides the URIs a store takes, it gives a connection to each node alone, to look at what
 * that node holds.
 */
public final class RedisCluster implements AutoCloseable {

    private final Path dir;
    private final List<RedisServer> nodes = new ArrayList<>();
    private final RedisClient client = RedisClient.create();
    private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();

    private RedisCluster(Path dir) {
        this.dir = dir;
    }

    /** A running cluster of {@code size} primaries, every slot assigned and every node agreeing. */
    public static RedisCluster start(int size) throws Exception {
        RedisCluster cluster = new RedisCluster(Files.createTempDirectory("redis-cluster"));
        try {
            cluster.join(size);
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    private void join(int size) throws Exception {
        for (int i = 0; i < size; i++) {
            RedisServer node = RedisServer.startClusterNode(dir);
            nodes.add(node);
            StatefulRedisConnection<String, String> c = client.connect(RedisURI.builder().withHost("127.0.0.1")
                    .withPort(node.port()).withTimeout(Duration.ofSeconds(10)).build());
            c.setTimeout(Duration.ofSeconds(10));
            connections.add(c);
        }
        int slots = 16384;
        for (int i = 0; i < size; i++) {
            RedisCommands<String, String> node = node(i);
            // Distinct epochs, as redis-cli --cluster create sets them: no collision to resolve first.
            node.clusterSetConfigEpoch(i + 1);
            node.clusterAddSlotsRange(Range.create(i * slots / size, (i + 1) * slots / size - 1));
        }
        for (int i = 1; i < size; i++) {
            node(0).clusterMeet("127.0.0.1", nodes.get(i).port());
        }
        for (int i = 0; i < size; i++) {
            RedisCommands<String, String> node = node(i);
            Await.until(() -> {
                String info = node.clusterInfo();
                return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + size + "\r");
            }, "node " + i + " of the cluster to say cluster_state:ok and know " + size + " nodes");
        }
    }

    /**
     * The seed nodes as {@code redis.uri} names them with {@code redis.cluster: true}: every node, each
     * a whole Lettuce URI, comma-separated.
     */
    public String uri() {
        StringBuilder b = new StringBuilder();
        for (RedisServer node : nodes) {
            b.append(b.length() == 0 ? "" : ",").append("redis://127.0.0.1:").append(node.port());
        }
        return b.toString();
    }

    /** The seed nodes in Lettuce's own form of a cluster URI: one scheme, then hosts ({@code redis://h:1,h:2}). */
    public String lettuceUri() {
        StringBuilder b = new StringBuilder("redis://");
        for (int i = 0; i < nodes.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
        }
        return b.toString();
    }

    public int size() {
        return nodes.size();
    }

    public int port(int node) {
        return nodes.get(node).port();
    }

    /** Commands to node {@code node} alone (no redirection): what that node holds and says. */
    public RedisCommands<String, String> node(int node) {
        return connections.get(node).sync();
    }

    /** Kills node {@code node} (its cluster configuration stays, for {@link #restart(int)}). */
    public void stop(int node) throws InterruptedException {
        nodes.get(node).stop();
    }

    /** Starts node {@code node} again on its port, from its cluster configuration: the same node, the same slots. */
    public void restart(int node) throws Exception {
        nodes.get(node).restart();
    }

    /** How many keys node {@code node} holds that match {@code pattern} (Redis's glob). */
    public long keysOn(int node, String pattern) {
        return node(node).keys(pattern).size();
    }

    /** The nodes that hold keys matching {@code pattern}. */
    public List<Integer> nodesHolding(String pattern) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (keysOn(i, pattern) > 0) {
                out.add(i);
            }
        }
        return out;
    }

    /** Keys matching {@code pattern} on every node together. */
    public long keys(String pattern) {
        long n = 0;
        for (int i = 0; i < nodes.size(); i++) {
            n += keysOn(i, pattern);
        }
        return n;
    }

    /** Stops every node and removes their files. */
    @Override
    public void close() throws Exception {
        for (StatefulRedisConnection<String, String> c : connections) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        for (RedisServer node : nodes) {
            node.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
