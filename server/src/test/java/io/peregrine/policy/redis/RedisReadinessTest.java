package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.launcher.Main;
import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /ready} reports Redis: up or down, where, and the last error; with
 * {@code redis.required=true} a replica is not ready while a real redis-server is stopped, and
 * ready again once it is started on the same port, with no step of its own.
 */
@SuppressWarnings("unchecked")
class RedisReadinessTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Peregrine server(RedisServer redis, String... sets) throws InterruptedException {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--set", "redis.uri=" + redis.uri(),
                "--set", "tcp.enabled=false", "--set", "http.port=0", "--set", "limits.per-principal=100/1s"));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return Main.start(args.toArray(String[]::new), Map.of());
    }

    /** One GET of /ready: its status code and its body, parsed. */
    private static final class Ready {
        final int status;
        final Map<String, Object> body;

        Ready(int status, Map<String, Object> body) {
            this.status = status;
            this.body = body;
        }

        Map<String, Object> redis() {
            return (Map<String, Object>) ((Map<String, Object>) body.get("dependencies")).get("redis");
        }
    }

    private static Ready ready(Peregrine server) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.addresses().http().getPort() + "/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Ready(r.statusCode(), (Map<String, Object>) JsonTree.parse(r.body()));
    }

    /** Asks /ready until {@code until} holds, bounded: 200 times, 100 ms apart. */
    private static Ready await(Peregrine server, Predicate<Ready> until) throws Exception {
        Ready r = ready(server);
        for (int i = 0; i < 200 && !until.test(r); i++) {
            Thread.sleep(100);
            r = ready(server);
        }
        return r;
    }

    @Test
    void requiredRedisStoppedMakesTheReplicaNotReadyUntilItIsBack() throws Exception {
        try (RedisServer redis = RedisServer.start(); Peregrine server = server(redis, "redis.required=true")) {
            Ready up = ready(server);
            assertThat(up.status).isEqualTo(200);
            assertThat(up.body).containsEntry("status", "ready");
            assertThat(up.redis()).containsEntry("status", "up").containsEntry("required", true)
                    .containsEntry("detail", "127.0.0.1:" + redis.port() + "/0");

            redis.stop();
            Ready down = await(server, r -> r.status == 503);
            assertThat(down.status).isEqualTo(503);
            assertThat(down.body).containsEntry("status", "not ready");
            assertThat(down.redis()).containsEntry("status", "down").containsEntry("required", true);
            assertThat((String) down.redis().get("detail")).startsWith("127.0.0.1:" + redis.port() + "/0: ")
                    .containsPattern("disconnected|last error at .*Z: .+");
            assertThat(server.isReady()).isFalse();

            redis.restart();
            Ready back = await(server, r -> r.status == 200);
            assertThat(back.status).isEqualTo(200);
            assertThat(back.body).containsEntry("status", "ready");
            assertThat(back.redis()).containsEntry("status", "up");
        }
    }

    @Test
    void optionalRedisFrozenIsReportedWithItsErrorWhileTheReplicaStaysReady() throws Exception {
        try (RedisServer redis = RedisServer.start(); Peregrine server = server(redis, "redis.timeout=300ms")) {
            assertThat(ready(server).redis()).containsEntry("status", "up").containsEntry("required", false);
            redis.pause();
            Ready down;
            try {
                // Frozen, not gone: the connection stays open; the store's own PING finds no answer.
                down = await(server, r -> "down".equals(r.redis().get("status")));
            } finally {
                redis.resume();
            }
            assertThat(down.status).isEqualTo(200);
            assertThat(down.body).containsEntry("status", "ready");
            assertThat(down.redis()).containsEntry("status", "down").containsEntry("required", false);
            assertThat((String) down.redis().get("detail")).matches("127\\.0\\.0\\.1:\\d+/0: last error at "
                    + "\\d{4}-.*Z: no answer within 300 ms");

            Ready back = await(server, r -> "up".equals(r.redis().get("status")));
            assertThat(back.redis()).containsEntry("status", "up");
            // The last error stays in the report once Redis is back, with its time.
            assertThat((String) back.redis().get("detail")).contains("; last error at ").endsWith("no answer within 300 ms");
        }
    }
}
