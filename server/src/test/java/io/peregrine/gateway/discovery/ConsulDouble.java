package io.peregrine.gateway.discovery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Consul's HTTP API as HashiCorp records it for its own UI tests: the npm package
 * {@code @hashicorp/consul-api-double} (response templates) rendered by HashiCorp's
 * {@code @hashicorp/api-double} server, run with Node from interop/consul. A real Consul cannot run
 * here. In front of it, a small JDK HTTP server keeps Consul's blocking-query contract (the
 * double answers at once): it holds a request whose {@code index} is current until the data
 * changes or {@code wait} ends, answers with {@code X-Consul-Index}, and records every request.
 * The data changes by asking the double for another number of nodes (its
 * {@code CONSUL_NODE_COUNT} cookie).
 */
final class ConsulDouble implements AutoCloseable {

    /** A request as the front server received it. */
    record Request(String method, String path, Map<String, String> query, String token, String body, long heldMillis) {
    }

    static final Path DIR = Files.isDirectory(Path.of("interop")) ? Path.of("interop", "consul") : Path.of("..", "interop", "consul");

    private final ExternalProcess node;
    private final int doublePort;
    private final HttpServer front;
    private final HttpClient client = HttpClient.newHttpClient();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private long index = 10;
    private int nodes;

    private ConsulDouble(ExternalProcess node, int doublePort, int nodes) throws IOException {
        this.node = node;
        this.doublePort = doublePort;
        this.nodes = nodes;
        this.front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        front.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "consul-double");
            t.setDaemon(true);
            return t;
        }));
        front.createContext("/", this::handle);
        front.start();
    }

    static ConsulDouble start(int nodes) throws Exception {
        Path server = DIR.resolve("node_modules/@hashicorp/api-double/bin/index.js");
        Path data = DIR.resolve("node_modules/@hashicorp/consul-api-double");
        assumeTrue(Files.isRegularFile(server) && Files.isDirectory(data),
                "interop/consul/node_modules is missing (cd interop/consul && npm ci --no-audit --no-fund; .ci/run does it)");
        String nodeBinary = ExternalProcess.require("node", "nodejs");
        int port = ExternalProcess.freeTcpPort();
        ExternalProcess p = ExternalProcess.start("consul-api-double", List.of(nodeBinary, server.toString(),
                "--dir", data.toString(), "--port", Integer.toString(port), "--seed", "20260728"), "Listening on port");
        return new ConsulDouble(p, port, nodes);
    }

    String address() {
        return "http://127.0.0.1:" + front.getAddress().getPort();
    }

    /** What HashiCorp's recorded response for {@code path} is with {@code count} nodes. */
    String recorded(String method, String path, int count) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + doublePort + path))
                .timeout(Duration.ofSeconds(10))
                .header("Cookie", "CONSUL_NODE_COUNT=" + count + "; CONSUL_LATENCY=0; CONSUL_CHECK_COUNT=3; CONSUL_UPSTREAM_COUNT=1; CONSUL_TAG_COUNT=4");
        r.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
        HttpResponse<String> answer = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException(method + " " + path + " on the double answered " + answer.statusCode());
        }
        return answer.body();
    }

    /** Changes the data: another number of nodes, a new index; held queries answer at once. */
    synchronized void nodes(int count) {
        nodes = count;
        index++;
        notifyAll();
    }

    /** Sets the index (lower than before: as after a Consul restart), without changing the data. */
    synchronized void index(long value) {
        index = value;
        notifyAll();
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String answer;
            long at;
            int status = 200;
            if (path.startsWith("/v1/health/service/")) {
                int count;
                synchronized (this) {
                    long asked = query.containsKey("index") ? Long.parseLong(query.get("index")) : 0;
                    long deadline = System.nanoTime() + Duration.ofMillis(waitMillis(query.get("wait"))).toNanos();
                    while (asked != 0 && asked == index && System.nanoTime() < deadline) {
                        wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    }
                    at = index;
                    count = nodes;
                }
                answer = recorded("GET", path, count);
            } else if (path.equals("/v1/agent/service/register")) {
                at = 0;
                answer = recorded("PUT", path, 1);
            } else if (path.startsWith("/v1/agent/service/deregister/")) {
                at = 0;
                answer = ""; // not in the recordings; Consul answers 200 with an empty body
            } else {
                at = 0;
                status = 404;
                answer = "not recorded: " + path;
            }
            requests.add(new Request(ex.getRequestMethod(), path, query, ex.getRequestHeaders().getFirst("X-Consul-Token"),
                    body, (System.nanoTime() - start) / 1_000_000));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            if (at > 0) {
                ex.getResponseHeaders().add("X-Consul-Index", Long.toString(at));
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (Exception e) {
            ex.sendResponseHeaders(500, -1);
        }
    }

    private static long waitMillis(String wait) {
        if (wait == null) {
            return 300_000; // Consul's default wait
        }
        if (wait.endsWith("ms")) {
            return Long.parseLong(wait.substring(0, wait.length() - 2));
        }
        if (wait.endsWith("s")) {
            return Long.parseLong(wait.substring(0, wait.length() - 1)) * 1000;
        }
        return Long.parseLong(wait.substring(0, wait.length() - 1)) * 60_000;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            q.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            notifyAll();
        }
        front.stop(0);
        node.close();
    }
}
