package io.peregrine.gateway.discovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Registers a Peregrine server as a service of the local Consul agent
 * ({@code PUT /v1/agent/service/register}) with an HTTP check on its {@code /health}, and
 * deregisters it on close ({@code PUT /v1/agent/service/deregister/<id>}). Should the process die
 * without deregistering, the check turns critical and Consul removes the service after
 * {@code deregister-after}. The instance's URL is also in the service's metadata ({@code mcp-url}).
 */
public final class ConsulRegistration implements Registration {

    private static final Logger log = LoggerFactory.getLogger(ConsulRegistration.class);

    private final URI address;
    private final String service;
    private final String id;
    private final List<String> tags;
    private final String advertisedUrl;
    private final String checkUrl;
    private final Duration checkInterval;
    private final Duration deregisterAfter;
    private final String token;
    private Http http;
    private String registeredId;

    private ConsulRegistration(Builder b) {
        this.address = b.address;
        this.service = b.service;
        this.id = b.id;
        this.tags = List.copyOf(b.tags);
        this.advertisedUrl = b.advertisedUrl;
        this.checkUrl = b.checkUrl;
        this.checkInterval = b.checkInterval;
        this.deregisterAfter = b.deregisterAfter;
        this.token = b.token;
    }

    /** Registers as {@code service} with the Consul agent at {@code address} ({@code http://127.0.0.1:8500}). */
    public static Builder builder(String address, String service) {
        return new Builder(address, service);
    }

    /** The body of the register request, for the instance at {@code url} checked at {@code health}. */
    Map<String, Object> body(String url, String health) {
        URI u = URI.create(url);
        String host = u.getHost();
        int port = u.getPort();
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("Name", "Peregrine /health");
        check.put("HTTP", health);
        check.put("Method", "GET");
        check.put("Interval", seconds(checkInterval));
        check.put("Timeout", seconds(checkInterval.compareTo(Duration.ofSeconds(5)) < 0 ? checkInterval : Duration.ofSeconds(5)));
        check.put("DeregisterCriticalServiceAfter", seconds(deregisterAfter));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ID", id != null ? id : service + "-" + host + "-" + port);
        body.put("Name", service);
        body.put("Tags", tags);
        body.put("Address", host);
        body.put("Port", port);
        body.put("Meta", Map.of("mcp-url", url));
        body.put("Check", check);
        return body;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public synchronized void register(String defaultUrl, String defaultHealth) throws Exception {
        String url = advertisedUrl != null ? advertisedUrl : requireNonNull(defaultUrl, "advertisedUrl");
        String health = checkUrl != null ? checkUrl : requireNonNull(defaultHealth, "healthUrl");
        Map<String, Object> body = body(url, health);
        if (http == null) {
            http = new Http("registration-consul");
        }
        http.send(request(address + "/v1/agent/service/register")
                .PUT(HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(body))).build());
        registeredId = (String) body.get("ID");
        log.info("registered in Consul at {} as service {} (id {}, {}), checked at {}", address, service, registeredId, url, health);
    }

    private HttpRequest.Builder request(String uri) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(uri)).timeout(Etcd.CALL_TIMEOUT)
                .header("Content-Type", "application/json");
        if (token != null) {
            r.header("X-Consul-Token", token);
        }
        return r;
    }

    @Override
    public synchronized void close() {
        if (registeredId != null) {
            try {
                http.send(request(address + "/v1/agent/service/deregister/" + URLEncoder.encode(registeredId, StandardCharsets.UTF_8))
                        .PUT(HttpRequest.BodyPublishers.noBody()).build());
                log.info("deregistered {} from Consul at {}", registeredId, address);
            } catch (Exception e) {
                log.warn("could not deregister {} from Consul at {} ({}); its check will fail and Consul removes it after {}",
                        registeredId, address, e.toString(), seconds(deregisterAfter));
            }
            registeredId = null;
        }
        abandon();
    }

    @Override
    public synchronized void abandon() {
        registeredId = null;
        if (http != null) {
            http.close();
            http = null;
        }
    }

    /** Builds a {@link ConsulRegistration}; every setter checks its value at once. */
    public static final class Builder {
        private final URI address;
        private final String service;
        private String id;
        private final List<String> tags = new ArrayList<>();
        private String advertisedUrl;
        private String checkUrl;
        private Duration checkInterval = Duration.ofSeconds(10);
        private Duration deregisterAfter = Duration.ofMinutes(1);
        private String token;

        private Builder(String address, String service) {
            this.address = ConsulDiscovery.Builder.httpAddress(address, "address");
            requireNonNull(service, "service");
            if (!service.matches("[A-Za-z0-9_.-]{1,128}")) {
                throw new IllegalArgumentException("service : \"" + service + "\" (expected: a Consul service name)");
            }
            this.service = service;
        }

        /** The instance's ID. Default: {@code <service>-<host>-<port>}. */
        public Builder id(String id) {
            this.id = requireNonNull(id, "id").isBlank() ? null : id.trim();
            return this;
        }

        public Builder tag(String tag) {
            tags.add(requireNonNull(tag, "tag"));
            return this;
        }

        /** Where clients reach the server. Default: the server's HTTP listener ({@code /mcp}), else its TCP listener. */
        public Builder advertisedUrl(String url) {
            this.advertisedUrl = checkedUrl(url, "advertisedUrl");
            return this;
        }

        /** The URL Consul checks. Default: {@code /health} on the admin listener, else on the HTTP listener. */
        public Builder checkUrl(String url) {
            this.checkUrl = checkedUrl(url, "checkUrl");
            return this;
        }

        /** How often Consul checks, and how long it keeps a critical instance before removing it. Default 10 s and 1 min. */
        public Builder check(Duration interval, Duration deregisterAfter) {
            requireNonNull(interval, "interval");
            requireNonNull(deregisterAfter, "deregisterAfter");
            if (interval.toMillis() < 1) {
                throw new IllegalArgumentException("checkInterval : " + interval + " (expected: > 0)");
            }
            if (deregisterAfter.toMillis() < 1) {
                throw new IllegalArgumentException("deregisterAfter : " + deregisterAfter + " (expected: > 0)");
            }
            this.checkInterval = interval;
            this.deregisterAfter = deregisterAfter;
            return this;
        }

        /** The ACL token sent as {@code X-Consul-Token}; read it from the environment, never from a file. */
        public Builder token(String token) {
            this.token = requireNonNull(token, "token").isEmpty() ? null : token;
            return this;
        }

        public ConsulRegistration build() {
            return new ConsulRegistration(this);
        }
    }

    static String checkedUrl(String url, String what) {
        requireNonNull(url, what);
        String u = url.trim();
        int colon = u.indexOf("://");
        if (colon <= 0 || !TargetTemplate.SCHEMES.contains(u.substring(0, colon)) || URI.create(u).getPort() <= 0) {
            throw new IllegalArgumentException(what + " : \"" + url + "\" (expected: scheme://host:port/path with an explicit port)");
        }
        return u;
    }
}
