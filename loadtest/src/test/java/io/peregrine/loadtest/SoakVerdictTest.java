package io.peregrine.loadtest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The soak run's verdict on synthetic series: noise as a short run on a loaded two-core machine
 * shows it passes, a deliberate leak fails, and so do lost answers, unexpected errors and a p99
 * that drifts.
 */
class SoakVerdictTest {

    private static final long MIB = 1024 * 1024;
    private static final SoakVerdict.Tolerances DEFAULTS = SoakVerdict.Tolerances.defaults();

    /** Noise as measured on this project's loaded CI-like machine, a little wider: heap ±3 MiB, RSS ±12 MiB, fds ±3, threads ±2. */
    private static List<SoakSample> noisy(int seconds, int every, long seed, DoubleUnaryOperator heapExtra,
                                          DoubleUnaryOperator fdExtra) {
        Random r = new Random(seed);
        List<SoakSample> s = new ArrayList<>();
        for (int t = 0; t <= seconds; t += every) {
            long heap = (long) (17 * MIB + (r.nextDouble() * 6 - 3) * MIB + heapExtra.applyAsDouble(t));
            long rss = (long) (380 * MIB + (r.nextDouble() * 24 - 12) * MIB);
            long fds = 150 + r.nextInt(7) - 3 + (long) fdExtra.applyAsDouble(t);
            long threads = 41 + r.nextInt(5) - 2;
            s.add(new SoakSample(t, heap, rss, fds, threads, 2 * MIB, 1000, 125, 0, 2_300, 12_000));
        }
        return s;
    }

    private static SoakVerdict verdict(List<SoakSample> samples) {
        return new SoakVerdict(samples, DEFAULTS, 0, 0, 20_000, 12_000, 0);
    }

    @Test
    void theSlopeIsTheLeastSquaresOne() {
        double[] x = {0, 1, 2, 3, 4};
        assertThat(SoakVerdict.slope(x, new double[] {3, 5, 7, 9, 11})).isCloseTo(2.0, within(1e-9));
        assertThat(SoakVerdict.slope(x, new double[] {1, -1, 1, -1, 1})).isCloseTo(0.0, within(1e-9));
        assertThat(SoakVerdict.slope(new double[] {5, 5, 5, 5}, new double[] {1, 2, 3, 4})).isZero();
    }

    @Test
    void noiseOnAShortRunPasses() {
        // A thousand seeds of the CI's run (60 s, a sample every 5 s): not one false alarm.
        for (long seed = 0; seed < 1000; seed++) {
            SoakVerdict v = verdict(noisy(60, 5, seed, t -> 0, t -> 0));
            assertThat(v.failures()).as("seed %d", seed).isEmpty();
        }
    }

    @Test
    void aHeapLeakFailsTheShortRun() {
        // What loadtest/run soak --rate 100 --leak 131072 keeps: 12 calls/s × 128 KiB, 1.5 MiB/s.
        for (long seed = 0; seed < 100; seed++) {
            SoakVerdict v = verdict(noisy(40, 5, seed, t -> t * 1.5 * MIB, t -> 0));
            assertThat(v.passed()).isFalse();
            assertThat(v.failures()).anySatisfy(f -> assertThat(f).startsWith("leak: heap after GC: +"));
            assertThat(v.trends()).filteredOn(t -> t.metric() == SoakVerdict.Metric.HEAP)
                    .singleElement().satisfies(t -> assertThat(t.rise()).isGreaterThan(20.0 * MIB));
        }
    }

    @Test
    void aSlowLeakPassesAShortRunButFailsALongOne() {
        // A descriptor lost every 10 s: 3 in the second half of a minute, 30 in that of ten.
        assertThat(verdict(noisy(60, 5, 1, t -> 0, t -> t / 10)).passed()).isTrue();
        SoakVerdict tenMinutes = verdict(noisy(600, 10, 1, t -> 0, t -> t / 10));
        assertThat(tenMinutes.failures()).singleElement().satisfies(f -> assertThat(f).startsWith("leak: file descriptors: +"));
    }

    @Test
    void growthDuringWarmUpIsNotALeak() {
        // RSS and heap climb while classes load and the JIT compiles, then hold: only the second half counts.
        List<SoakSample> s = new ArrayList<>();
        for (int t = 0; t <= 60; t += 5) {
            long warm = Math.min(t, 25);
            s.add(new SoakSample(t, (10 + warm) * MIB, (300 + 4 * warm) * MIB, 130 + warm, 22 + warm, MIB, 1000, 0, 0,
                    2_000, 10_000));
        }
        assertThat(verdict(s).passed()).isTrue();
    }

    @Test
    void aLeakBeyondTheRelativeToleranceFailsWhereTheFloorIsSmaller() {
        // Heap near 400 MiB: 10% of the second half's mean (43 MiB, 41.5 MiB) is more than the floor; 60 MiB
        // over the second half is a leak, 30 is not.
        List<SoakSample> rising = new ArrayList<>();
        List<SoakSample> slower = new ArrayList<>();
        for (int t = 0; t <= 600; t += 10) {
            double half = Math.max(0, t - 300) / 300.0;
            rising.add(new SoakSample(t, (long) ((400 + 60 * half) * MIB), 500 * MIB, 150, 40, MIB, 1, 0, 0, 1, 1));
            slower.add(new SoakSample(t, (long) ((400 + 30 * half) * MIB), 500 * MIB, 150, 40, MIB, 1, 0, 0, 1, 1));
        }
        assertThat(verdict(rising).failures()).singleElement().satisfies(f -> assertThat(f).contains("allowed 43.0 MiB"));
        assertThat(verdict(slower).passed()).isTrue();
    }

    @Test
    void lostAnswersUnexpectedErrorsAndNettyLeaksFail() {
        List<SoakSample> s = noisy(60, 5, 7, t -> 0, t -> 0);
        assertThat(new SoakVerdict(s, DEFAULTS, 1, 0, 10_000, 10_000, 0).failures())
                .containsExactly("lost answers: 1 operations without exactly one answer");
        assertThat(new SoakVerdict(s, DEFAULTS, 0, 2, 10_000, 10_000, 0).failures()).containsExactly("unexpected errors: 2");
        assertThat(new SoakVerdict(s, DEFAULTS, 0, 0, 10_000, 10_000, 3).failures())
                .containsExactly("Netty reported 3 leaked buffers in the server's log");
    }

    @Test
    void aP99DriftFailsBeyondItsFactorAndFloor() {
        List<SoakSample> s = noisy(60, 5, 7, t -> 0, t -> 0);
        // 10 ms to 100 ms: ten times, 90 ms more.
        assertThat(new SoakVerdict(s, DEFAULTS, 0, 0, 10_000, 100_000, 0).failures())
                .singleElement().satisfies(f -> assertThat(f).startsWith("latency drift: p99 100.0 ms in the last quarter"));
        // 10 ms to 40 ms: four times, but only 30 ms more: the noise of a loaded machine.
        assertThat(new SoakVerdict(s, DEFAULTS, 0, 0, 10_000, 40_000, 0).passed()).isTrue();
        // 100 ms to 250 ms: 150 ms more, but only 2.5 times.
        assertThat(new SoakVerdict(s, DEFAULTS, 0, 0, 100_000, 250_000, 0).passed()).isTrue();
        // A tighter factor catches it.
        assertThat(new SoakVerdict(s, new SoakVerdict.Tolerances(0.1, 2, 50_000), 0, 0, 100_000, 250_000, 0).passed())
                .isFalse();
    }

    @Test
    void tooFewSamplesGiveNoTrend() {
        List<SoakSample> s = noisy(20, 5, 3, t -> t * 10.0 * MIB, t -> 0);
        SoakVerdict v = verdict(s);
        assertThat(v.passed()).isTrue();
        assertThat(v.trends()).allSatisfy(t -> assertThat(t.describe()).contains("too few samples"));
    }

    @Test
    void anUnmeasuredMetricIsNotChecked() {
        List<SoakSample> s = new ArrayList<>();
        for (int t = 0; t <= 60; t += 5) {
            s.add(new SoakSample(t, 17 * MIB, 380 * MIB, 150, 41, -1, 1000, 0, 0, 1, 1));
        }
        SoakVerdict v = verdict(s);
        assertThat(v.passed()).isTrue();
        assertThat(v.trends()).filteredOn(t -> t.metric() == SoakVerdict.Metric.POOLED_DIRECT)
                .singleElement().satisfies(t -> assertThat(t.points()).isZero());
    }

    @Test
    void aQuartersTypicalP99IgnoresAStrayWindowButNotASustainedRise() {
        List<SoakSample> spike = new ArrayList<>();
        List<SoakSample> sustained = new ArrayList<>();
        for (int t = 0; t <= 60; t += 5) {
            spike.add(new SoakSample(t, MIB, MIB, 1, 1, MIB, 1000, 0, 0, 2_000, t == 55 ? 400_000 : 10_000));
            sustained.add(new SoakSample(t, MIB, MIB, 1, 1, MIB, 1000, 0, 0, 2_000, t > 45 ? 90_000 : 10_000));
        }
        assertThat(SoakMain.medianWindowP99(spike, 45, 60)).isEqualTo(10_000);
        assertThat(SoakMain.medianWindowP99(sustained, 45, 60)).isEqualTo(90_000);
        assertThat(new SoakVerdict(sustained, DEFAULTS, 0, 0, SoakMain.medianWindowP99(sustained, 5, 15),
                SoakMain.medianWindowP99(sustained, 45, 60), 0).failures())
                .singleElement().satisfies(f -> assertThat(f).startsWith("latency drift: p99 90.0 ms"));
    }
}
