package io.peregrine.ops.metrics;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ClassicHistogramTest {

    private final ClassicHistogram histogram = new ClassicHistogram("test_duration_seconds", "test", Unit.SECONDS,
            new double[] {0.1, 1}, "method", "error_type");

    @Test
    void theSameLabelSetIsOneDataPointHoweverOftenItIsAskedFor() {
        ClassicHistogram.Point a = histogram.point("tools/call", "");
        ClassicHistogram.Point b = histogram.point("tools/call", "");
        a.observe(0.05);
        b.observe(0.5);

        HistogramSnapshot snapshot = (HistogramSnapshot) histogram.collect();
        assertThat(b).isSameAs(a);
        assertThat(snapshot.getDataPoints()).hasSize(1);
        assertThat(snapshot.getDataPoints().get(0).getCount()).isEqualTo(2);
    }

    @Test
    void threadsRacingToResolveALabelSetShareItsPoint() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 200; round++) {
                String method = "m" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ClassicHistogram.Point>> points = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    points.add(pool.submit(() -> {
                        start.await();
                        return histogram.point(method, "");
                    }));
                }
                start.countDown();
                ClassicHistogram.Point first = points.get(0).get(10, TimeUnit.SECONDS);
                for (Future<ClassicHistogram.Point> p : points) {
                    assertThat(p.get(10, TimeUnit.SECONDS)).isSameAs(first);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(((HistogramSnapshot) histogram.collect()).getDataPoints()).hasSize(200);
    }
}
