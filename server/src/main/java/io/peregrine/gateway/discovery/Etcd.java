package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * etcd v3 through its JSON gateway ({@code /v3/...} over HTTP, keys and values in base64), the
 * calls discovery and registration need, trying the cluster's endpoints in turn.
 */
final class Etcd implements AutoCloseable {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final List<URI> endpoints;
    private final Http http;
    private volatile int current;

    Etcd(List<URI> endpoints, String name) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints : [] (expected: at least one http:// or https:// URL of etcd)");
        }
        this.endpoints = List.copyOf(endpoints);
        this.http = new Http(name);
    }

    /** Parses a comma-separated list of etcd URLs. */
    static List<URI> endpoints(String commaSeparated) {
        List<URI> uris = new ArrayList<>();
        for (String e : requireNonNull(commaSeparated, "endpoints").split(",")) {
            if (!e.isBlank()) {
                uris.add(ConsulDiscovery.Builder.httpAddress(e, "endpoints"));
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("endpoints : \"" + commaSeparated + "\" (expected: comma-separated http:// URLs of etcd)");
        }
        return uris;
    }

    Http http() {
        return http;
    }

    /** The endpoint in use now. */
    URI endpoint() {
        return endpoints.get(Math.floorMod(current, endpoints.size()));
    }

    /** POSTs to {@code path} on the endpoint in use, moving on to the next one when it cannot be reached. */
    JsonNode call(String path, Map<String, Object> body) throws IOException, InterruptedException {
        IOException failure = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int at = current;
            try {
                return http.post(URI.create(endpoints.get(Math.floorMod(at, endpoints.size())) + path), body, CALL_TIMEOUT);
            } catch (IOException e) {
                failure = e;
                current = at + 1;
            }
        }
        throw failure;
    }

    /** Tells the next call to use the next endpoint (the one in use failed). */
    void next() {
        current++;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(JsonNode b64) {
        return new String(Base64.getDecoder().decode(b64.asText("")), StandardCharsets.UTF_8);
    }

    /** The end of the range of keys that start with {@code prefix}, in base64. */
    static String rangeEnd(String prefix) {
        byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end = Arrays.copyOf(end, i + 1);
                end[i]++;
                return Base64.getEncoder().encodeToString(end);
            }
        }
        return Base64.getEncoder().encodeToString(new byte[] {0}); // every key
    }

    @Override
    public void close() {
        http.close();
    }
}
