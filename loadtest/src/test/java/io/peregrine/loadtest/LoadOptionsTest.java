package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadOptionsTest {

    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 7400);

    @Test
    void defaultsAreTheCompareSettings() {
        LoadSettings s = LoadOptions.parse().settings(LOCAL);

        assertThat(s.connections()).isEqualTo(16);
        assertThat(s.depth()).isEqualTo(16);
        assertThat(s.openLoop()).isFalse();
        assertThat(s.payloadBytes()).isEqualTo(100);
        assertThat(s.era()).isEqualTo(Era.V2025_11_25);
        assertThat(s.transport()).isEqualTo(Transport.TCP);
        assertThat(s.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aRateMakesAnOpenLoop() {
        LoadSettings s = LoadOptions.parse("--rate", "50_000", "--connections", "4", "--era", "2026-07-28",
                "--transport", "ws", "--warmup", "500ms", "--duration", "1.5s", "--max-requests", "1000").settings(LOCAL);

        assertThat(s.openLoop()).isTrue();
        assertThat(s.rate()).isEqualTo(50_000);
        assertThat(s.depth()).isZero();
        assertThat(s.era()).isEqualTo(Era.V2026_07_28);
        assertThat(s.transport()).isEqualTo(Transport.WEBSOCKET);
        assertThat(s.warmup()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.maxRequests()).isEqualTo(1000);
    }

    @Test
    void badCommandLinesAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> LoadOptions.parse("--depth", "4", "--rate", "100"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
        assertThatThrownBy(() -> LoadOptions.parse("--conections", "4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> LoadOptions.parse("--duration", "soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--duration");
        assertThatThrownBy(() -> LoadOptions.parse("--era", "2024-11-05"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("era");
        assertThatThrownBy(() -> LoadOptions.parse("--connections", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connections");
        assertThatThrownBy(() -> LoadOptions.parse("--target", "127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> LoadOptions.parse("--payload"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no value");
    }

    @Test
    void durationsTakeAUnit() {
        assertThat(LoadOptions.parseDuration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(LoadOptions.parseDuration("x", "5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(LoadOptions.parseDuration("x", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(LoadOptions.parseDuration("x", "3")).isEqualTo(Duration.ofSeconds(3));
    }
}
