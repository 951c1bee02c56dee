package io.peregrine.testing;

import io.peregrine.Peregrine;
import io.peregrine.rpc.JsonTree;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A session over Streamable HTTP with the JDK's HTTP client, as a conforming client behaves: each
 * message is a POST; what comes back (a JSON body, or each event of an SSE stream) is queued in
 * arrival order. A 2025-era session keeps the {@code Mcp-Session-Id} of its initialize answer,
 * repeats it with {@code MCP-Protocol-Version} on every later request, and listens on the GET stream
 * for unsolicited messages; a 2026-07-28 request carries the request metadata headers.
 */
public final class StreamableHttpSession extends QueuedSession {

    private final Peregrine server;
    private final boolean owned;
    private final URI uri;
    private final HttpClient client;
    private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "http-session-reader");
        t.setDaemon(true);
        return t;
    });
    private volatile String sessionId;
    private volatile String negotiated;
    private volatile CompletableFuture<?> getStream;
    /** The responses of 2026-07-28 requests still open, by request id: closing one cancels its request. */
    private final Map<Object, CompletableFuture<HttpResponse<Stream<String>>>> open = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Object, Stream<String>> openBodies = new java.util.concurrent.ConcurrentHashMap<>();

    public StreamableHttpSession(Peregrine server, boolean owned) {
        this.server = server;
        this.owned = owned;
        this.uri = URI.create("http://127.0.0.1:" + server.addresses().http().getPort() + "/mcp");
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(readers).build();
    }

    public String sessionId() {
        return sessionId;
    }

    @Override
    @SuppressWarnings("unchecked")
    public McpSession send(String line) throws IOException {
        Map<String, Object> message;
        try {
            Object tree = JsonTree.parse(line);
            message = tree instanceof Map ? (Map<String, Object>) tree : Map.of();
        } catch (IOException e) {
            message = Map.of();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(line));
        if ("notifications/cancelled".equals(message.get("method")) && cancelByClosing(message)) {
            // Over Streamable HTTP in 2026-07-28, closing the response is the cancellation.
            return this;
        }
        String version = metaVersion(message);
        if (version != null) {
            b.header("MCP-Protocol-Version", version);
            Object method = message.get("method");
            if (method instanceof String) {
                b.header("Mcp-Method", (String) method);
                Object params = message.get("params");
                if (params instanceof Map) {
                    Object name = ((Map<String, Object>) params).get("name");
                    Object uriParam = ((Map<String, Object>) params).get("uri");
                    Object taskId = ((Map<String, Object>) params).get("taskId");
                    Object value = name instanceof String ? name : uriParam instanceof String ? uriParam : taskId;
                    if (value instanceof String) {
                        b.header("Mcp-Name", (String) value);
                    }
                }
            }
        } else {
            if (sessionId != null) {
                b.header("Mcp-Session-Id", sessionId);
            }
            if (negotiated != null) {
                b.header("MCP-Protocol-Version", negotiated);
            }
        }
        boolean initialize = "initialize".equals(message.get("method")) && sessionId == null;
        CompletableFuture<HttpResponse<Stream<String>>> response =
                client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines());
        Object id = version != null && "2026-07-28".equals(version) ? message.get("id") : null;
        if (id != null) {
            open.put(id, response);
        }
        CompletableFuture<?> handled = response.thenAcceptAsync(r -> {
            if (initialize) {
                r.headers().firstValue("Mcp-Session-Id").ifPresent(sid -> sessionId = sid);
            }
            if (id != null) {
                openBodies.put(id, r.body());
            }
            try {
                drain(r, initialize);
            } finally {
                if (id != null) {
                    open.remove(id);
                    openBodies.remove(id);
                }
            }
        }, readers).exceptionally(t -> {
            messages.add(CLOSED);
            return null;
        });
        // Each POST runs on its own, as a client's concurrent calls do; waiting a moment for one
        // that does not answer at once keeps the order in which the test sends them. A
        // notification or a response is answered (202) as soon as the server has taken it, so the
        // next message waits for that: what follows (a ping, a registry change made by the test)
        // then finds the session as that message left it, however slow the machine is. (A batch
        // is answered once all of its requests are.)
        boolean answeredAtOnce = !message.isEmpty() && (message.get("id") == null || message.get("method") == null);
        try {
            if (initialize) {
                handled.join();
            } else if (answeredAtOnce) {
                response.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } else {
                response.get(30, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.TimeoutException stillRunning) {
            // answered later, onto the queue
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
            throw new IOException("POST failed", e);
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    private boolean cancelByClosing(Map<String, Object> message) {
        Object params = message.get("params");
        Object target = params instanceof Map ? ((Map<String, Object>) params).get("requestId") : null;
        if (target == null || !open.containsKey(target)) {
            return false;
        }
        Stream<String> body = openBodies.remove(target);
        if (body != null) {
            body.close();
        }
        CompletableFuture<?> f = open.remove(target);
        if (f != null) {
            f.cancel(true);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static String metaVersion(Map<String, Object> message) {
        Object params = message.get("params");
        if (!(params instanceof Map)) {
            return null;
        }
        Object meta = ((Map<String, Object>) params).get("_meta");
        if (!(meta instanceof Map)) {
            return null;
        }
        Object v = ((Map<String, Object>) meta).get("io.modelcontextprotocol/protocolVersion");
        return v instanceof String ? (String) v : null;
    }

    /** Queues what one response carries: its JSON body, or each event of its SSE stream. */
    @SuppressWarnings("unchecked")
    private void drain(HttpResponse<Stream<String>> r, boolean initialize) {
        String type = r.headers().firstValue("Content-Type").orElse("");
        try (Stream<String> lines = r.body()) {
            drainLines(lines, type, initialize);
        } catch (java.io.UncheckedIOException closed) {
            // the test closed the stream (a cancellation) or the server ended it
        }
    }

    @SuppressWarnings("unchecked")
    private void drainLines(Stream<String> lines, String type, boolean initialize) {
        if (type.startsWith("text/event-stream")) {
            StringBuilder data = new StringBuilder();
            lines.forEach(l -> {
                if (l.startsWith("data:")) {
                    data.append(l.substring(l.startsWith("data: ") ? 6 : 5));
                } else if (l.isEmpty()) {
                    if (data.length() > 0) {
                        messages.add(data.toString());
                    }
                    data.setLength(0);
                }
            });
            return;
        }
        String body = String.join("\n", (Iterable<String>) lines::iterator);
        if (type.startsWith("application/json") && !body.isEmpty()) {
            if (initialize) {
                try {
                    Object v = ((Map<String, Object>) ((Map<String, Object>) JsonTree.parse(body)).get("result"))
                            .get("protocolVersion");
                    negotiated = (String) v;
                } catch (RuntimeException | IOException ignored) {
                    // an error answer: no session
                }
            }
            messages.add(body);
            if (initialize && sessionId != null) {
                openGetStream();
            }
        }
    }

    private void openGetStream() {
        HttpRequest get = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
                .header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", negotiated).GET().build();
        // Open before initialize returns, as a client listening from the start would be: nothing sent
        // to the session afterwards is missed.
        CompletableFuture<HttpResponse<Stream<String>>> headers = client.sendAsync(get, HttpResponse.BodyHandlers.ofLines());
        getStream = headers.thenAcceptAsync(r -> drain(r, false), readers);
        headers.join();
    }

    @Override
    public McpSession sendBytes(byte[] bytes) throws IOException {
        // One message per POST: each line of the raw input is a body of its own.
        String all = new String(bytes, StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                postRaw(java.util.Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            postRaw(java.util.Arrays.copyOfRange(bytes, start, bytes.length));
        }
        return this;
    }

    private void postRaw(byte[] body) throws IOException {
        if (body.length == 0) {
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        try {
            client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofLines())
                    .thenAcceptAsync(r -> drain(r, false), readers).join();
        } catch (RuntimeException e) {
            throw new IOException("POST failed", e);
        }
    }

    @Override
    public Peregrine server() {
        return server;
    }

    @Override
    public void close() throws IOException {
        if (sessionId != null) {
            try {
                client.send(HttpRequest.newBuilder(uri).header("Mcp-Session-Id", sessionId).DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException ignored) {
                // the server may be gone already
            }
        }
        if (getStream != null) {
            getStream.cancel(true);
        }
        readers.shutdownNow();
        if (owned) {
            server.close();
        }
    }
}
