package io.peregrine.gateway.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Endpoints from Consul's health API: the instances of a service whose checks all pass
 * ({@code GET /v1/health/service/<service>?passing}), watched with blocking queries ({@code index}
 * and {@code wait}), optionally only those with a tag, in another datacenter, with an ACL token
 * read from an environment variable. Each instance's URL is made from its service address (or its
 * node's when that is empty) and port.
 *
 * <pre>{@code
 * UpstreamSpec.builder("weather")
 *         .discovery(ConsulDiscovery.builder("http://127.0.0.1:8500", "weather").tag("mcp").build())
 *         .build();
 * }</pre>
 */
public final class ConsulDiscovery implements EndpointDiscovery {

    private final URI address;
    private final String service;
    private final String tag;
    private final String datacenter;
    private final String token;
    private final Duration wait;
    private final TargetTemplate template;

    private ConsulDiscovery(Builder b) {
        this.address = b.address;
        this.service = b.service;
        this.tag = b.tag;
        this.datacenter = b.datacenter;
        this.token = b.token;
        this.wait = b.wait;
        this.template = new TargetTemplate(b.scheme, b.path);
    }

    /** The instances of {@code service} known to the Consul agent at {@code address} ({@code http://127.0.0.1:8500}). */
    public static Builder builder(String address, String service) {
        return new Builder(address, service);
    }

    @Override
    public String kind() {
        return "consul";
    }

    public URI address() {
        return address;
    }

    public String service() {
        return service;
    }

    /** The tag instances must have, or null. */
    public String tag() {
        return tag;
    }

    /** The datacenter asked, or null for the agent's. */
    public String datacenter() {
        return datacenter;
    }

    /** The ACL token sent as {@code X-Consul-Token}, or null. */
    String token() {
        return token;
    }

    public Duration waitTime() {
        return wait;
    }

    TargetTemplate template() {
        return template;
    }

    @Override
    public EndpointSource open(String upstream) {
        return new ConsulEndpointSource(upstream, this);
    }

    @Override
    public String toString() {
        return "consul service " + service + (tag != null ? " tag " + tag : "") + " at " + address;
    }

    /** Builds a {@link ConsulDiscovery}; every setter checks its value at once. */
    public static final class Builder {
        private final URI address;
        private final String service;
        private String tag;
        private String datacenter;
        private String token;
        private Duration wait = Duration.ofSeconds(30);
        private String scheme = "http";
        private String path = "/mcp";

        private Builder(String address, String service) {
            this.address = httpAddress(address, "address");
            requireNonNull(service, "service");
            if (!service.matches("[A-Za-z0-9_.-]{1,128}")) {
                throw new IllegalArgumentException("service : \"" + service + "\" (expected: a Consul service name)");
            }
            this.service = service;
        }

        static URI httpAddress(String address, String what) {
            requireNonNull(address, what);
            String a = Http.trimSlash(address);
            if (!a.startsWith("http://") && !a.startsWith("https://")) {
                throw new IllegalArgumentException(what + " : \"" + address + "\" (expected: http://host:port or https://host:port)");
            }
            return URI.create(a);
        }

        /** Only instances with this tag (sent as {@code tag=}, and checked again here). Default: any. */
        public Builder tag(String tag) {
            this.tag = requireNonNull(tag, "tag").isBlank() ? null : tag.trim();
            return this;
        }

        /** The datacenter to ask ({@code dc=}). Default: the agent's own. */
        public Builder datacenter(String datacenter) {
            this.datacenter = requireNonNull(datacenter, "datacenter").isBlank() ? null : datacenter.trim();
            return this;
        }

        /** The ACL token, sent as {@code X-Consul-Token}; read it from the environment, never from a file. */
        public Builder token(String token) {
            this.token = requireNonNull(token, "token").isEmpty() ? null : token;
            return this;
        }

        /** The token in the environment variable {@code variable}, which must be set. */
        public Builder tokenFromEnvironment(String variable, Map<String, String> env) {
            String value = env.get(requireNonNull(variable, "variable"));
            if (value == null) {
                throw new IllegalArgumentException("token-env : " + variable + " is not set (expected: the Consul ACL token in it)");
            }
            return token(value);
        }

        /** How long a blocking query waits for a change ({@code wait=}, at most 10 minutes). Default 30 s. */
        public Builder waitTime(Duration wait) {
            requireNonNull(wait, "wait");
            if (wait.isZero() || wait.isNegative() || wait.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("wait : " + wait + " (expected: > 0 and at most 10m)");
            }
            this.wait = wait;
            return this;
        }

        /** How an endpoint's URL is made: {@code scheme://host:port/path}. Default {@code http} and {@code /mcp}. */
        public Builder target(String scheme, String path) {
            TargetTemplate t = new TargetTemplate(scheme, path);
            this.scheme = t.scheme();
            this.path = path.trim();
            return this;
        }

        public ConsulDiscovery build() {
            return new ConsulDiscovery(this);
        }
    }
}
