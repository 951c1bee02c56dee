package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Short, bounded runs of the load generator against real servers on loopback. */
class TcpLoadGeneratorTest {

    @ParameterizedTest
    @CsvSource({"peregrine,tcp,2025-11-25", "peregrine,tcp,2026-07-28", "raw,tcp,2025-11-25",
            "peregrine,ws,2025-11-25", "peregrine,ws,2026-07-28", "raw,ws,2025-11-25"})
    void measuresWithoutErrors(String target, String transport, String era) throws Exception {
        Map<String, Object> s = LoadMain.run(Map.of("target", target, "transport", transport, "connections", "2", "depth", "4",
                "payload", "100", "era", era, "warmup", "300ms", "duration", "700ms"));
        assertThat((Long) s.get("requests")).isPositive();
        assertThat(s.get("errors")).isEqualTo(0L);
        assertThat((Long) s.get("p50Micros")).isLessThanOrEqualTo((Long) s.get("p99Micros"));
        assertThat((Long) s.get("p99Micros")).isLessThanOrEqualTo((Long) s.get("maxMicros"));
    }

    @Test
    void errorResponsesAreCountedNotMeasured() throws Exception {
        Map<String, Object> s = LoadMain.run(Map.of("target", "peregrine", "connections", "1", "depth", "2",
                "payload", "10", "era", "2025-11-25", "warmup", "100ms", "duration", "400ms", "tool", "no-such-tool"));
        assertThat(s.get("requests")).isEqualTo(0L);
        assertThat((Long) s.get("errors")).isPositive();
    }
}
