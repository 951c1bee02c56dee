package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Debian's etcd, a one-member cluster on two free loopback ports with its data in a temporary
 * directory, and the few calls of its JSON gateway the tests make themselves.
 */
final class EtcdServer implements AutoCloseable {

    private static final String READY = "serving insecure client requests";

    private final List<String> command;
    private final String url;
    private final Http http = new Http("test-etcd");
    private ExternalProcess process;

    private EtcdServer(List<String> command, String url) throws Exception {
        this.command = command;
        this.url = url;
        restart();
    }

    /** Starts etcd again on the same ports and data (after {@link #stop()}). */
    void restart() throws Exception {
        process = ExternalProcess.start("etcd", command, READY);
    }

    /** Kills etcd. */
    void stop() throws InterruptedException {
        process.close();
    }

    static EtcdServer start(Path dataDir) throws Exception {
        String binary = ExternalProcess.require("etcd", "etcd-server");
        String client = "http://127.0.0.1:" + ExternalProcess.freeTcpPort();
        String peer = "http://127.0.0.1:" + ExternalProcess.freeTcpPort();
        return new EtcdServer(List.of(binary, "--name", "test", "--data-dir", dataDir.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "test=" + peer), client);
    }

    String url() {
        return url;
    }

    JsonNode call(String path, Map<String, Object> body) throws Exception {
        return http.post(URI.create(url + path), body, Duration.ofSeconds(5));
    }

    void put(String key, String value) throws Exception {
        call("/v3/kv/put", Map.of("key", Etcd.b64(key), "value", Etcd.b64(value)));
    }

    void delete(String key) throws Exception {
        call("/v3/kv/deleterange", Map.of("key", Etcd.b64(key)));
    }

    /** The keys and values under {@code prefix}. */
    Map<String, String> range(String prefix) throws Exception {
        JsonNode r = call("/v3/kv/range", Map.of("key", Etcd.b64(prefix), "range_end", Etcd.rangeEnd(prefix)));
        Map<String, String> out = new TreeMap<>();
        for (JsonNode kv : r.path("kvs")) {
            out.put(Etcd.text(kv.path("key")), Etcd.text(kv.path("value")));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        http.close();
        process.close();
    }
}
