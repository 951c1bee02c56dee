package io.peregrine.ops.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The {@code jvm_*} and {@code process_*} metrics, registered once per process in a registry of
 * their own: they describe the process, not a server, and registering them again for each server
 * of an embedding application (or a test suite) would add a GC listener each time.
 */
final class JvmRegistry {

    private JvmRegistry() {
    }

    static PrometheusRegistry get() {
        return Holder.REGISTRY;
    }

    private static final class Holder {
        static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

        static {
            JvmMetrics.builder().register(REGISTRY);
        }
    }
}
