package io.peregrine.ops.tracing;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * How {@link PeregrineTracing} exports spans: where to, how many, and what a span may carry.
 * Validated when built, with messages that name the configuration key.
 */
public final class TracingSettings {

    /** The OTLP/HTTP traces endpoint of a collector on the same host. */
    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318/v1/traces";

    private final String endpoint;
    private final double sampleRatio;
    private final String serviceName;
    private final String serviceVersion;
    private final boolean recordArguments;
    private final int queueSize;
    private final Duration exportTimeout;

    private TracingSettings(Builder b) {
        this.endpoint = b.endpoint;
        this.sampleRatio = b.sampleRatio;
        this.serviceName = b.serviceName;
        this.serviceVersion = b.serviceVersion;
        this.recordArguments = b.recordArguments;
        this.queueSize = b.queueSize;
        this.exportTimeout = b.exportTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The OTLP/HTTP URL spans are posted to, e.g. {@code http://127.0.0.1:4318/v1/traces}. */
    public String endpoint() {
        return endpoint;
    }

    /** The share of new traces sampled, 0 to 1; a request with a parent follows the parent's decision. */
    public double sampleRatio() {
        return sampleRatio;
    }

    public String serviceName() {
        return serviceName;
    }

    /** The {@code service.version} resource attribute, or null. */
    public String serviceVersion() {
        return serviceVersion;
    }

    /** Whether a tool call's span carries its arguments ({@code gen_ai.tool.call.arguments}). */
    public boolean recordArguments() {
        return recordArguments;
    }

    /** Ended spans held for export at most; beyond it spans are dropped and counted. */
    public int queueSize() {
        return queueSize;
    }

    /** How long one export may take before it counts as failed. */
    public Duration exportTimeout() {
        return exportTimeout;
    }

    /** Defaults: the local collector, every trace sampled, service {@code peregrine}, no arguments. */
    public static final class Builder {
        private String endpoint = DEFAULT_ENDPOINT;
        private double sampleRatio = 1.0;
        private String serviceName = "peregrine";
        private String serviceVersion;
        private boolean recordArguments;
        private int queueSize = 2048;
        private Duration exportTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** Default {@value TracingSettings#DEFAULT_ENDPOINT}. */
        public Builder endpoint(String endpoint) {
            requireNonNull(endpoint, "endpoint");
            URI uri;
            try {
                uri = new URI(endpoint);
            } catch (URISyntaxException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException("tracing.endpoint : \"" + endpoint
                        + "\" (expected: an http:// or https:// URL such as " + DEFAULT_ENDPOINT + ")");
            }
            this.endpoint = endpoint;
            return this;
        }

        /** Default 1.0 (every new trace). */
        public Builder sampleRatio(double sampleRatio) {
            if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
                throw new IllegalArgumentException("tracing.sample-ratio : " + sampleRatio + " (expected: 0.0 to 1.0)");
            }
            this.sampleRatio = sampleRatio;
            return this;
        }

        /** Default {@code peregrine}. */
        public Builder serviceName(String serviceName) {
            requireNonNull(serviceName, "serviceName");
            if (serviceName.isBlank()) {
                throw new IllegalArgumentException("tracing.service-name : empty (expected: a name such as peregrine)");
            }
            this.serviceName = serviceName;
            return this;
        }

        /** Default none. */
        public Builder serviceVersion(String serviceVersion) {
            this.serviceVersion = requireNonNull(serviceVersion, "serviceVersion");
            return this;
        }

        /** Default false: arguments may hold secrets. */
        public Builder recordArguments(boolean recordArguments) {
            this.recordArguments = recordArguments;
            return this;
        }

        /** Default 2048. */
        public Builder queueSize(int queueSize) {
            if (queueSize <= 0) {
                throw new IllegalArgumentException("tracing.queue-size : " + queueSize + " (expected: > 0)");
            }
            this.queueSize = queueSize;
            return this;
        }

        /** Default 10 seconds. */
        public Builder exportTimeout(Duration exportTimeout) {
            requireNonNull(exportTimeout, "exportTimeout");
            if (exportTimeout.isZero() || exportTimeout.isNegative()) {
                throw new IllegalArgumentException("tracing.export-timeout : " + exportTimeout + " (expected: > 0)");
            }
            this.exportTimeout = exportTimeout;
            return this;
        }

        public TracingSettings build() {
            return new TracingSettings(this);
        }
    }
}
