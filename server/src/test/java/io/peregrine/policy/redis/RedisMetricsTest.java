package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.client.PeregrineClient;
import io.peregrine.launcher.Main;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis metrics in the server's Prometheus registry, scraped from {@code /metrics} while
 * calls go through shared limits on a real redis-server: commands and their latency by command,
 * Redis up, then failures and decisions made without Redis while it is frozen.
 */
class RedisMetricsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String scrape(Peregrine server) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.addresses().http().getPort()
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the sample {@code series} (name and labels as exposed), or -1 when absent. */
    private static double value(String page, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)").matcher(page);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** Scrapes until {@code until} holds, bounded: 100 times, 100 ms apart. */
    private static String await(Peregrine server, Predicate<String> until) throws Exception {
        String page = scrape(server);
        for (int i = 0; i < 100 && !until.test(page); i++) {
            Thread.sleep(100);
            page = scrape(server);
        }
        return page;
    }

    @Test
    void commandsLatencyFailuresAndDecisionsWithoutRedisAreCounted() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Peregrine server = Main.start(new String[] {"--set", "redis.uri=" + redis.uri(), "--set", "redis.timeout=300ms",
                     "--set", "limits.per-principal=1000/1m", "--set", "tcp.port=0", "--set", "http.port=0"}, Map.of());
             PeregrineClient client = PeregrineClient.builder().address(server.addresses().tcp()).connect()) {
            for (int i = 0; i < 5; i++) {
                client.callTool("echo", Map.of("message", "m" + i));
            }
            String page = await(server, p -> value(p, "peregrine_redis_commands_total{command=\"PING\",result=\"ok\"}") > 0);
            assertThat(value(page, "peregrine_redis_up")).isEqualTo(1);
            assertThat(value(page, "peregrine_redis_commands_total{command=\"EVALSHA\",result=\"ok\"}")).isGreaterThanOrEqualTo(5);
            assertThat(value(page, "peregrine_redis_command_duration_seconds_count{command=\"EVALSHA\"}"))
                    .isGreaterThanOrEqualTo(5);
            assertThat(value(page, "peregrine_redis_command_duration_seconds_bucket{command=\"EVALSHA\",le=\"1.0\"}"))
                    .isGreaterThanOrEqualTo(5);
            assertThat(value(page, "peregrine_redis_commands_total{command=\"PING\",result=\"ok\"}")).isPositive();
            assertThat(value(page, "peregrine_redis_errors_total{error=\"timeout\"}")).isZero();
            assertThat(value(page, "peregrine_redis_fallback_decisions_total{mode=\"fail_open\"}")).isZero();

            redis.pause();
            try {
                for (int i = 0; i < 3; i++) {
                    client.callTool("echo", Map.of("message", "frozen" + i));
                }
                page = await(server, p -> value(p, "peregrine_redis_up") == 0);
            } finally {
                redis.resume();
            }
            assertThat(value(page, "peregrine_redis_up")).isZero();
            assertThat(value(page, "peregrine_redis_errors_total{error=\"timeout\"}")).isPositive();
            assertThat(value(page, "peregrine_redis_fallback_decisions_total{mode=\"fail_open\"}")).isEqualTo(3);

            redis.stop();
            page = await(server, p -> value(p, "peregrine_redis_errors_total{error=\"connection\"}") > 0);
            assertThat(value(page, "peregrine_redis_errors_total{error=\"connection\"}")).isPositive();
            assertThat(value(page, "peregrine_redis_up")).isZero();
        }
    }
}
