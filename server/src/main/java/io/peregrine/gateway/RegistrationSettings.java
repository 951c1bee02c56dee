package io.peregrine.gateway;

import io.peregrine.config.ConfigException;
import io.peregrine.config.ConfigKey;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.gateway.discovery.ConsulRegistration;
import io.peregrine.gateway.discovery.EtcdRegistration;
import io.peregrine.gateway.discovery.Registration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code registration.consul.*} and {@code registration.etcd.*} keys into the
 * {@link Registration}s of the standalone server; none when their address is empty. The Consul
 * token comes from the environment variable {@code registration.consul.token-env} names.
 */
public final class RegistrationSettings {

    private RegistrationSettings() {
    }

    /**
     * @throws ConfigException naming the key of a value that cannot be used
     */
    public static List<Registration> from(PeregrineConfig c, Map<String, String> env) {
        List<Registration> out = new ArrayList<>();
        // Every registration key is read (and so checked) even when its registry's address is empty.
        for (ConfigKey<?> key : ConfigKey.all().values()) {
            if (key.name().startsWith("registration.")) {
                c.get(key);
            }
        }
        String serverName = c.get(ConfigKey.SERVER_NAME);
        String consul = c.get(ConfigKey.REGISTRATION_CONSUL_ADDRESS);
        if (!consul.isBlank()) {
            try {
                String service = c.get(ConfigKey.REGISTRATION_CONSUL_SERVICE);
                ConsulRegistration.Builder b = ConsulRegistration.builder(consul, service.isBlank() ? serverName : service)
                        .id(c.get(ConfigKey.REGISTRATION_CONSUL_ID))
                        .check(c.get(ConfigKey.REGISTRATION_CONSUL_CHECK_INTERVAL), c.get(ConfigKey.REGISTRATION_CONSUL_DEREGISTER_AFTER));
                for (String tag : c.get(ConfigKey.REGISTRATION_CONSUL_TAGS).split(",")) {
                    if (!tag.isBlank()) {
                        b.tag(tag.trim());
                    }
                }
                if (!c.get(ConfigKey.REGISTRATION_CONSUL_ADVERTISED_URL).isBlank()) {
                    b.advertisedUrl(c.get(ConfigKey.REGISTRATION_CONSUL_ADVERTISED_URL));
                }
                if (!c.get(ConfigKey.REGISTRATION_CONSUL_CHECK_URL).isBlank()) {
                    b.checkUrl(c.get(ConfigKey.REGISTRATION_CONSUL_CHECK_URL));
                }
                String tokenEnv = c.get(ConfigKey.REGISTRATION_CONSUL_TOKEN_ENV);
                if (!tokenEnv.isBlank()) {
                    String token = env.get(tokenEnv);
                    if (token == null) {
                        throw new ConfigException(ConfigKey.REGISTRATION_CONSUL_TOKEN_ENV.name() + " names the environment variable "
                                + tokenEnv + ", which is not set (expected: the Consul ACL token in it)");
                    }
                    b.token(token);
                }
                out.add(b.build());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("registration.consul: " + e.getMessage(), e);
            }
        }
        String etcd = c.get(ConfigKey.REGISTRATION_ETCD_ENDPOINTS);
        if (!etcd.isBlank()) {
            try {
                String prefix = c.get(ConfigKey.REGISTRATION_ETCD_PREFIX);
                EtcdRegistration.Builder b = EtcdRegistration.builder(etcd, prefix.isEmpty() ? "/mcp/" + serverName + "/" : prefix)
                        .id(c.get(ConfigKey.REGISTRATION_ETCD_ID))
                        .leaseTtl(c.get(ConfigKey.REGISTRATION_ETCD_LEASE_TTL));
                if (!c.get(ConfigKey.REGISTRATION_ETCD_ADVERTISED_URL).isBlank()) {
                    b.advertisedUrl(c.get(ConfigKey.REGISTRATION_ETCD_ADVERTISED_URL));
                }
                out.add(b.build());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("registration.etcd: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
