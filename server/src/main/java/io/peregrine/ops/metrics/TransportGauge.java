package io.peregrine.ops.metrics;

import io.peregrine.transport.Transport;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.concurrent.atomic.LongAdder;

/**
 * A gauge per transport, counted in {@link LongAdder}s and read at scrape time: going up and down
 * on the hot path is an add on a striped cell, with no allocation and no contention between event
 * loops (a {@code Gauge} data point would update a shared atomic through a capturing lambda).
 * Labelled {@code network_transport} and {@code network_protocol_name} (empty for raw TCP and
 * stdio), like the duration histogram, so that the two can be joined.
 */
final class TransportGauge {

    private static final Transport[] TRANSPORTS = Transport.values();

    private final LongAdder[] counts = new LongAdder[TRANSPORTS.length];

    TransportGauge(PrometheusRegistry registry, String name, String help) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("network_transport", "network_protocol_name")
                .callback(callback -> {
                    for (Transport t : TRANSPORTS) {
                        String protocol = t.networkProtocolName();
                        callback.call(counts[t.ordinal()].sum(), t.networkTransport(), protocol == null ? "" : protocol);
                    }
                })
                .register(registry);
    }

    void increment(Transport transport) {
        counts[transport.ordinal()].increment();
    }

    void decrement(Transport transport) {
        counts[transport.ordinal()].decrement();
    }

    /** The current value for {@code transport}. */
    long get(Transport transport) {
        return counts[transport.ordinal()].sum();
    }
}
