package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Short, bounded runs of the generator against real servers on loopback. */
class TcpLoadGeneratorTest {

    @ParameterizedTest(name = "{0} over {1}, {2}")
    @CsvSource({
            "peregrine, tcp, 2025-11-25",
            "raw,       tcp, 2025-11-25",
            "peregrine, tcp, 2026-07-28",
            "raw,       tcp, 2026-07-28",
            "peregrine, ws,  2025-11-25",
            "raw,       ws,  2025-11-25",
            "peregrine, http, 2025-11-25",
            "peregrine, http, 2026-07-28",
            "raw,       http, 2025-11-25",
            "raw,       http, 2026-07-28"})
    void closedLoopCompletesRequestsWithoutErrors(String server, String transport, String era) throws Exception {
        try (Target target = Target.start(server, Transport.of(transport), Era.of(era), 100)) {
            LoadResult r = new TcpLoadGenerator(LoadSettings.builder(target.address())
                    .transport(Transport.of(transport)).era(Era.of(era))
                    .connections(2).depth(4).payloadBytes(100)
                    .warmup(Duration.ofMillis(150)).duration(Duration.ofMillis(400))
                    .build()).run();

            assertThat(r.requests()).isPositive();
            assertThat(r.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(r.seconds()).isBetween(0.39, 2.0);
            assertPercentilesOrdered(r);
        }
    }

    @Test
    void openLoopSendsAtTheRateAsked() throws Exception {
        try (Target target = Target.start("peregrine", Transport.TCP, Era.V2025_11_25, 100)) {
            LoadResult r = new TcpLoadGenerator(LoadSettings.builder(target.address())
                    .connections(2).rate(2_000)
                    .warmup(Duration.ofMillis(200)).duration(Duration.ofMillis(500))
                    .build()).run();

            // Never more than the schedule holds (a server this fast would take tens of thousands per
            // second from a closed loop): the window cannot see more answers than the requests due
            // by its end, counting the warm-up's, which a starved machine sends late, into the
            // window. Below the rate only when a busy machine starves the run: the requests are
            // then late, not missing, and a floor would test the machine, not the pacing.
            assertThat(r.requests()).isPositive();
            assertThat(r.requests()).isLessThanOrEqualTo((long) Math.ceil(2_000 * (0.2 + r.seconds())) + 2);
            assertThat(r.errors()).isEqualTo(ErrorCounts.NONE);
            assertPercentilesOrdered(r);
        }
    }

    /**
     * The server stops answering for 300 ms in the middle of the window. The open loop keeps
     * sending on schedule, so every request due during the stall is timed from when it was due:
     * about a third of the window's requests wait, up to the whole stall. Timed from when they
     * were written instead, a closed loop would show one slow response per slot in flight.
     */
    @Test
    void openLoopCountsTheWaitOfRequestsDueWhileTheServerStalls() throws Exception {
        AtomicLong lines = new AtomicLong();
        UnaryOperator<String> stallOnce = line -> {
            if (lines.incrementAndGet() == 400) { // 200 ms of warm-up and 200 ms into the window
                sleep(300);
            }
            return LineServer.result(LineServer.id(line));
        };
        try (LineServer server = new LineServer(stallOnce)) {
            LoadResult r = new TcpLoadGenerator(LoadSettings.builder(server.address())
                    .era(Era.V2026_07_28).connections(1).rate(1_000)
                    .warmup(Duration.ofMillis(200)).duration(Duration.ofMillis(800))
                    .build()).run();

            assertThat(r.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(r.maxMicros()).isGreaterThanOrEqualTo(250_000);
            assertThat(r.percentileMicros(80)).isGreaterThanOrEqualTo(50_000);
        }
    }

    @Test
    void errorResponsesAreCountedAndNeverTimed() throws Exception {
        try (Target target = Target.start("peregrine", Transport.TCP, Era.V2025_11_25, 10)) {
            LoadResult r = new TcpLoadGenerator(LoadSettings.builder(target.address())
                    .tool("no-such-tool").connections(1).depth(2).payloadBytes(10)
                    .warmup(Duration.ofMillis(100)).duration(Duration.ofMillis(300))
                    .build()).run();

            assertThat(r.requests()).isZero();
            assertThat(r.errors().errorResponses()).isPositive();
            assertThat(r.errors().total()).isEqualTo(r.errors().errorResponses());
            assertThat(r.errors().outsideWindow()).isPositive(); // warm-up saw them too
        }
    }

    @Test
    void responsesWithIdsNotInFlightAreCountedAsMismatches() throws Exception {
        // Ids far ahead of any sent: an answer with another request's id in flight would be taken as its.
        try (LineServer server = new LineServer(line -> LineServer.result(LineServer.id(line) + 1000))) {
            LoadResult r = new TcpLoadGenerator(LoadSettings.builder(server.address())
                    .era(Era.V2026_07_28).connections(1).depth(2)
                    .warmup(Duration.ZERO).duration(Duration.ofMillis(300))
                    .build()).run();

            assertThat(r.requests()).isZero();
            assertThat(r.errors().mismatches()).isPositive();
            assertThat(r.errors().total()).isEqualTo(r.errors().mismatches());
        }
    }

    @Test
    void failedInitializeStopsTheRunBeforeItStarts() throws Exception {
        String error = "{\"jsonrpc\":\"2.0\",\"id\":0,\"error\":{\"code\":-32602,\"message\":\"Unsupported protocol version\"}}";
        try (LineServer server = new LineServer(line -> line.contains("\"initialize\"") ? error : null)) {
            TcpLoadGenerator generator = new TcpLoadGenerator(LoadSettings.builder(server.address())
                    .connections(1).depth(1).warmup(Duration.ZERO).duration(Duration.ofMillis(100)).build());

            assertThatThrownBy(generator::run)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Unsupported protocol version");
        }
    }

    @Test
    void theWindowClosesAfterMaxRequests() throws Exception {
        try (Target target = Target.start("raw", Transport.TCP, Era.V2025_11_25, 100)) {
            LoadResult r = new TcpLoadGenerator(LoadSettings.builder(target.address())
                    .connections(2).depth(4).maxRequests(2_000)
                    .warmup(Duration.ofMillis(100)).duration(Duration.ofSeconds(10))
                    .build()).run();

            assertThat(r.requests()).isEqualTo(2_000);
            assertThat(r.filled()).as("closed by maxRequests, not by its 10 s duration").isTrue();
        }
    }

    @Test
    void onlyLoopbackTargetsAreAccepted() {
        assertThatThrownBy(() -> LoadSettings.builder(new InetSocketAddress("192.0.2.1", 7400)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> LoadOptions.parse("--target", "192.0.2.1:7400"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        assertThat(Target.loopback("[::1]:7400").getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void credentialsGoToConnectionsInTurnAndNeverBreakAHeaderOrAJsonString() {
        LoadSettings.Builder b = LoadSettings.builder(new InetSocketAddress("127.0.0.1", 7400)).connections(4);
        assertThatThrownBy(() -> b.authorizations(List.of("Bearer \"k")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("authorizations");
        assertThatThrownBy(() -> b.authorizations(List.of("Bearer k\r\nX: y")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("authorizations");
        LoadSettings session = b.authorizations(List.of("Bearer a", "Bearer b", "Bearer c")).build();
        assertThat(session.authorization(3)).isEqualTo("Bearer a");
        // A 2025-11-25 session is one principal's; a stateless request is authenticated alone.
        assertThat(session.requestAuthorizations(1)).containsExactly("Bearer b");
        assertThat(b.era(Era.V2026_07_28).build().requestAuthorizations(1)).containsExactly("Bearer a", "Bearer b", "Bearer c");
        assertThat(b.authorizations(List.of()).build().authorization(0)).isNull();
    }

    private static void assertPercentilesOrdered(LoadResult r) {
        assertThat(r.percentileMicros(50)).isPositive();
        assertThat(r.percentileMicros(50)).isLessThanOrEqualTo(r.percentileMicros(90));
        assertThat(r.percentileMicros(90)).isLessThanOrEqualTo(r.percentileMicros(99));
        assertThat(r.percentileMicros(99)).isLessThanOrEqualTo(r.percentileMicros(99.9));
        assertThat(r.percentileMicros(99.9)).isLessThanOrEqualTo(r.maxMicros());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
