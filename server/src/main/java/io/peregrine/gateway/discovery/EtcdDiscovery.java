package io.peregrine.gateway.discovery;

import java.net.URI;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Endpoints kept in etcd v3: each value under a key prefix is an endpoint URL
 * ({@code /mcp/weather/10.0.0.7:9001 = http://10.0.0.7:9001/mcp}). Read with a range, then watched
 * from the revision after, through etcd's JSON gateway over HTTP; a Peregrine server registers
 * itself there with {@link EtcdRegistration}.
 *
 * <pre>{@code
 * UpstreamSpec.builder("weather")
 *         .discovery(EtcdDiscovery.builder("http://127.0.0.1:2379", "/mcp/weather/").build())
 *         .build();
 * }</pre>
 */
public final class EtcdDiscovery implements EndpointDiscovery {

    private final List<URI> endpoints;
    private final String prefix;

    private EtcdDiscovery(List<URI> endpoints, String prefix) {
        this.endpoints = endpoints;
        this.prefix = prefix;
    }

    /**
     * The endpoint URLs under {@code prefix} in the etcd cluster at {@code endpoints}
     * (comma-separated {@code http://host:2379} URLs, tried in turn).
     */
    public static Builder builder(String endpoints, String prefix) {
        return new Builder(endpoints, prefix);
    }

    @Override
    public String kind() {
        return "etcd";
    }

    public List<URI> endpoints() {
        return endpoints;
    }

    public String prefix() {
        return prefix;
    }

    @Override
    public EndpointSource open(String upstream) {
        return new EtcdEndpointSource(upstream, this);
    }

    @Override
    public String toString() {
        return "etcd prefix " + prefix + " at " + endpoints;
    }

    /** Builds an {@link EtcdDiscovery}. */
    public static final class Builder {
        private final List<URI> endpoints;
        private final String prefix;

        private Builder(String endpoints, String prefix) {
            this.endpoints = Etcd.endpoints(endpoints);
            requireNonNull(prefix, "prefix");
            if (prefix.isEmpty()) {
                throw new IllegalArgumentException("prefix : \"\" (expected: a key prefix such as /mcp/weather/)");
            }
            this.prefix = prefix;
        }

        public EtcdDiscovery build() {
            return new EtcdDiscovery(endpoints, prefix);
        }
    }
}
