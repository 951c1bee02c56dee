package io.peregrine.policy.redis;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigException;
import io.peregrine.launcher.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Replicas sharing a real redis-server agree on the settings that shape shared keys: two
 * in-process replicas alike start; one that differs is refused (or warned about) with a message
 * naming each differing setting and both values; a fleet that is gone no longer counts.
 */
class ReplicaAgreementTest {

    private static final String STATE_KEY = "0123456789abcdef0123456789abcdef-shared";
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    /** A replica of the server named {@code name}: its own ports, the given settings on top. */
    private static Peregrine replica(String name, String... sets) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("--set", "redis.uri=" + redis.uri(), "--set", "server.name=" + name,
                "--set", "tcp.port=0", "--set", "http.enabled=false", "--set", "redis.disagreement=refuse",
                "--set", "limits.per-principal-tool=echo=5/1m", "--set", "client-requests.state-key=" + STATE_KEY));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        return Main.start(args.toArray(String[]::new), Map.of());
    }

    private static List<String> members(String name) {
        try (RedisStore store = RedisStore.connect(redis.uri(), null, Duration.ofSeconds(5), "", Map.<String, String>of()::get)) {
            List<String> out = new ArrayList<>();
            for (byte[] m : store.sync().zrange((ReplicaAgreement.NAMESPACE + name)
                    .getBytes(StandardCharsets.UTF_8), 0, -1)) {
                out.add(new String(m, StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    @Test
    void replicasAlikeStartAndOneThatDiffersIsRefusedNamingEachSetting() throws Exception {
        String name = "fleet-" + UUID.randomUUID();
        try (Peregrine a = replica(name); Peregrine b = replica(name)) {
            assertThat(a.isReady()).isTrue();
            assertThat(b.isReady()).isTrue();
            assertThat(members(name)).hasSize(2);

            assertThatThrownBy(() -> replica(name, "limits.per-principal-tool=echo=10/1m", "redis.key-prefix=other:",
                    "client-requests.state-key=another-key-of-32-bytes-or-more-000",
                    "gateway.session-key=a-session-key-of-another-replica"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("redis.disagreement")
                    .hasMessageContaining("disagree on settings that shape what they keep there")
                    .hasMessageContaining("limits.per-principal-tool is \"echo=10/1m\" here but \"echo=5/1m\" on replica ")
                    .hasMessageContaining("redis.key-prefix is \"other:\" here but \"peregrine:\" on replica ")
                    .hasMessageContaining("client-requests.state-key is \"sha256:")
                    .hasMessageContaining("gateway.session-key is \"sha256:")
                    // Settings that agree are not named, and no secret is ever written or quoted.
                    .message().doesNotContain("limits.global").doesNotContain("limits.per-principal is")
                    .doesNotContain(STATE_KEY).doesNotContain("another-key")
                    .doesNotContain("a-session-key-of-another-replica");
            assertThat(members(name)).as("the refused replica did not join").hasSize(2);

            // Another server (another name) on the same Redis is no replica of this one.
            try (Peregrine other = replica("other-" + name, "limits.per-principal-tool=echo=10/1m")) {
                assertThat(other.isReady()).isTrue();
            }
        }
        // Both gone (their entries removed as they closed): the fleet may be restarted with new settings.
        assertThat(members(name)).isEmpty();
        try (Peregrine reconfigured = replica(name, "limits.per-principal-tool=echo=10/1m")) {
            assertThat(reconfigured.isReady()).isTrue();
        }
    }

    @Test
    void warnStartsAnywayAndAnEmptyStateKeyOnTwoReplicasIsADisagreement() throws Exception {
        String prefix = "t-" + UUID.randomUUID() + ":";
        String name = "fleet-" + UUID.randomUUID();
        try (RedisStore one = RedisStore.connect(redis.uri(), null, Duration.ofSeconds(5), prefix, Map.<String, String>of()::get);
             RedisStore two = RedisStore.connect(redis.uri(), null, Duration.ofSeconds(5), prefix, Map.<String, String>of()::get)) {
            Map<String, String> settings = Map.of("limits.global", "100/1s",
                    "client-requests.state-key", ReplicaAgreement.secret(""));
            try (ReplicaAgreement first = ReplicaAgreement.join(one, name, settings, ReplicaAgreement.Mode.WARN);
                 ReplicaAgreement second = ReplicaAgreement.join(two, name, Map.of("limits.global", "200/1s",
                         "client-requests.state-key", ReplicaAgreement.secret("")), ReplicaAgreement.Mode.WARN)) {
                assertThat(first.disagreements()).isEmpty();
                assertThat(second.disagreements()).containsExactlyInAnyOrder(
                        "limits.global is \"200/1s\" here but \"100/1s\" on replica " + first.replica(),
                        "client-requests.state-key is empty here and on replica " + first.replica()
                                + ", so each signs with a key of its own and refuses what the other signed");
            }
        }
    }
}
