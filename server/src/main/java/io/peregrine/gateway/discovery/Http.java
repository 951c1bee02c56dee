package io.peregrine.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's HTTP client as Consul's and etcd's APIs need it: JSON in and out, its threads daemon
 * threads of their own, shut down on close.
 */
final class Http implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final ExecutorService executor;
    private final HttpClient client;

    Http(String name) {
        this.executor = Executors.newCachedThreadPool(new DefaultThreadFactory("peregrine-" + name, true));
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    HttpClient client() {
        return client;
    }

    /** Sends {@code request}; a status other than 2xx is an {@link IOException} naming it and the body's start. */
    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            String body = r.body() == null ? "" : r.body().strip();
            throw new IOException(request.method() + " " + request.uri() + " answered " + r.statusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)));
        }
        return r;
    }

    /** POSTs {@code body} as JSON and reads the JSON answer. */
    JsonNode post(URI uri, Object body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        String answer = send(request).body();
        return answer == null || answer.isBlank() ? JSON.createObjectNode() : JSON.readTree(answer);
    }

    static String trimSlash(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
