package io.peregrine.gateway.discovery;

/**
 * How an upstream's endpoints are discovered ({@code gateway.upstreams.<name>.discovery}): an
 * immutable description that opens a fresh {@link EndpointSource} each time an upstream starts.
 * Made with {@link DnsDiscovery#builder}, {@link ConsulDiscovery#builder} or
 * {@link EtcdDiscovery#builder}; an upstream without one has the static list of its URLs.
 */
public interface EndpointDiscovery {

    /** {@code dns}, {@code consul} or {@code etcd}, as the configuration names it. */
    String kind();

    /** A source for the upstream {@code upstream} (its name, for logs), not started yet. */
    EndpointSource open(String upstream);
}
