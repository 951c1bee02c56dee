package io.peregrine.policy.redis;

import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Makes the replicas that share a Redis agree on the settings that shape what they keep there
 * (the key prefix, the limits a bucket's key names, the key that signs request states): each
 * replica writes its settings when it starts, compares them with those of the replicas alive at
 * that moment, and then refuses to start or warns, naming each setting that differs, its value
 * here and there, and the replica that has it.
 *
 * <p>Replicas of one server find each other by its name ({@code server.name}), under
 * {@value #NAMESPACE}, outside {@code redis.key-prefix}, since the prefix is one of the settings
 * they must agree on. Each replica's entry is a key that expires {@value #TTL_MILLIS} ms after
 * its last renewal (every {@value #RENEW_MILLIS} ms), so that a replica that is gone, cleanly
 * or not, stops counting and a fleet can be reconfigured by restarting it.
 *
 * <p>Secrets are never written: a secret setting is represented by a digest of its value.
 */
public final class ReplicaAgreement implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaAgreement.class);

    /** Where fleets are listed, whatever their key prefix. */
    public static final String NAMESPACE = "peregrine:fleet:";
    static final long RENEW_MILLIS = 10_000;
    static final long TTL_MILLIS = 30_000;
    private static final long START_WAIT_SECONDS = 10;
    /** The value of a secret setting left empty: each process makes up its own, so no two agree. */
    public static final String RANDOM_PER_PROCESS = "(empty: random per process)";

    /** What a replica does when the others disagree with it. */
    public enum Mode {
        /** Logs the differences and starts. */
        WARN,
        /** Does not start: the differences are the error. */
        REFUSE
    }

    private final RedisStore store;
    private final String fleet;
    private final String replica;
    private final byte[] entry;
    private final List<String> disagreements;
    private final ScheduledFuture<?> renewal;

    private ReplicaAgreement(RedisStore store, String fleet, String replica, byte[] entry, List<String> disagreements) {
        this.store = store;
        this.fleet = fleet;
        this.replica = replica;
        this.entry = entry;
        this.disagreements = List.copyOf(disagreements);
        this.renewal = store.every(RENEW_MILLIS, this::renew);
    }

    /** Parses {@code redis.disagreement}: {@code warn} or {@code refuse}. */
    public static Mode mode(String text) {
        switch (text.trim()) {
            case "warn": return Mode.WARN;
            case "refuse": return Mode.REFUSE;
            default:
                throw new IllegalArgumentException("redis.disagreement : \"" + text + "\" (expected: warn or refuse)");
        }
    }

    /** A setting's value as it may be written to Redis: a digest, or {@link #RANDOM_PER_PROCESS} when empty. */
    public static String secret(String value) {
        if (value == null || value.isEmpty()) {
            return RANDOM_PER_PROCESS;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("sha256:");
            for (int i = 0; i < 6; i++) {
                sb.append(String.format("%02x", digest[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * Joins the fleet {@code fleet} (the server's name) with {@code settings} (name to value, secrets
     * already {@link #secret digested}), comparing them with the replicas alive now.
     *
     * @throws IllegalStateException in {@link Mode#REFUSE} when a replica alive disagrees, with a
     *                               message naming every differing setting; or when Redis does not
     *                               answer within {@value #START_WAIT_SECONDS} s
     */
    public static ReplicaAgreement join(RedisStore store, String fleet, Map<String, String> settings, Mode mode) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(mode, "mode");
        String replica = replicaName();
        Map<String, String> mine = new LinkedHashMap<>(settings);
        List<String> differences;
        try {
            differences = compare(mine, others(store, fleet));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the settings of the other replicas from Redis at "
                    + store.where() + " (" + e + ")", e);
        }
        if (!differences.isEmpty()) {
            String message = "replicas sharing Redis at " + store.where() + " as " + fleet + " (server.name) disagree "
                    + "on settings that shape what they keep there: " + String.join("; ", differences)
                    + ". Set them alike on every replica";
            if (mode == Mode.REFUSE) {
                throw new IllegalStateException(message + " (redis.disagreement: refuse; warn starts anyway)");
            }
            log.warn("{} (redis.disagreement: warn, so this replica starts anyway)", message);
        }
        byte[] entry = encode(replica, mine);
        ReplicaAgreement agreement = new ReplicaAgreement(store, fleet, replica, entry, differences);
        try {
            agreement.write().get(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            agreement.close();
            throw new IllegalStateException("cannot write this replica's settings to Redis at " + store.where()
                    + " (" + e + ")", e);
        }
        return agreement;
    }

    /** The differences found at start, one sentence each; empty when every replica alive agreed. */
    public List<String> disagreements() {
        return disagreements;
    }

    /** This replica's name in the fleet: host, process id and a random suffix. */
    public String replica() {
        return replica;
    }

    private static String replicaName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Each other replica's settings, by name, as written by them (entries expired are gone). */
    private static Map<String, Map<String, String>> others(RedisStore store, String fleet) throws Exception {
        RedisClusterAsyncCommands<byte[], byte[]> redis = store.async();
        List<byte[]> members = redis.zrange(index(fleet), 0, -1).get(START_WAIT_SECONDS, TimeUnit.SECONDS);
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (members.isEmpty()) {
            return out;
        }
        byte[][] keys = new byte[members.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = entryKey(fleet, new String(members.get(i), StandardCharsets.UTF_8));
        }
        for (var value : redis.mget(keys).get(START_WAIT_SECONDS, TimeUnit.SECONDS)) {
            if (value.hasValue()) {
                Map<String, String> settings = decode(value.getValue());
                out.put(settings.remove("replica"), settings);
            }
        }
        return out;
    }

    /** One sentence per setting that differs from another replica's, naming both values and the replica. */
    static List<String> compare(Map<String, String> mine, Map<String, Map<String, String>> others) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> other : others.entrySet()) {
            Map<String, String> theirs = other.getValue();
            for (Map.Entry<String, String> setting : mine.entrySet()) {
                String name = setting.getKey();
                if (!theirs.containsKey(name)) {
                    continue; // a replica of a version that does not share this setting
                }
                String here = setting.getValue();
                String there = theirs.get(name);
                if (!here.equals(there)) {
                    out.add(name + " is " + quote(here) + " here but " + quote(there) + " on replica " + other.getKey());
                } else if (here.equals(RANDOM_PER_PROCESS)) {
                    out.add(name + " is empty here and on replica " + other.getKey() + ", so each signs with a key of its "
                            + "own and refuses what the other signed");
                }
            }
        }
        return out;
    }

    private static String quote(String value) {
        return value.equals(RANDOM_PER_PROCESS) ? "empty (a random key per process)" : "\"" + value + "\"";
    }

    private java.util.concurrent.CompletableFuture<?> write() {
        RedisClusterAsyncCommands<byte[], byte[]> redis = store.async();
        long now = store.clock().currentTimeNanos() / 1_000_000L;
        var set = redis.set(entryKey(fleet, replica), entry, SetArgs.Builder.px(TTL_MILLIS)).toCompletableFuture();
        var add = redis.zadd(index(fleet), (double) now, replica.getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
        // Members whose entry has long expired (replicas killed without a goodbye) leave the index.
        var trim = redis.zremrangebyscore(index(fleet), Range.create(0d, (double) (now - 10 * TTL_MILLIS)))
                .toCompletableFuture();
        return java.util.concurrent.CompletableFuture.allOf(set, add, trim);
    }

    private void renew() {
        write().whenComplete((ignored, failure) -> {
            if (failure != null) {
                log.debug("renewing replica {} in Redis failed; the next renewal tries again", replica, failure);
            }
        });
    }

    private static byte[] index(String fleet) {
        return (NAMESPACE + fleet).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] entryKey(String fleet, String replica) {
        return (NAMESPACE + fleet + ":" + replica).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encode(String replica, Map<String, String> settings) {
        StringBuilder sb = new StringBuilder("replica=").append(enc(replica)).append('\n')
                .append("since=").append(enc(Instant.now().toString())).append('\n');
        for (Map.Entry<String, String> e : settings.entrySet()) {
            sb.append(enc(e.getKey())).append('=').append(enc(e.getValue())).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> decode(byte[] entry) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : new String(entry, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(dec(line.substring(0, eq)), dec(line.substring(eq + 1)));
            }
        }
        out.remove("since");
        out.putIfAbsent("replica", "(unnamed)");
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Leaves the fleet: this replica's entry is removed at once rather than left to expire. */
    @Override
    public void close() {
        renewal.cancel(false);
        try {
            RedisClusterAsyncCommands<byte[], byte[]> redis = store.async();
            java.util.concurrent.CompletableFuture.allOf(
                    redis.del(entryKey(fleet, replica)).toCompletableFuture(),
                    redis.zrem(index(fleet), replica.getBytes(StandardCharsets.UTF_8)).toCompletableFuture())
                    .get(store.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Redis is away: the entry expires by itself.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
