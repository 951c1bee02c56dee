package io.peregrine.gateway;

import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.gateway.discovery.ConsulDiscovery;
import io.peregrine.gateway.discovery.DnsDiscovery;
import io.peregrine.gateway.discovery.EndpointDiscovery;
import io.peregrine.gateway.discovery.EtcdDiscovery;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Reads {@code gateway.upstreams.<name>.discovery} and its {@code discovery.*} keys (already
 * converted by {@link ConfigKey}) into an {@link EndpointDiscovery}, with errors that name the key.
 */
final class DiscoverySettings {

    private DiscoverySettings() {
    }

    /** The upstream's discovery, or null when it is {@code static} (or not set). */
    static EndpointDiscovery discovery(String name, Map<String, Object> keys, Map<String, String> env) {
        String at = ConfigKey.UPSTREAMS_PREFIX + name + ".discovery";
        String kind = string(keys, "discovery", "static");
        if (kind.equals("static")) {
            for (String k : keys.keySet()) {
                if (k.startsWith("discovery.")) {
                    throw new ConfigException(ConfigKey.UPSTREAMS_PREFIX + name + "." + k + " is set but " + at
                            + " is static (expected: " + at + ": " + k.split("\\.")[1] + ")");
                }
            }
            return null;
        }
        for (String k : keys.keySet()) {
            if (k.startsWith("discovery.") && !k.startsWith("discovery." + kind + ".")) {
                throw new ConfigException(ConfigKey.UPSTREAMS_PREFIX + name + "." + k + " is set but " + at + " is " + kind
                        + " (expected: only discovery." + kind + ".* keys)");
            }
        }
        try {
            switch (kind) {
                case "dns":
                    return dns(name, keys, at);
                case "consul":
                    return consul(name, keys, env, at);
                default:
                    return EtcdDiscovery.builder(string(keys, "discovery.etcd.endpoints",
                                    ConfigKey.UPSTREAM_DISCOVERY_ETCD_ENDPOINTS.defaultValue()),
                            string(keys, "discovery.etcd.prefix", "").isEmpty() ? "/mcp/" + name + "/"
                                    : string(keys, "discovery.etcd.prefix", "")).build();
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ConfigException("upstream " + name + ": " + at + " " + kind + ": " + e.getMessage(), e);
        }
    }

    private static EndpointDiscovery dns(String name, Map<String, Object> keys, String at) {
        String host = string(keys, "discovery.dns.name", "");
        if (host.isBlank()) {
            throw new ConfigException(at + " is dns but " + at + ".dns.name is not set (expected: the name to look up)");
        }
        boolean srv = (Boolean) keys.getOrDefault("discovery.dns.srv", false);
        int port = (Integer) keys.getOrDefault("discovery.dns.port", 0);
        if (!srv && port == 0) {
            throw new ConfigException(at + ".dns.port is not set (expected: the port of " + host
                    + "'s A/AAAA addresses, or " + at + ".dns.srv: true)");
        }
        DnsDiscovery.Builder b = DnsDiscovery.builder(host).srv(srv);
        if (port != 0) {
            b.port(port);
        }
        String resolver = string(keys, "discovery.dns.resolver", "");
        if (!resolver.isEmpty()) {
            int colon = resolver.lastIndexOf(':');
            String h = resolver.substring(0, colon).replace("[", "").replace("]", "");
            int p = Integer.parseInt(resolver.substring(colon + 1));
            if (p < 1 || p > 65535) {
                throw new ConfigException(at + ".dns.resolver: \"" + resolver + "\" (expected: host:port, port 1 to 65535)");
            }
            b.resolver(new InetSocketAddress(h, p));
        }
        b.target(string(keys, "discovery.dns.scheme", "http"), string(keys, "discovery.dns.path", "/mcp"));
        Duration min = duration(keys, "discovery.dns.min-refresh", ConfigKey.UPSTREAM_DISCOVERY_DNS_MIN_REFRESH.defaultValue());
        Duration max = duration(keys, "discovery.dns.max-refresh", ConfigKey.UPSTREAM_DISCOVERY_DNS_MAX_REFRESH.defaultValue());
        if (max.compareTo(min) < 0) {
            throw new ConfigException(at + ".dns.max-refresh " + ConfigKey.UPSTREAM_DISCOVERY_DNS_MAX_REFRESH.format(max)
                    + " is shorter than " + at + ".dns.min-refresh " + ConfigKey.UPSTREAM_DISCOVERY_DNS_MIN_REFRESH.format(min)
                    + " (expected: at least as long)");
        }
        return b.refresh(min, max).build();
    }

    private static EndpointDiscovery consul(String name, Map<String, Object> keys, Map<String, String> env, String at) {
        String service = string(keys, "discovery.consul.service", "");
        ConsulDiscovery.Builder b = ConsulDiscovery.builder(
                string(keys, "discovery.consul.address", ConfigKey.UPSTREAM_DISCOVERY_CONSUL_ADDRESS.defaultValue()),
                service.isEmpty() ? name : service);
        b.tag(string(keys, "discovery.consul.tag", ""));
        b.datacenter(string(keys, "discovery.consul.datacenter", ""));
        String tokenEnv = string(keys, "discovery.consul.token-env", "");
        if (!tokenEnv.isEmpty()) {
            String token = env.get(tokenEnv);
            if (token == null) {
                throw new ConfigException(at + ".consul.token-env names the environment variable " + tokenEnv
                        + ", which is not set (expected: the Consul ACL token in it)");
            }
            b.token(token);
        }
        b.waitTime(duration(keys, "discovery.consul.wait", ConfigKey.UPSTREAM_DISCOVERY_CONSUL_WAIT.defaultValue()));
        b.target(string(keys, "discovery.consul.scheme", "http"), string(keys, "discovery.consul.path", "/mcp"));
        return b.build();
    }

    private static String string(Map<String, Object> keys, String key, String def) {
        Object v = keys.get(key);
        return v == null ? def : String.valueOf(v);
    }

    private static Duration duration(Map<String, Object> keys, String key, Duration def) {
        Object v = keys.get(key);
        return v == null ? def : (Duration) v;
    }
}
