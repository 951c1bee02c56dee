package io.peregrine.gateway.discovery;

import java.net.InetSocketAddress;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Endpoints found in DNS, the way Kubernetes headless Services are found: the A and AAAA records
 * of a name plus a configured port, or the SRV records of a name ({@code _mcp._tcp.weather.example})
 * whose targets' addresses are looked up in turn. Looked up again when the shortest TTL of the
 * answer ends, but never sooner than the minimum refresh nor later than the maximum. An answer
 * that fails or lists nothing keeps the last list.
 *
 * <pre>{@code
 * UpstreamSpec.builder("weather")
 *         .discovery(DnsDiscovery.builder("_mcp._tcp.weather.default.svc.cluster.local").srv(true).build())
 *         .build();
 * }</pre>
 */
public final class DnsDiscovery implements EndpointDiscovery {

    private final String name;
    private final boolean srv;
    private final int port;
    private final InetSocketAddress resolver;
    private final TargetTemplate template;
    private final Duration minRefresh;
    private final Duration maxRefresh;
    private final Duration queryTimeout;

    private DnsDiscovery(Builder b) {
        this.name = b.name;
        this.srv = b.srv;
        this.port = b.port;
        this.resolver = b.resolver;
        this.template = new TargetTemplate(b.scheme, b.path);
        this.minRefresh = b.minRefresh;
        this.maxRefresh = b.maxRefresh;
        this.queryTimeout = b.queryTimeout;
    }

    /** Looks up {@code name} (an A/AAAA name, or with {@link Builder#srv} an SRV name). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String kind() {
        return "dns";
    }

    public String name() {
        return name;
    }

    public boolean srv() {
        return srv;
    }

    public int port() {
        return port;
    }

    /** The DNS server asked, or null for the system's ({@code /etc/resolv.conf}). */
    public InetSocketAddress resolver() {
        return resolver;
    }

    public Duration minRefresh() {
        return minRefresh;
    }

    public Duration maxRefresh() {
        return maxRefresh;
    }

    Duration queryTimeout() {
        return queryTimeout;
    }

    TargetTemplate template() {
        return template;
    }

    @Override
    public EndpointSource open(String upstream) {
        return new DnsEndpointSource(upstream, this);
    }

    @Override
    public String toString() {
        return "dns " + (srv ? "SRV " : "A/AAAA ") + name + (srv ? "" : " port " + port)
                + (resolver != null ? " at " + resolver.getHostString() + ":" + resolver.getPort() : "");
    }

    /** Builds a {@link DnsDiscovery}; every setter checks its value at once. */
    public static final class Builder {
        private final String name;
        private boolean srv;
        private int port;
        private InetSocketAddress resolver;
        private String scheme = "http";
        private String path = "/mcp";
        private Duration minRefresh = Duration.ofSeconds(1);
        private Duration maxRefresh = Duration.ofSeconds(30);
        private Duration queryTimeout = Duration.ofSeconds(2);

        private Builder(String name) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name : \"\" (expected: a DNS name)");
            }
            this.name = name.trim();
        }

        /** Whether the name holds SRV records (each gives a host and a port) rather than A/AAAA. Default false. */
        public Builder srv(boolean srv) {
            this.srv = srv;
            return this;
        }

        /** The port of the A/AAAA addresses (1 to 65535); needed unless {@link #srv}. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port : " + port + " (expected: 1 to 65535)");
            }
            this.port = port;
            return this;
        }

        /** The DNS server to ask. Default: the system's. */
        public Builder resolver(InetSocketAddress resolver) {
            this.resolver = requireNonNull(resolver, "resolver");
            return this;
        }

        /** How an endpoint's URL is made: {@code scheme://host:port/path}. Default {@code http} and {@code /mcp}. */
        public Builder target(String scheme, String path) {
            TargetTemplate t = new TargetTemplate(scheme, path);
            this.scheme = t.scheme();
            this.path = path.trim();
            return this;
        }

        /** Bounds of the time between lookups, which otherwise follows the answer's TTL. Default 1 s and 30 s. */
        public Builder refresh(Duration min, Duration max) {
            requireNonNull(min, "min");
            requireNonNull(max, "max");
            if (min.isZero() || min.isNegative()) {
                throw new IllegalArgumentException("minRefresh : " + min + " (expected: > 0)");
            }
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("maxRefresh : " + max + " (expected: >= " + min + ")");
            }
            this.minRefresh = min;
            this.maxRefresh = max;
            return this;
        }

        /** How long one query waits for its answer. Default 2 s. */
        public Builder queryTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("queryTimeout : " + timeout + " (expected: > 0)");
            }
            this.queryTimeout = timeout;
            return this;
        }

        public DnsDiscovery build() {
            if (!srv && port == 0) {
                throw new IllegalStateException("dns discovery of " + name + ": give port(...) for A/AAAA records, or srv(true)");
            }
            return new DnsDiscovery(this);
        }
    }
}
