package io.peregrine.policy.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.RedisClusterURIUtil;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One Redis connection shared by everything a replica keeps there, with its settings
 * ({@code redis.uri}, {@code redis.cluster}, {@code redis.password-env}, {@code redis.timeout},
 * {@code redis.key-prefix}) and the bookkeeping of outages.
 *
 * <p>It speaks to one Redis (standalone, or a primary behind Sentinel) or to a Redis Cluster, behind
 * one API: {@link #async()} gives the commands both share, and on a cluster Lettuce sends each command
 * to the node that holds its key's slot, splits multi-key commands ({@code MGET}, {@code UNLINK}) by
 * slot, runs {@code SCAN} over every primary in turn and {@code SCRIPT LOAD} on every node. The
 * cluster's topology is refreshed every {@value #TOPOLOGY_REFRESH_SECONDS} s and at once when a
 * redirection, a reconnection or an unknown node says it changed. Keys that one script call uses
 * together (the rate limits' buckets) are put in one slot by {@link #limitKey(String)}; every
 * other key spreads over the cluster.
 *
 * <p>Lettuce reconnects by itself. While it is disconnected, commands are refused at once rather
 * than queued: a queued command would only wait out the timeout of the request behind it. Every
 * command also times out after {@code redis.timeout}, should Redis hang rather than go away.
 *
 * <p>An outage starts at the first failure and ends at the next answer; it is logged once when it
 * starts and once when it ends, with the decisions it cost in between, never once per request.
 * During an outage decisions ask Redis once per timeout ({@link #available()}, a circuit breaker),
 * and a {@code PING} every {@value #CHECK_MILLIS} ms (to every primary of a cluster) keeps the
 * state that {@code /ready} reports current without traffic, ending the outage as soon as Redis
 * answers.
 */
public final class RedisStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final long CHECK_MILLIS = 1000;
    /** How often a cluster's topology is read again without a reason to (redirections refresh it at once). */
    static final int TOPOLOGY_REFRESH_SECONDS = 30;

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private volatile RedisEvents events = RedisEvents.NONE;
    private final StatefulConnection<byte[], byte[]> connection;
    /** The same connection as {@link #connection} on a cluster; null on one Redis. */
    private final StatefulRedisClusterConnection<byte[], byte[]> cluster;
    private final RedisClusterAsyncCommands<byte[], byte[]> async;
    /** On a cluster, the subscribed connections, whose losses {@link #onConnectionChange} reports. */
    private final Set<Object> subscribers = ConcurrentHashMap.newKeySet();
    private final Duration timeout;
    private final String keyPrefix;
    /** Whether it speaks to a Redis Cluster ({@code redis.cluster}). */
    private final boolean clustered;
    /** Put before a bucket's key on a cluster: {@code {<prefix>rl}}, the one slot of every bucket. */
    private final String limitTag;
    private final String where;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong outageFailures = new AtomicLong();
    private final RedisClock clock;
    /** When the next probe of an outage may ask Redis (System.nanoTime). */
    private final AtomicLong nextProbeNanos = new AtomicLong();
    private final ScheduledExecutorService checks;
    private volatile String lastError;
    private volatile long lastErrorAtMillis;

    private RedisStore(String uri, boolean clustered, String password, Duration timeout, String keyPrefix) {
        // The handshake at start-up is off the request path: it may take longer than a command.
        Duration handshake = timeout.compareTo(CONNECT_TIMEOUT) > 0 ? timeout : CONNECT_TIMEOUT;
        List<RedisURI> nodes = clustered ? seeds(uri) : List.of(standalone(uri));
        for (RedisURI node : nodes) {
            if (password != null) {
                node.setCredentialsProvider(new io.lettuce.core.StaticCredentialsProvider(node.getUsername(),
                        password.toCharArray()));
            }
            node.setTimeout(handshake);
        }
        if (clustered && (keyPrefix.indexOf('{') >= 0 || keyPrefix.indexOf('}') >= 0)) {
            throw new IllegalArgumentException("redis.key-prefix : \"" + keyPrefix + "\" (expected: no { or } with "
                    + "redis.cluster: true, where Peregrine sets the hash tags: the rate limits' keys share one, "
                    + "every other key spreads over the cluster)");
        }
        RedisURI first = nodes.get(0);
        this.where = clustered ? hosts(nodes) + " (cluster)"
                : first.getHost() + ":" + first.getPort() + "/" + first.getDatabase();
        this.timeout = timeout;
        this.keyPrefix = keyPrefix;
        this.clustered = clustered;
        this.limitTag = clustered ? "{" + keyPrefix + "rl}" : "";
        this.resources = ClientResources.builder().commandLatencyRecorder(new LatencyRecorder()).build();
        ClientOptions options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build();
        try {
            if (clustered) {
                RedisClusterClient c = RedisClusterClient.create(resources, nodes);
                this.client = c;
                c.setOptions(ClusterClientOptions.builder(options)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                                .enableAllAdaptiveRefreshTriggers()
                                .build())
                        .build());
                this.cluster = connect(c, () -> c.connect(ByteArrayCodec.INSTANCE));
                this.connection = cluster;
                this.async = cluster.async();
            } else {
                RedisClient c = RedisClient.create(resources, first);
                this.client = c;
                c.setOptions(options);
                StatefulRedisConnection<byte[], byte[]> one = connect(c, () -> c.connect(ByteArrayCodec.INSTANCE));
                this.cluster = null;
                this.connection = one;
                this.async = one.async();
                refuseClusterNode(one, handshake);
            }
        } catch (RuntimeException e) {
            resources.shutdown();
            throw e;
        }
        this.clock = new RedisClock(this::time, timeout);
        this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "peregrine-redis-check");
            t.setDaemon(true);
            return t;
        });
        checks.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** {@code uri} as one Redis: the whole of it a Lettuce URI, several servers only behind Sentinel. */
    private static RedisURI standalone(String uri) {
        if (uri.contains(",") && !uri.startsWith("redis-sentinel:") && !uri.startsWith("rediss-sentinel:")) {
            throw new IllegalArgumentException("redis.uri : \"" + uri + "\" names several Redis servers (expected: one, "
                    + "redis://host:port/db or rediss://host:port/db; for the seed nodes of a Redis Cluster set "
                    + "redis.cluster: true)");
        }
        try {
            return RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redis.uri : \"" + uri + "\" (expected: redis://host:port/db or "
                    + "rediss://host:port/db; " + e.getMessage() + ")", e);
        }
    }

    /**
     * {@code uri} as the seed nodes of a Redis Cluster: comma-separated Lettuce URIs
     * ({@code redis://10.0.0.1:7000,redis://10.0.0.2:7000}), each of which may itself list more
     * hosts as Lettuce's cluster URIs do ({@code redis://10.0.0.1:7000,10.0.0.2:7000}, the hosts
     * after the first taking its scheme and credentials). All of them {@code redis://} or all
     * {@code rediss://}, and database 0, the only one a cluster has.
     */
    static List<RedisURI> seeds(String uri) {
        List<String> segments = new ArrayList<>();
        for (String part : uri.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("redis.uri : \"" + uri + "\" has an empty seed node (expected: "
                        + "redis://host:port,redis://host:port,... with redis.cluster: true)");
            }
            if (p.contains("://") || segments.isEmpty()) {
                segments.add(p);
            } else {
                segments.set(segments.size() - 1, segments.get(segments.size() - 1) + "," + p);
            }
        }
        List<RedisURI> out = new ArrayList<>();
        for (String segment : segments) {
            if (!segment.startsWith("redis://") && !segment.startsWith("rediss://")) {
                throw new IllegalArgumentException("redis.uri : \"" + segment + "\" is not a seed node of a Redis "
                        + "Cluster (expected: redis://host:port or rediss://host:port with redis.cluster: true; "
                        + "Sentinel and Unix sockets serve one Redis: set redis.cluster: false)");
            }
            try {
                int database = RedisURI.create(segment).getDatabase();
                if (database != 0) {
                    throw new IllegalArgumentException("database " + database + ": a Redis Cluster has only database 0");
                }
                out.addAll(RedisClusterURIUtil.toRedisURIs(URI.create(segment)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("redis.uri : \"" + segment + "\" (expected: a seed node of the "
                        + "Redis Cluster, redis://host:port or rediss://host:port; " + e.getMessage() + ")", e);
            }
        }
        for (RedisURI node : out) {
            if (node.isSsl() != out.get(0).isSsl()) {
                throw new IllegalArgumentException("redis.uri : \"" + uri + "\" mixes redis:// and rediss:// seed nodes "
                        + "(expected: all of them rediss:// when the cluster speaks TLS, else all redis://)");
            }
        }
        return out;
    }

    private static String hosts(List<RedisURI> nodes) {
        StringBuilder b = new StringBuilder();
        for (RedisURI node : nodes) {
            b.append(b.length() == 0 ? "" : ",").append(node.getHost()).append(':').append(node.getPort());
        }
        return b.toString();
    }

    /** Connects with {@code connect}; a failure names the setting and shuts the client down. */
    private <C> C connect(AbstractRedisClient c, java.util.function.Supplier<C> connect) {
        try {
            return connect.get();
        } catch (RuntimeException e) {
            c.shutdown();
            if (!clustered) {
                throw new IllegalStateException("redis.uri : cannot connect to Redis at " + where + " (" + e.getMessage()
                        + "); start Redis or unset redis.uri to keep limits in this process", e);
            }
            // Lettuce's own message says the cluster failed; its cause says how.
            String cause = e.getCause() == null || e.getCause().getMessage() == null ? e.getMessage()
                    : e.getMessage() + ": " + e.getCause().getMessage();
            throw new IllegalStateException("redis.uri : cannot connect to Redis at " + where + " (" + cause + "); "
                    + "start the cluster, name seed nodes of it that answer, or unset redis.uri to keep limits in "
                    + "this process", e);
        }
    }

    /**
     * Refuses a node of a Redis Cluster named without {@code redis.cluster: true}: spoken to as one
     * Redis, it would answer {@code MOVED} for most keys. A Redis that does not answer {@code INFO}
     * (an ACL that forbids it) is taken at its word.
     */
    private void refuseClusterNode(StatefulRedisConnection<byte[], byte[]> one, Duration wait) {
        String info;
        try {
            info = one.async().info("cluster").get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            return;
        }
        if (info != null && info.contains("cluster_enabled:1")) {
            one.close();
            client.shutdown();
            throw new IllegalStateException("redis.uri : Redis at " + where + " is a node of a Redis Cluster; set "
                    + "redis.cluster: true to use the cluster (redis.uri then names its seed nodes)");
        }
    }

    /**
     * A {@code PING} every {@value #CHECK_MILLIS} ms, so that the state {@code /ready} reports
     * follows Redis without traffic, and an outage ends as soon as Redis answers again rather
     * than at the next decision's probe. On a cluster every primary is asked: each holds a part
     * of the keys, so Redis answers only when all of them do.
     */
    private void check() {
        CompletableFuture<?> sent;
        try {
            sent = ping();
        } catch (RuntimeException e) {
            // A throw would end the schedule: the failure counts as an answer missed.
            sent = CompletableFuture.failedFuture(e);
        }
        sent.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((pong, failure) -> {
                    if (failure == null) {
                        answered();
                    } else {
                        unreachable(failure);
                    }
                });
    }

    /** {@code PING} to Redis, or to every primary of the cluster: completes when all have answered. */
    private CompletableFuture<?> ping() {
        if (cluster == null) {
            return async.ping().toCompletableFuture();
        }
        List<CompletableFuture<String>> pings = new ArrayList<>();
        for (RedisClusterNode node : cluster.getPartitions()) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                pings.add(cluster.getConnectionAsync(node.getNodeId())
                        .thenCompose(c -> c.async().ping().toCompletableFuture()));
            }
        }
        if (pings.isEmpty()) {
            return CompletableFuture.failedFuture(new io.lettuce.core.RedisException("no primary known in the cluster"));
        }
        return CompletableFuture.allOf(pings.toArray(new CompletableFuture<?>[0]));
    }

    /**
     * Redis's {@code TIME}; on a cluster, that of the primary holding the rate limits' slot, so that
     * every replica reads the clock that times the buckets.
     */
    private CompletableFuture<List<byte[]>> time() {
        if (cluster == null) {
            return async.time().toCompletableFuture();
        }
        RedisClusterNode node = cluster.getPartitions().getPartitionBySlot(SlotHash.getSlot(limitTag));
        if (node == null) {
            return CompletableFuture.failedFuture(new io.lettuce.core.RedisException(
                    "no node holds slot " + SlotHash.getSlot(limitTag)));
        }
        return cluster.getConnectionAsync(node.getNodeId()).thenCompose(c -> c.async().time().toCompletableFuture());
    }

    /**
     * Connects to {@code uri}, one Redis; fails at once, with a message naming the setting, when the
     * URI is malformed, the password's variable is unset, or Redis cannot be reached.
     *
     * @param passwordEnv the environment variable holding the password, or null/blank for none
     *                    (a password in the URI itself also works, and is discouraged)
     * @param env         where environment variables are read (System::getenv)
     */
    public static RedisStore connect(String uri, String passwordEnv, Duration timeout, String keyPrefix,
                                     Function<String, String> env) {
        return connect(uri, false, passwordEnv, timeout, keyPrefix, env);
    }

    /**
     * Connects to {@code uri}: one Redis, or with {@code cluster} ({@code redis.cluster}) the seed
     * nodes of a Redis Cluster, comma-separated. Fails at once, with a message naming the setting,
     * when the URI is malformed, the password's variable is unset, or Redis cannot be reached.
     *
     * @param passwordEnv the environment variable holding the password, or null/blank for none
     *                    (a password in the URI itself also works, and is discouraged); on a
     *                    cluster, every node's
     * @param env         where environment variables are read (System::getenv)
     */
    public static RedisStore connect(String uri, boolean cluster, String passwordEnv, Duration timeout,
                                     String keyPrefix, Function<String, String> env) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("redis.timeout : " + timeout + " (expected: > 0)");
        }
        String password = null;
        if (passwordEnv != null && !passwordEnv.isBlank()) {
            password = env.apply(passwordEnv);
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("redis.password-env : the environment variable " + passwordEnv
                        + " is not set (expected: the Redis password)");
            }
        }
        return new RedisStore(uri.trim(), cluster, password, timeout, keyPrefix == null ? "" : keyPrefix);
    }

    /**
     * The commands of the connection, one Redis's or a cluster's alike: they return at once and
     * complete on Lettuce's threads. On a cluster each goes to the node holding its key's slot.
     */
    public RedisClusterAsyncCommands<byte[], byte[]> async() {
        return async;
    }

    /** The same commands, blocking until answered: for tests and tools, never on a request's path. */
    RedisClusterCommands<byte[], byte[]> sync() {
        return cluster != null ? cluster.sync() : ((StatefulRedisConnection<byte[], byte[]>) connection).sync();
    }

    /** Whether this store speaks to a Redis Cluster ({@code redis.cluster: true}). */
    public boolean isCluster() {
        return cluster != null;
    }

    /**
     * A connection of its own for subscriptions (a subscribed connection takes no other command);
     * Lettuce subscribes it again after a reconnection. On a cluster it subscribes on one node, and
     * hears what is published on any: Redis Cluster passes every {@code PUBLISH} to every node. The
     * caller closes it.
     */
    StatefulRedisPubSubConnection<byte[], byte[]> subscriber() {
        if (client instanceof RedisClusterClient) {
            StatefulRedisPubSubConnection<byte[], byte[]> c = ((RedisClusterClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
            subscribers.add(c);
            return c;
        }
        return ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
    }

    /**
     * Runs {@code listener} on Lettuce's thread whenever one of this store's connections is lost
     * or made again (subscriptions included): whoever trusts what it heard on a channel learns
     * that it may have missed something. On a cluster only the subscribed connections count: the
     * client opens and closes connections to every node to read the topology, which loses nothing.
     */
    void onConnectionChange(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection,
                                         java.net.SocketAddress socketAddress) {
                if (counts(connection)) {
                    listener.run();
                }
            }

            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
                if (counts(connection)) {
                    listener.run();
                }
            }
        });
    }

    private boolean counts(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
        return cluster == null || subscribers.contains(connection);
    }

    /**
     * Runs {@code task} on the store's own thread, off Lettuce's: for work that may wait on a
     * connection being made (a cluster's {@code SCAN} moving on to a node not yet connected).
     * Once the store is closed, nothing runs.
     */
    void execute(Runnable task) {
        try {
            checks.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closed: the work was best effort
        }
    }

    /** The clock every replica reads alike: Redis's, kept here between synchronizations. */
    public RedisClock clock() {
        return clock;
    }

    public Duration timeout() {
        return timeout;
    }

    /** {@code key} below {@code redis.key-prefix}, as bytes. */
    public byte[] key(String key) {
        return (keyPrefix + key).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key of a rate-limit bucket: on one Redis {@link #key(String) below the prefix}
     * ({@code peregrine:rl:g:100/1000ms}); on a cluster after the hash tag {@code {<prefix>rl}}
     * ({@code {peregrine:rl}rl:g:100/1000ms}), so that every bucket is in one slot and one script
     * call can decide any of them together.
     */
    public byte[] limitKey(String bucketKey) {
        return (clustered ? limitTag + bucketKey : keyPrefix + bucketKey).getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the connection is up (Lettuce's view; it reconnects by itself). */
    public boolean isConnected() {
        return connection.isOpen();
    }

    /** Whether an outage is under way: failed since the last answer. */
    public boolean isDown() {
        return down.get();
    }

    /** Who hears of every command answered and every failure (the server's metrics); default nobody. */
    public void events(RedisEvents events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    /** Hands each command's latency, as Lettuce measures it, to the {@link RedisEvents}. */
    private final class LatencyRecorder implements CommandLatencyRecorder {
        @Override
        public void recordCommandLatency(java.net.SocketAddress local, java.net.SocketAddress remote,
                                         io.lettuce.core.protocol.RedisCommand<?, ?, ?> command,
                                         long firstResponseLatency, long completionLatency) {
            events.answered(command.getType().toString(), completionLatency, command.getOutput() != null
                    && command.getOutput().getError() != null);
        }

        @Override
        public void recordCommandLatency(java.net.SocketAddress local, java.net.SocketAddress remote,
                                         io.lettuce.core.protocol.ProtocolKeyword commandType,
                                         long firstResponseLatency, long completionLatency) {
            events.answered(commandType.toString(), completionLatency, false);
        }
    }

    /** Decisions made without Redis since start. */
    public long failures() {
        return failures.get();
    }

    /**
     * A decision failed over because Redis failed or timed out ({@code failure}), or was not asked
     * during a known outage (null): counted, and logged when it starts an outage.
     */
    public void failed(String what, Throwable failure) {
        failures.incrementAndGet();
        events.decidedWithoutRedis();
        outageFailures.incrementAndGet();
        down(what, failure);
    }

    /** A check or a task operation found Redis unreachable: an outage, if there was none, without a decision to count. */
    void unreachable(Throwable failure) {
        down("shared state falls back as configured", failure);
    }

    private void down(String what, Throwable failure) {
        if (failure == null) {
            // Decided without asking, the outage being known: nothing new to report.
            return;
        }
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        boolean timedOut = cause instanceof java.util.concurrent.TimeoutException
                || cause instanceof io.lettuce.core.RedisCommandTimeoutException;
        if (!(cause instanceof io.lettuce.core.RedisCommandExecutionException)) {
            // (An error reply was counted as it arrived, with its command.)
            events.failed(timedOut ? RedisEvents.Failure.TIMEOUT
                    : isConnectionFailure(cause) ? RedisEvents.Failure.CONNECTION : RedisEvents.Failure.OTHER);
        }
        String error = timedOut ? "no answer within " + timeout.toMillis() + " ms"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        lastError = error;
        lastErrorAtMillis = System.currentTimeMillis();
        if (down.compareAndSet(false, true)) {
            nextProbeNanos.set(System.nanoTime() + timeout.toNanos());
            log.warn("Redis at {} failed ({}); {} until it answers again", where, error, what);
        }
    }

    /** Lettuce refusing a command while disconnected, or losing the connection under it. */
    private static boolean isConnectionFailure(Throwable cause) {
        if (cause instanceof io.lettuce.core.RedisConnectionException || cause instanceof java.io.IOException) {
            return true;
        }
        String message = cause.getMessage();
        return cause instanceof io.lettuce.core.RedisException && message != null
                && (message.contains("not connected") || message.contains("closed"));
    }

    /**
     * Whether a decision should ask Redis now: always while it answers; during an outage, one
     * decision per {@code redis.timeout} (a probe), the others going straight to their failure
     * mode, so that a known outage costs calls no waiting.
     */
    public boolean available() {
        if (!down.get()) {
            return true;
        }
        long now = System.nanoTime();
        long next = nextProbeNanos.get();
        return now - next >= 0 && nextProbeNanos.compareAndSet(next, now + timeout.toNanos());
    }

    /** Runs {@code task} every {@code periodMillis} on the store's own thread, until cancelled or closed. */
    java.util.concurrent.ScheduledFuture<?> every(long periodMillis, Runnable task) {
        return checks.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Whether Redis answers: connected, and no command failed since the last answer. */
    public boolean isUp() {
        return !down.get() && connection.isOpen();
    }

    /** Where Redis is, as logs and reports name it: {@code host:port/db}. */
    public String where() {
        return where;
    }

    /** The last failure seen ("no answer within 250 ms", "RedisConnectionException: ..."), or null. */
    public String lastError() {
        return lastError;
    }

    /** When {@link #lastError()} happened (epoch milliseconds), or 0. */
    public long lastErrorAtMillis() {
        return lastErrorAtMillis;
    }

    /** A command was answered: ends an outage, if there was one. */
    public void answered() {
        if (down.get() && down.compareAndSet(true, false)) {
            log.warn("Redis at {} answers again after an outage that cost {} decisions", where,
                    outageFailures.getAndSet(0));
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
        clock.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
