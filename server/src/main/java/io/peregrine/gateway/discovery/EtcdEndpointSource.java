package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the endpoint URLs under a prefix with {@code /v3/kv/range}, then follows every change with
 * a {@code /v3/watch} stream that starts at the revision after the range's, so that nothing
 * between the two is missed. When the stream ends or breaks (etcd restarted, the revision was
 * compacted) the next step reads the range again.
 */
final class EtcdEndpointSource extends SourceLoop {

    private static final Logger log = LoggerFactory.getLogger(EtcdEndpointSource.class);

    private final String upstream;
    private final EtcdDiscovery settings;
    private final Etcd etcd;
    private final Set<String> refused = new HashSet<>();
    private volatile InputStream stream;

    EtcdEndpointSource(String upstream, EtcdDiscovery settings) {
        super(upstream, settings.toString());
        this.upstream = upstream;
        this.settings = settings;
        this.etcd = new Etcd(settings.endpoints(), "discovery-etcd");
    }

    @Override
    long step() throws Exception {
        String key = Etcd.b64(settings.prefix());
        String end = Etcd.rangeEnd(settings.prefix());
        JsonNode range = etcd.call("/v3/kv/range", Map.of("key", key, "range_end", end));
        Map<String, String> urls = new TreeMap<>();
        for (JsonNode kv : range.path("kvs")) {
            urls.put(Etcd.text(kv.path("key")), Etcd.text(kv.path("value")));
        }
        long revision = range.path("header").path("revision").asLong(0);
        found(targets(urls));
        watch(key, end, revision + 1, urls);
        return 0;
    }

    /** Follows changes from {@code from} on, until the stream ends. */
    private void watch(String key, String end, long from, Map<String, String> urls) throws Exception {
        URI uri = URI.create(etcd.endpoint() + "/v3/watch");
        String body = Http.JSON.writeValueAsString(Map.of("create_request",
                Map.of("key", key, "range_end", end, "start_revision", from)));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Etcd.CALL_TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response;
        try {
            response = etcd.http().client().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            etcd.next();
            throw e;
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("POST " + uri + " answered " + response.statusCode());
            }
            stream = in;
            if (closed()) {
                return;
            }
            MappingIterator<JsonNode> messages = Http.JSON.readerFor(JsonNode.class).readValues(in);
            while (messages.hasNextValue()) {
                JsonNode m = messages.nextValue();
                if (m.has("error")) {
                    throw new IOException("etcd watch: " + m.path("error").path("message").asText(m.path("error").toString()));
                }
                JsonNode result = m.path("result");
                if (result.path("canceled").asBoolean(false)) {
                    throw new IOException("etcd cancelled the watch" + (result.has("compact_revision")
                            ? " (revision " + from + " was compacted)" : ""));
                }
                boolean changed = false;
                for (JsonNode event : result.path("events")) {
                    String k = Etcd.text(event.path("kv").path("key"));
                    if (event.path("type").asText("PUT").toUpperCase(Locale.ROOT).equals("DELETE")) {
                        changed |= urls.remove(k) != null;
                    } else {
                        String v = Etcd.text(event.path("kv").path("value"));
                        changed |= !v.equals(urls.put(k, v));
                    }
                }
                if (changed) {
                    found(targets(urls));
                }
            }
        } finally {
            stream = null;
        }
        if (!closed()) {
            throw new IOException("the etcd watch stream ended");
        }
    }

    /** The URLs among the values; a value that is not one is left out, and said once. */
    private java.util.List<String> targets(Map<String, String> urls) {
        Set<String> targets = new LinkedHashSet<>();
        urls.forEach((k, v) -> {
            String u = v.trim();
            int colon = u.indexOf("://");
            if (colon > 0 && TargetTemplate.SCHEMES.contains(u.substring(0, colon).toLowerCase(Locale.ROOT))
                    && u.length() > colon + 3) {
                targets.add(u);
            } else if (refused.add(k + "=" + v)) {
                log.warn("upstream {}: etcd key {} holds \"{}\", which is not an endpoint URL (tcp://, ws://, wss://, "
                        + "http:// or https://); left out", upstream, k, v.length() > 80 ? v.substring(0, 80) + "..." : v);
            }
        });
        return new ArrayList<>(targets);
    }

    @Override
    void abort() {
        InputStream in = stream;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing to wake the reader
            }
        }
        etcd.close();
    }
}
