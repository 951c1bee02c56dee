package io.peregrine.ops.metrics;

import io.peregrine.policy.redis.RedisEvents;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The metrics of the Redis that replicas share state through: commands answered and their
 * latency by command, failures by kind, decisions made without Redis, and whether it answers.
 * Registered in the server's registry when {@code redis.uri} is set; the store hands it every
 * event ({@link RedisEvents}), the data point of each label set resolved once.
 *
 * <p>Commands are labelled by their name as Redis spells it; the store issues a handful of
 * kinds (GET, EVAL, EVALSHA, SET, PING, TIME, ZADD, ...), and beyond {@value #MAX_COMMANDS}
 * distinct names the rest are counted as {@code _OTHER}, so the label stays bounded whatever
 * the client does.
 */
public final class RedisMetrics implements RedisEvents {

    static final int MAX_COMMANDS = 32;
    /** Loopback answers in tens of microseconds; a timeout is hundreds of milliseconds. */
    private static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1};

    /** A command's resolved data points. */
    private static final class Command {
        final CounterDataPoint answered;
        final CounterDataPoint errorReplies;
        final ClassicHistogram.Point latency;

        Command(CounterDataPoint answered, CounterDataPoint errorReplies, ClassicHistogram.Point latency) {
            this.answered = answered;
            this.errorReplies = errorReplies;
            this.latency = latency;
        }
    }

    private final Counter commands;
    private final ClassicHistogram durations;
    private final Map<String, Command> byName = new ConcurrentHashMap<>();
    private final Command other;
    private final CounterDataPoint[] failures = new CounterDataPoint[RedisEvents.Failure.values().length];
    private final CounterDataPoint withoutRedis;

    /**
     * Registers the metrics in {@code registry}.
     *
     * @param up          whether Redis answers now, read at scrape time
     * @param failureMode {@code limits.redis-failure}, the label of decisions made without Redis
     */
    public RedisMetrics(PrometheusRegistry registry, BooleanSupplier up, String failureMode) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(up, "up");
        this.commands = Counter.builder()
                .name("peregrine_redis_commands_total")
                .help("Commands Redis answered, by command and result (ok, or error for an error reply)")
                .labelNames("command", "result")
                .withoutExemplars()
                .register(registry);
        this.durations = new ClassicHistogram("peregrine_redis_command_duration_seconds",
                "Time from writing a command to Redis to its answer, by command", Unit.SECONDS, BUCKETS, "command");
        registry.register(durations);
        this.other = command(MetricsObserver.OTHER);
        Counter failed = Counter.builder()
                .name("peregrine_redis_errors_total")
                .help("Redis operations that failed: error (timeout, connection, reply, other)")
                .labelNames("error")
                .withoutExemplars()
                .register(registry);
        for (RedisEvents.Failure f : RedisEvents.Failure.values()) {
            failures[f.ordinal()] = failed.labelValues(f.name().toLowerCase(Locale.ROOT));
        }
        this.withoutRedis = Counter.builder()
                .name("peregrine_redis_fallback_decisions_total")
                .help("Rate-limit decisions made without Redis, by the failure mode (limits.redis-failure)")
                .labelNames("mode")
                .withoutExemplars()
                .register(registry)
                .labelValues(failureMode.trim().replace('-', '_'));
        GaugeWithCallback.builder()
                .name("peregrine_redis_up")
                .help("1 while Redis answers (connected, no failure since its last answer), else 0")
                .callback(callback -> callback.call(up.getAsBoolean() ? 1 : 0))
                .register(registry);
    }

    private Command command(String name) {
        return new Command(commands.labelValues(name, "ok"), commands.labelValues(name, "error"), durations.point(name));
    }

    @Override
    public void answered(String command, long nanos, boolean error) {
        Command c = byName.get(command);
        if (c == null) {
            c = byName.size() >= MAX_COMMANDS ? other : byName.computeIfAbsent(command, this::command);
        }
        (error ? c.errorReplies : c.answered).inc();
        c.latency.observe(nanos / 1e9);
        if (error) {
            failures[RedisEvents.Failure.REPLY.ordinal()].inc();
        }
    }

    @Override
    public void failed(RedisEvents.Failure failure) {
        failures[failure.ordinal()].inc();
    }

    @Override
    public void decidedWithoutRedis() {
        withoutRedis.inc();
    }
}
