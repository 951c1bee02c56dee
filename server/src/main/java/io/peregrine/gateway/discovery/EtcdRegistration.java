package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Registers a Peregrine server in etcd v3: its URL as the value of a key under a prefix
 * ({@code <prefix><host>:<port>}), attached to a lease granted with a TTL and kept alive at a third
 * of it. A process that dies stops the keep-alives and etcd deletes the key when the TTL ends; a
 * clean close deletes it and revokes the lease at once. A lease that expired all the same (etcd
 * unreachable for longer than the TTL) is granted anew and the key written again.
 */
public final class EtcdRegistration implements Registration {

    private static final Logger log = LoggerFactory.getLogger(EtcdRegistration.class);

    private final List<URI> endpoints;
    private final String prefix;
    private final String id;
    private final String advertisedUrl;
    private final Duration leaseTtl;
    private volatile Etcd etcd;
    private ScheduledExecutorService keepAlive;
    private String key;
    private String value;
    private volatile String lease;
    private int failures;

    private EtcdRegistration(Builder b) {
        this.endpoints = b.endpoints;
        this.prefix = b.prefix;
        this.id = b.id;
        this.advertisedUrl = b.advertisedUrl;
        this.leaseTtl = b.leaseTtl;
    }

    /** Registers under {@code prefix} in the etcd cluster at {@code endpoints} (comma-separated URLs). */
    public static Builder builder(String endpoints, String prefix) {
        return new Builder(endpoints, prefix);
    }

    /** The key written, or null while not registered. */
    public synchronized String key() {
        return key;
    }

    @Override
    public synchronized void register(String defaultUrl, String healthUrl) throws Exception {
        String url = advertisedUrl != null ? advertisedUrl : requireNonNull(defaultUrl, "advertisedUrl");
        URI u = URI.create(url);
        this.key = prefix + (id != null ? id : u.getHost() + ":" + u.getPort());
        this.value = url;
        this.etcd = new Etcd(endpoints, "registration-etcd");
        grantAndPut();
        keepAlive = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("peregrine-registration-etcd", true));
        long period = Math.max(100, leaseTtl.toMillis() / 3);
        keepAlive.scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
        log.info("registered in etcd at {} as {} = {} (lease {}, TTL {}s)", etcd.endpoint(), key, url, lease, leaseTtl.toSeconds());
    }

    private void grantAndPut() throws Exception {
        JsonNode grant = etcd.call("/v3/lease/grant", Map.of("TTL", leaseTtl.toSeconds()));
        String granted = grant.path("ID").asText("");
        if (granted.isEmpty() || granted.equals("0")) {
            throw new java.io.IOException("etcd granted no lease: " + grant);
        }
        etcd.call("/v3/kv/put", Map.of("key", Etcd.b64(key), "value", Etcd.b64(value), "lease", granted));
        lease = granted;
    }

    private void keepAlive() {
        Etcd e0 = etcd;
        if (e0 == null) {
            return; // closed or abandoned meanwhile
        }
        try {
            JsonNode r = e0.call("/v3/lease/keepalive", Map.of("ID", lease));
            long ttl = r.path("result").path("TTL").asLong(0);
            if (ttl <= 0) {
                log.warn("etcd lease {} of {} had expired; granting a new one and writing the key again", lease, key);
                synchronized (this) {
                    if (keepAlive != null && etcd != null) {
                        grantAndPut();
                    }
                }
            }
            if (failures > 0) {
                log.info("etcd keep-alive of {} works again after {} failure(s)", key, failures);
                failures = 0;
            }
        } catch (Exception e) {
            if (etcd == null) {
                return;
            }
            if (failures++ == 0) {
                log.warn("etcd keep-alive of {} failed ({}); retrying, the key goes when the lease's {}s end", key,
                        e.toString(), leaseTtl.toSeconds());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (etcd == null) {
            return;
        }
        stopKeepAlive();
        try {
            etcd.call("/v3/kv/deleterange", Map.of("key", Etcd.b64(key)));
            etcd.call("/v3/lease/revoke", Map.of("ID", lease));
            log.info("deregistered {} from etcd", key);
        } catch (Exception e) {
            log.warn("could not delete {} from etcd ({}); it goes when its lease's {}s end", key, e.toString(),
                    leaseTtl.toSeconds());
        }
        etcd.close();
        etcd = null;
    }

    @Override
    public synchronized void abandon() {
        if (etcd == null) {
            return;
        }
        stopKeepAlive();
        etcd.close();
        etcd = null;
    }

    private void stopKeepAlive() {
        ScheduledExecutorService k = keepAlive;
        keepAlive = null;
        if (k != null) {
            k.shutdownNow();
        }
    }

    /** Builds an {@link EtcdRegistration}; every setter checks its value at once. */
    public static final class Builder {
        private final List<URI> endpoints;
        private final String prefix;
        private String id;
        private String advertisedUrl;
        private Duration leaseTtl = Duration.ofSeconds(10);

        private Builder(String endpoints, String prefix) {
            this.endpoints = Etcd.endpoints(endpoints);
            requireNonNull(prefix, "prefix");
            if (prefix.isEmpty()) {
                throw new IllegalArgumentException("prefix : \"\" (expected: a key prefix such as /mcp/weather/)");
            }
            this.prefix = prefix;
        }

        /** What follows the prefix in the key. Default: {@code <host>:<port>} of the advertised URL. */
        public Builder id(String id) {
            this.id = requireNonNull(id, "id").isBlank() ? null : id.trim();
            return this;
        }

        /** Where clients reach the server. Default: the server's HTTP listener ({@code /mcp}), else its TCP listener. */
        public Builder advertisedUrl(String url) {
            this.advertisedUrl = ConsulRegistration.checkedUrl(url, "advertisedUrl");
            return this;
        }

        /** The lease's TTL, in whole seconds (etcd's unit), at least 2 s. Default 10 s. */
        public Builder leaseTtl(Duration ttl) {
            requireNonNull(ttl, "ttl");
            if (ttl.toSeconds() < 2) {
                throw new IllegalArgumentException("leaseTtl : " + ttl + " (expected: at least 2s)");
            }
            this.leaseTtl = Duration.ofSeconds(ttl.toSeconds());
            return this;
        }

        public EtcdRegistration build() {
            return new EtcdRegistration(this);
        }
    }
}
