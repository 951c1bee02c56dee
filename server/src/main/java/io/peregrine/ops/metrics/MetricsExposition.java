package io.peregrine.ops.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;

/**
 * Answers a scrape: the metrics of some registries in the format the scraper's {@code Accept}
 * header asks for. OpenMetrics 1.0 (with exemplars) when the header offers
 * {@code application/openmetrics-text} with a non-zero quality, as Prometheus does; the Prometheus
 * text format 0.0.4 otherwise, including for a missing, malformed or unsupported header (a scrape
 * is never refused for its {@code Accept}). Neither format carries {@code _created} series.
 */
public final class MetricsExposition {

    /** {@code text/plain; version=0.0.4; charset=utf-8}. */
    public static final String TEXT_FORMAT = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** {@code application/openmetrics-text; version=1.0.0; charset=utf-8}. */
    public static final String OPENMETRICS_FORMAT = OpenMetricsTextFormatWriter.CONTENT_TYPE;

    private static final String OPENMETRICS_MEDIA_TYPE = "application/openmetrics-text";

    private final List<PrometheusRegistry> registries;
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false)
            .build();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.builder()
            .setCreatedTimestampsEnabled(false)
            .setExemplarsOnAllMetricTypesEnabled(false)
            .build();

    /** Exposes the metrics of {@code registries}, in order; their metric names must not overlap. */
    public MetricsExposition(List<PrometheusRegistry> registries) {
        this.registries = List.copyOf(registries);
    }

    /** The content type of the answer to a scrape with this {@code Accept} header (null: none). */
    public String contentType(CharSequence accept) {
        return writer(accept).getContentType();
    }

    /** Writes the metrics to {@code out} in the format {@code accept} asks for; returns its content type. */
    public String write(CharSequence accept, OutputStream out) throws IOException {
        ExpositionFormatWriter writer = writer(accept);
        writer.write(out, collect());
        return writer.getContentType();
    }

    /** The metrics of every registry, as one set of snapshots. */
    public MetricSnapshots collect() {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (PrometheusRegistry registry : registries) {
            for (MetricSnapshot snapshot : registry.scrape()) {
                all.metricSnapshot(snapshot);
            }
        }
        return all.build();
    }

    private ExpositionFormatWriter writer(CharSequence accept) {
        return acceptsOpenMetrics(accept) ? openMetrics : text;
    }

    /**
     * Whether {@code accept} offers OpenMetrics text with a quality above zero, e.g. Prometheus's
     * {@code application/openmetrics-text;version=1.0.0,...;q=0.75,text/plain;version=0.0.4;q=0.5,...}.
     * Versions 1.0.0 and 0.0.1 (and none) are accepted: 0.0.1 is the same text.
     */
    static boolean acceptsOpenMetrics(CharSequence accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.toString().split(",", -1)) {
            String[] parts = range.split(";", -1);
            if (!parts[0].trim().toLowerCase(Locale.ROOT).equals(OPENMETRICS_MEDIA_TYPE)) {
                continue;
            }
            boolean ok = true;
            for (int i = 1; i < parts.length && ok; i++) {
                String param = parts[i].trim();
                int eq = param.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = param.substring(eq + 1).trim();
                if (key.equals("q")) {
                    ok = positiveQuality(value);
                } else if (key.equals("version")) {
                    ok = value.equals("1.0.0") || value.equals("0.0.1");
                }
            }
            if (ok) {
                return true;
            }
        }
        return false;
    }

    private static boolean positiveQuality(String q) {
        try {
            return Double.parseDouble(q) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
