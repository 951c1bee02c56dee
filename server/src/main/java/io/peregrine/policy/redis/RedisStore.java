package io.peregrine.policy.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One Redis connection shared by everything a replica keeps there, with its settings
 * ({@code redis.uri}, {@code redis.password-env}, {@code redis.timeout}, {@code redis.key-prefix})
 * and the bookkeeping of outages.
 *
 * <p>Lettuce reconnects by itself. While it is disconnected, commands are refused at once rather
 * than queued: a queued command would only wait out the timeout of the request behind it. Every
 * command also times out after {@code redis.timeout}, should Redis hang rather than go away.
 *
 * <p>An outage starts at the first failure and ends at the next answer; it is logged once when it
 * starts and once when it ends, with the decisions it cost in between, never once per request.
 * During an outage decisions ask Redis once per timeout ({@link #available()}, a circuit breaker),
 * and a {@code PING} every {@value #CHECK_MILLIS} ms keeps the state that {@code /ready} reports
 * current without traffic, ending the outage as soon as Redis answers.
 */
public final class RedisStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final long CHECK_MILLIS = 1000;

    private final ClientResources resources;
    private final RedisClient client;
    private volatile RedisEvents events = RedisEvents.NONE;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final Duration timeout;
    private final String keyPrefix;
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

    private RedisStore(String uri, String password, Duration timeout, String keyPrefix) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redis.uri : \"" + uri + "\" (expected: redis://host:port/db or "
                    + "rediss://host:port/db; " + e.getMessage() + ")", e);
        }
        if (password != null) {
            parsed.setCredentialsProvider(new io.lettuce.core.StaticCredentialsProvider(parsed.getUsername(),
                    password.toCharArray()));
        }
        // The handshake at start-up is off the request path: it may take longer than a command.
        parsed.setTimeout(timeout.compareTo(CONNECT_TIMEOUT) > 0 ? timeout : CONNECT_TIMEOUT);
        this.where = parsed.getHost() + ":" + parsed.getPort() + "/" + parsed.getDatabase();
        this.timeout = timeout;
        this.keyPrefix = keyPrefix;
        this.resources = ClientResources.builder().commandLatencyRecorder(new LatencyRecorder()).build();
        this.client = RedisClient.create(resources, parsed);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        try {
            this.connection = client.connect(ByteArrayCodec.INSTANCE);
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw new IllegalStateException("redis.uri : cannot connect to Redis at " + where + " (" + e.getMessage()
                    + "); start Redis or unset redis.uri to keep limits in this process", e);
        }
        this.clock = new RedisClock(connection, timeout);
        this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "peregrine-redis-check");
            t.setDaemon(true);
            return t;
        });
        checks.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * A {@code PING} every {@value #CHECK_MILLIS} ms, so that the state {@code /ready} reports
     * follows Redis without traffic, and an outage ends as soon as Redis answers again rather
     * than at the next decision's probe.
     */
    private void check() {
        connection.async().ping().toCompletableFuture().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .whenComplete((pong, failure) -> {
                    if (failure == null) {
                        answered();
                    } else {
                        unreachable(failure);
                    }
                });
    }

    /**
     * Connects to {@code uri}; fails at once, with a message naming the setting, when the URI is
     * malformed, the password's variable is unset, or Redis cannot be reached.
     *
     * @param passwordEnv the environment variable holding the password, or null/blank for none
     *                    (a password in the URI itself also works, and is discouraged)
     * @param env         where environment variables are read (System::getenv)
     */
    public static RedisStore connect(String uri, String passwordEnv, Duration timeout, String keyPrefix,
                                     Function<String, String> env) {
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
        return new RedisStore(uri, password, timeout, keyPrefix == null ? "" : keyPrefix);
    }

    /** The connection: commands on it return at once and complete on Lettuce's threads. */
    public StatefulRedisConnection<byte[], byte[]> connection() {
        return connection;
    }

    /**
     * A connection of its own for subscriptions (a subscribed connection takes no other command);
     * Lettuce subscribes it again after a reconnection. The caller closes it.
     */
    io.lettuce.core.pubsub.StatefulRedisPubSubConnection<byte[], byte[]> subscriber() {
        return client.connectPubSub(ByteArrayCodec.INSTANCE);
    }

    /**
     * Runs {@code listener} on Lettuce's thread whenever one of this store's connections is lost
     * or made again (subscriptions included): whoever trusts what it heard on a channel learns
     * that it may have missed something.
     */
    void onConnectionChange(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection,
                                         java.net.SocketAddress socketAddress) {
                listener.run();
            }

            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
                listener.run();
            }
        });
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
