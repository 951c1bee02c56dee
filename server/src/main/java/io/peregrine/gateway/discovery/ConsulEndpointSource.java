package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Watches a Consul service with blocking queries: each request carries the last
 * {@code X-Consul-Index} and waits on the server until the answer changes or {@code wait} ends.
 * As Consul's documentation asks, an index that goes backwards starts over from 0, and an index
 * that did not move is not a change.
 */
final class ConsulEndpointSource extends SourceLoop {

    private final ConsulDiscovery settings;
    private final Http http;
    private long index;

    ConsulEndpointSource(String upstream, ConsulDiscovery settings) {
        super(upstream, settings.toString());
        this.settings = settings;
        this.http = new Http("discovery-consul");
    }

    /** The request for the instances after {@code index} (0: at once). */
    URI uri(long after) {
        StringBuilder q = new StringBuilder(settings.address().toString()).append("/v1/health/service/")
                .append(encode(settings.service())).append("?passing");
        if (settings.tag() != null) {
            q.append("&tag=").append(encode(settings.tag()));
        }
        if (settings.datacenter() != null) {
            q.append("&dc=").append(encode(settings.datacenter()));
        }
        if (after > 0) {
            q.append("&index=").append(after).append("&wait=").append(settings.waitTime().toMillis()).append("ms");
        }
        return URI.create(q.toString());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    long step() throws Exception {
        // Consul adds up to wait/16 of jitter to a blocking query; the margin covers it.
        Duration timeout = settings.waitTime().plus(settings.waitTime().dividedBy(16)).plusSeconds(5);
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(index)).timeout(timeout).GET();
        if (settings.token() != null) {
            r.header("X-Consul-Token", settings.token());
        }
        long sent = System.nanoTime();
        HttpResponse<String> answer = http.send(r.build());
        long next = answer.headers().firstValueAsLong("X-Consul-Index").orElse(0);
        found(targets(Http.JSON.readTree(answer.body())));
        if (next < index || next <= 0) {
            index = 0;
            return SourceLoop.FIRST_BACKOFF_MILLIS;
        }
        boolean moved = next != index;
        index = next;
        // Unchanged at the end of the wait: ask again at once. Unchanged long before it (a server that
        // does not block): pause, so that it is not asked in a tight loop.
        boolean early = System.nanoTime() - sent < settings.waitTime().toNanos() / 2;
        return moved || !early ? 0 : SourceLoop.FIRST_BACKOFF_MILLIS;
    }

    /** The endpoints of an answer of {@code /v1/health/service}. */
    List<String> targets(JsonNode answer) throws IOException {
        if (!answer.isArray()) {
            throw new IOException("the answer of /v1/health/service is not a JSON array");
        }
        Set<String> targets = new LinkedHashSet<>();
        for (JsonNode entry : answer) {
            JsonNode service = entry.path("Service");
            if (settings.tag() != null && !hasTag(service.path("Tags"), settings.tag())) {
                continue;
            }
            String host = service.path("Address").asText("");
            if (host.isEmpty()) {
                host = entry.path("Node").path("Address").asText("");
            }
            int port = service.path("Port").asInt(0);
            if (host.isEmpty() || port <= 0 || port > 65535) {
                continue;
            }
            targets.add(settings.template().url(host, port));
        }
        return new ArrayList<>(targets);
    }

    private static boolean hasTag(JsonNode tags, String tag) {
        for (JsonNode t : tags) {
            if (t.asText().equals(tag)) {
                return true;
            }
        }
        return false;
    }

    @Override
    void abort() {
        http.close();
    }
}
