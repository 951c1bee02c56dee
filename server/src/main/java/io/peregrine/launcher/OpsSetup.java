package io.peregrine.launcher;

import io.peregrine.config.ConfigKey;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.mcp.McpObserver;
import io.peregrine.ops.logging.LogSettings;
import io.peregrine.ops.tracing.PeregrineTracing;
import io.peregrine.ops.tracing.TracingSettings;

import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code log.*} and {@code tracing.*} keys made into the settings of {@code io.peregrine.ops}.
 * Tracing is started here, in a class of its own, so that with {@code tracing.enabled} false no
 * OpenTelemetry class is ever loaded.
 */
final class OpsSetup {

    private OpsSetup() {
    }

    static LogSettings logSettings(PeregrineConfig c) {
        LogSettings.Builder b = LogSettings.builder()
                .format(c.string("log.format"))
                .rootLevel(c.string("log.level"))
                .accessLog(c.bool("log.access"))
                .auditMaxFileSize(c.size("log.audit-max-file-size"))
                .auditMaxHistory(c.integer("log.audit-max-history"))
                .auditTotalSizeCap(c.size("log.audit-total-size-cap"));
        for (Map.Entry<String, Object> e : c.values().entrySet()) {
            if (e.getKey().startsWith(ConfigKey.LOG_LEVELS_PREFIX)) {
                b.level(e.getKey().substring(ConfigKey.LOG_LEVELS_PREFIX.length()), String.valueOf(e.getValue()));
            }
        }
        String auditFile = c.string("log.audit-file");
        if (!auditFile.isBlank()) {
            b.auditFile(Path.of(auditFile.trim()));
        }
        return b.build();
    }

    static TracingSettings tracingSettings(PeregrineConfig c) {
        String ratio = c.string("tracing.sample-ratio").trim();
        double sampleRatio;
        try {
            sampleRatio = Double.parseDouble(ratio);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tracing.sample-ratio : \"" + ratio + "\" (expected: 0.0 to 1.0)");
        }
        return TracingSettings.builder()
                .endpoint(c.string("tracing.endpoint").trim())
                .sampleRatio(sampleRatio)
                .serviceName(c.string("tracing.service-name").trim())
                .serviceVersion(c.string("server.version"))
                .recordArguments(c.bool("tracing.record-arguments"))
                .queueSize(c.integer("tracing.queue-size"))
                .exportTimeout(c.duration("tracing.export-timeout"))
                .build();
    }

    /**
     * Tracing as {@code c} configures it: the observer to hand the server and what to close after
     * it, or null when {@code tracing.enabled} is false.
     */
    static Tracing tracing(PeregrineConfig c) {
        if (!c.bool("tracing.enabled")) {
            return null;
        }
        PeregrineTracing tracing = PeregrineTracing.start(tracingSettings(c));
        io.peregrine.ops.tracing.TracingObserver observer = tracing.observer();
        return new Tracing(observer, tracing, new io.peregrine.ops.metrics.TraceExemplars() {
            @Override
            public String traceId(io.peregrine.mcp.ObservedRequest request) {
                return observer.traceIdOf(request);
            }

            @Override
            public String spanId(io.peregrine.mcp.ObservedRequest request) {
                return observer.spanIdOf(request);
            }
        });
    }

    /** The started tracing, typed so that callers need no OpenTelemetry class. */
    static final class Tracing {
        final McpObserver observer;
        final AutoCloseable exporter;
        /** The traces of requests, for the exemplars of the metrics. */
        final io.peregrine.ops.metrics.TraceExemplars exemplars;

        Tracing(McpObserver observer, AutoCloseable exporter, io.peregrine.ops.metrics.TraceExemplars exemplars) {
            this.observer = observer;
            this.exporter = exporter;
            this.exemplars = exemplars;
        }
    }
}
