package io.peregrine.ops.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The metrics of a gateway's upstream endpoints, read at scrape time from what the gateway reports
 * (no work on the call path): whether each endpoint takes calls, its calls in flight, ejections and
 * health-check results per upstream.
 *
 * <p>Labels are bounded whatever the configuration or discovery does: past {@value #MAX_UPSTREAMS}
 * upstreams the rest count as upstream {@code _OTHER}, and past {@value #MAX_ENDPOINTS} endpoints of
 * one upstream the rest are summed as endpoint {@code _OTHER} (up is then how many of them take
 * calls). An endpoint is labelled by its {@code host:port} and path, never a query or user info.
 */
public final class GatewayMetrics {

    static final int MAX_UPSTREAMS = 16;
    static final int MAX_ENDPOINTS = 32;

    /** One endpoint as the gateway reports it. */
    public record Endpoint(String endpoint, boolean up, int inFlight) {
    }

    /** One upstream: its endpoints, and counts that only grow. */
    public record Upstream(String name, List<Endpoint> endpoints, long ejections, long checksPassed, long checksFailed) {
    }

    private GatewayMetrics() {
    }

    /** Registers the metrics in {@code registry}, reading {@code upstreams} at each scrape. */
    public static void register(PrometheusRegistry registry, Supplier<List<Upstream>> upstreams) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(upstreams, "upstreams");
        GaugeWithCallback.builder()
                .name("peregrine_gateway_endpoint_up")
                .help("1 while the upstream endpoint takes calls (connected, healthy, not ejected), else 0; "
                        + "for endpoint _OTHER, how many of the rest do")
                .labelNames("upstream", "endpoint")
                .callback(cb -> endpoints(upstreams.get()).forEach((labels, v) -> cb.call(v[0], labels[0], labels[1])))
                .register(registry);
        GaugeWithCallback.builder()
                .name("peregrine_gateway_endpoint_in_flight")
                .help("Calls in flight on the upstream endpoint")
                .labelNames("upstream", "endpoint")
                .callback(cb -> endpoints(upstreams.get()).forEach((labels, v) -> cb.call(v[1], labels[0], labels[1])))
                .register(registry);
        CounterWithCallback.builder()
                .name("peregrine_gateway_ejections_total")
                .help("Upstream endpoints ejected by outlier detection (calls that failed in a row)")
                .labelNames("upstream")
                .callback(cb -> totals(upstreams.get()).forEach((name, t) -> cb.call(t[0], name)))
                .register(registry);
        CounterWithCallback.builder()
                .name("peregrine_gateway_health_checks_total")
                .help("Active health checks of upstream endpoints (ping or server/discover), by result: passed or failed")
                .labelNames("upstream", "result")
                .callback(cb -> totals(upstreams.get()).forEach((name, t) -> {
                    cb.call(t[1], name, "passed");
                    cb.call(t[2], name, "failed");
                }))
                .register(registry);
    }

    private static String upstreamLabel(int index, String name) {
        return index < MAX_UPSTREAMS ? name : MetricsObserver.OTHER;
    }

    /** Up and in flight by (upstream, endpoint), bounded. */
    static Map<String[], double[]> endpoints(List<Upstream> upstreams) {
        Map<List<String>, double[]> sums = new LinkedHashMap<>();
        // Endpoint labels per upstream label: the upstreams counted as _OTHER share one bound.
        Map<String, Set<String>> seen = new HashMap<>();
        for (int u = 0; u < upstreams.size(); u++) {
            Upstream up = upstreams.get(u);
            String name = upstreamLabel(u, up.name());
            Set<String> labels = seen.computeIfAbsent(name, k -> new HashSet<>());
            for (Endpoint e : up.endpoints()) {
                String label = label(e.endpoint());
                if (!labels.contains(label)) {
                    if (labels.size() < MAX_ENDPOINTS) {
                        labels.add(label);
                    } else {
                        label = MetricsObserver.OTHER;
                    }
                }
                double[] v = sums.computeIfAbsent(List.of(name, label), k -> new double[2]);
                v[0] += e.up() ? 1 : 0;
                v[1] += e.inFlight();
            }
        }
        Map<String[], double[]> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(new String[] {k.get(0), k.get(1)}, v));
        return out;
    }

    /** Ejections, checks passed and checks failed by upstream, bounded. */
    static Map<String, long[]> totals(List<Upstream> upstreams) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int u = 0; u < upstreams.size(); u++) {
            Upstream up = upstreams.get(u);
            long[] t = out.computeIfAbsent(upstreamLabel(u, up.name()), k -> new long[3]);
            t[0] += up.ejections();
            t[1] += up.checksPassed();
            t[2] += up.checksFailed();
        }
        return out;
    }

    /** {@code host:port/path} of a URL, without scheme, user info or query; {@code stdio} for a command. */
    static String label(String target) {
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return "stdio";
        }
        String rest = target.substring(scheme + 3);
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        return authority.substring(authority.lastIndexOf('@') + 1) + path;
    }
}
