package io.peregrine.loadtest;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PendingCall;
import io.peregrine.client.PeregrineClient;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The soak run's mixed workload against one Peregrine: operations of {@link Kind kinds} in a fixed
 * proportion ({@link Kind#weight} out of 100), each started when it is due, on every transport and
 * in both eras. Every operation ends in exactly one {@link Outcome}: answered as expected, a
 * deliberate error (a malformed or oversized message, a rate-limited principal, a cancelled call),
 * an unexpected error, or lost (no answer within {@link #ANSWER_TIMEOUT}, or more than one).
 *
 * <p>Calls go through Peregrine's own Java client ({@link PeregrineClient}); only what a correct
 * client never sends (malformed and oversized messages) and a Streamable HTTP stream broken on
 * purpose and resumed with {@code Last-Event-ID} are written by hand, with a plain socket and the
 * JDK's HTTP client.
 */
final class SoakWorkload implements AutoCloseable {

    /** What the workload does, and how many of every 100 operations do it. */
    enum Kind {
        ECHO_TCP_2025(12, true), ECHO_TCP_2026(12, true), ECHO_WS_2025(12, true), ECHO_WS_2026(12, true),
        ECHO_HTTP_2025(12, true), ECHO_HTTP_2026(12, true),
        /** {@code fs.stat} by the principal {@code limited}, which may call it 5 times a second. */
        RATE_LIMITED(6, true),
        /** A client that connects (initialize in the 2025 era), calls echo once and closes; transports and eras in turn. */
        SESSION(5, false),
        /** A countdown of 10 s cancelled with notifications/cancelled as soon as it reports progress. */
        CANCEL(3, false),
        /** A countdown of 1 s with its progress notifications. */
        PROGRESS(3, false),
        /** A 2025-11-25 session's countdown whose SSE stream is dropped after its first progress and resumed with Last-Event-ID. */
        SSE_RESUME(2, false),
        /** A WebSocket client that initializes and vanishes: its connection closes with no close frame and no session end. */
        WS_VANISH(3, false),
        /** A message cut short, over TCP (then a call on the same connection) or as an HTTP POST. */
        MALFORMED(4, false),
        /** A message over the size limit, over TCP (then a call) or as an HTTP POST. */
        OVERSIZED(2, false);

        final int weight;
        /** Its latency counts in the window's percentiles: request and answer, nothing deliberately slow. */
        final boolean timed;

        Kind(int weight, boolean timed) {
            this.weight = weight;
            this.timed = timed;
        }
    }

    enum Outcome { OK, EXPECTED_ERROR, UNEXPECTED_ERROR, LOST }

    /** An operation without its answer after this long is lost. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    static final String SOAK_PRINCIPAL = "soak";
    static final String LIMITED_PRINCIPAL = "limited";
    /** The {@code limits.per-principal-tool} the server runs with: only {@code limited} calls fs.stat. */
    static final String LIMIT = "fs.stat=5/1s";
    /** The size limits the server runs with ({@code tcp.max-line-length}, {@code http.max-body-size}, {@code ws.max-frame-size}). */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final String V2025 = Era.V2025_11_25.version();
    private static final String V2026 = Era.V2026_07_28.version();
    private static final String META_2026 = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + V2026
            + "\",\"io.modelcontextprotocol/clientCapabilities\":{}}";

    private final InetSocketAddress tcp;
    private final InetSocketAddress http;
    private final String soakKey;
    private final String limitedKey;
    private final boolean leak;
    private final Kind[] sequence;
    private final Map<Kind, PeregrineClient> clients = new EnumMap<>(Kind.class);
    private PeregrineClient limited;
    private final List<PeregrineClient> rotation = new ArrayList<>();
    private final HttpClient httpClient;
    private final ExecutorService blocking = Executors.newFixedThreadPool(64, new DefaultThreadFactory("soak-blocking", true));
    private final java.util.concurrent.ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("soak-timers", true));
    private final AtomicInteger turn = new AtomicInteger();

    // Counts over the whole run, by kind and outcome.
    private final AtomicLongArray counts = new AtomicLongArray(Kind.values().length * Outcome.values().length);
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<String, AtomicLong> expectedErrors = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> firstFailures = Collections.synchronizedList(new ArrayList<>());
    private Histogram window = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);

    SoakWorkload(InetSocketAddress tcp, InetSocketAddress http, String soakKey, String limitedKey, boolean leak) {
        this.tcp = tcp;
        this.http = http;
        this.soakKey = soakKey;
        this.limitedKey = limitedKey;
        this.leak = leak;
        this.sequence = sequence();
        // Its own executor, not the blocking pool: with every pool thread waiting in send(), a
        // client that needs one of them to deliver the answers never would.
        this.httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The 100 kinds in a fixed, shuffled order: each kind's share spread over the hundred. */
    static Kind[] sequence() {
        List<Kind> all = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (int i = 0; i < k.weight; i++) {
                all.add(k);
            }
        }
        Collections.shuffle(all, new Random(19));
        return all.toArray(new Kind[0]);
    }

    /** Connects the long-lived clients: one per transport and era, and the rate-limited principal's. */
    void connect() throws IOException {
        clients.put(Kind.ECHO_TCP_2025, client("tcp", V2025, null).connect());
        clients.put(Kind.ECHO_TCP_2026, client("tcp", V2026, null).connect());
        clients.put(Kind.ECHO_WS_2025, client("ws", V2025, soakKey).connect());
        clients.put(Kind.ECHO_WS_2026, client("ws", V2026, soakKey).connect());
        clients.put(Kind.ECHO_HTTP_2025, client("http", V2025, soakKey).connect());
        clients.put(Kind.ECHO_HTTP_2026, client("http", V2026, soakKey).connect());
        rotation.addAll(clients.values());
        limited = client("http", V2026, limitedKey).connect();
    }

    private PeregrineClient.Builder client(String transport, String era, String key) {
        String url = transport.equals("tcp") ? "tcp://" + GatewayServeMain.hostPort(tcp)
                : transport + "://" + GatewayServeMain.hostPort(http) + Transport.PATH;
        PeregrineClient.Builder b = PeregrineClient.builder().url(url).protocolVersion(era)
                .requestTimeout(ANSWER_TIMEOUT).maxCallsInFlight(4096, Duration.ofSeconds(5))
                .clientInfo("soak", "1");
        return key == null ? b : b.authorization("Bearer " + key);
    }

    /** Starts operation {@code n} of the run, due at {@code dueNanos}; never blocks. */
    void start(long n, long dueNanos) {
        Kind kind = sequence[(int) (n % sequence.length)];
        started.incrementAndGet();
        inFlight.incrementAndGet();
        CompletableFuture<Outcome> op;
        try {
            op = operation(kind, n);
        } catch (RuntimeException e) {
            op = CompletableFuture.failedFuture(e);
        }
        AtomicInteger answers = new AtomicInteger();
        op.orTimeout(ANSWER_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS).whenComplete((outcome, failure) -> {
            if (answers.incrementAndGet() > 1) {
                return; // a future completes once; kept as the rule "exactly one outcome" says
            }
            Outcome o;
            if (failure == null) {
                o = outcome;
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                o = timedOut(cause) ? Outcome.LOST : Outcome.UNEXPECTED_ERROR;
                note(kind, o + ": " + cause);
            }
            counts.incrementAndGet(kind.ordinal() * Outcome.values().length + o.ordinal());
            if (kind.timed && (o == Outcome.OK || o == Outcome.EXPECTED_ERROR)) {
                long took = Math.max(0, System.nanoTime() - dueNanos);
                synchronized (this) {
                    window.recordValue(Math.min(took, window.getHighestTrackableValue()));
                }
            }
            inFlight.decrementAndGet();
        });
    }

    private CompletableFuture<Outcome> operation(Kind kind, long n) {
        switch (kind) {
            case ECHO_TCP_2025:
            case ECHO_TCP_2026:
            case ECHO_WS_2025:
            case ECHO_WS_2026:
            case ECHO_HTTP_2025:
            case ECHO_HTTP_2026: {
                String tool = leak && kind == Kind.ECHO_TCP_2025 ? SoakRetainExtension.TOOL : "echo";
                return echo(kind, clients.get(kind), tool, "soak " + n);
            }
            case RATE_LIMITED:
                return limited.callToolAsync("fs.stat", Map.of("path", "."), null).result()
                        .handle((r, failure) -> {
                            if (failure == null) {
                                return r.isError() ? unexpected(kind, "fs.stat: " + r.text()) : Outcome.OK;
                            }
                            McpClientException e = clientException(failure);
                            return e != null && e.code() == -31004 ? expected("rate-limited (-31004)")
                                    : failed(kind, failure);
                        });
            case SESSION:
                return CompletableFuture.supplyAsync(() -> session(n), blocking);
            case CANCEL:
                return cancel(rotation.get(turn.getAndIncrement() % rotation.size()));
            case PROGRESS:
                return progress(rotation.get(turn.getAndIncrement() % rotation.size()));
            case SSE_RESUME:
                return CompletableFuture.supplyAsync(this::sseResume, blocking);
            case WS_VANISH:
                return CompletableFuture.supplyAsync(this::vanish, blocking);
            case MALFORMED:
                return CompletableFuture.supplyAsync(() -> (n / 100) % 2 == 0 ? badTcp(false) : badHttp(false), blocking);
            case OVERSIZED:
                return CompletableFuture.supplyAsync(() -> (n / 100) % 2 == 0 ? badTcp(true) : badHttp(true), blocking);
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    private CompletableFuture<Outcome> echo(Kind kind, PeregrineClient client, String tool, String message) {
        return client.callToolAsync(tool, Map.of("message", message), null).result()
                .thenApply(r -> !r.isError() && message.equals(r.text()) ? Outcome.OK
                        : unexpected(kind, tool + " answered " + r.text()));
    }

    /** A new client on a transport and era in turn: connect (initialize in the 2025 era), one call, close. */
    private Outcome session(long n) {
        String[] transports = {"tcp", "ws", "http"};
        int i = (int) ((n / 100) % 6);
        String era = i % 2 == 0 ? V2025 : V2026;
        String transport = transports[i / 2];
        try (PeregrineClient c = client(transport, era, transport.equals("tcp") ? null : soakKey).connect()) {
            CallToolResult r = c.callTool("echo", Map.of("message", "session " + n));
            return r.isError() ? unexpected(Kind.SESSION, transport + " " + era + ": " + r.text()) : Outcome.OK;
        } catch (IOException | RuntimeException e) {
            return failed(Kind.SESSION, e);
        }
    }

    /** A countdown of 10 s, cancelled once it has reported progress (so the server is running it). */
    private CompletableFuture<Outcome> cancel(PeregrineClient client) {
        CompletableFuture<PendingCall> call = new CompletableFuture<>();
        AtomicInteger progress = new AtomicInteger();
        PendingCall c = client.callToolAsync("countdown", Map.of("seconds", 10), (p, total, message) -> {
            if (progress.getAndIncrement() == 0) {
                call.thenAccept(pending -> timers.execute(() -> pending.cancel("soak: cancelled on purpose")));
            }
        });
        call.complete(c);
        return c.result().handle((r, failure) -> {
            if (failure == null) {
                return unexpected(Kind.CANCEL, "a cancelled countdown answered: " + r.text());
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            return cause instanceof CancellationException ? expected("cancelled") : failed(Kind.CANCEL, cause);
        });
    }

    private CompletableFuture<Outcome> progress(PeregrineClient client) {
        AtomicInteger progress = new AtomicInteger();
        return client.callToolAsync("countdown", Map.of("seconds", 1), (p, total, message) -> progress.incrementAndGet())
                .result().thenApply(r -> r.isError() ? unexpected(Kind.PROGRESS, r.text())
                        : progress.get() == 0 ? unexpected(Kind.PROGRESS, "no progress notification") : Outcome.OK);
    }

    /**
     * A 2025-11-25 session over Streamable HTTP: a countdown of 2 s asked for with a progress token,
     * its stream dropped after the first progress event, and resumed with {@code GET} and
     * {@code Last-Event-ID}; the resumed stream must carry the rest, with the answer exactly once.
     */
    private Outcome sseResume() {
        URI uri = URI.create("http://" + GatewayServeMain.hostPort(http) + Transport.PATH);
        String session = null;
        try {
            HttpResponse<String> init = httpClient.send(post(uri, null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                    + "\"params\":{\"protocolVersion\":\"" + V2025 + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"soak\","
                    + "\"version\":\"1\"}}}"), HttpResponse.BodyHandlers.ofString());
            session = init.headers().firstValue("mcp-session-id").orElse(null);
            if (init.statusCode() != 200 || session == null) {
                return unexpected(Kind.SSE_RESUME, "initialize: HTTP " + init.statusCode() + " " + init.body());
            }
            HttpResponse<String> initialized = httpClient.send(post(uri, session,
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.ofString());
            if (initialized.statusCode() != 202) {
                return unexpected(Kind.SSE_RESUME, "notifications/initialized: HTTP " + initialized.statusCode());
            }
            HttpResponse<InputStream> call = httpClient.send(post(uri, session, "{\"jsonrpc\":\"2.0\",\"id\":2,"
                    + "\"method\":\"tools/call\",\"params\":{\"name\":\"countdown\",\"arguments\":{\"seconds\":2},"
                    + "\"_meta\":{\"progressToken\":\"soak\"}}}"), HttpResponse.BodyHandlers.ofInputStream());
            String lastId = null;
            int answersBefore = 0;
            try (InputStream body = call.body()) {
                if (call.statusCode() != 200) {
                    return unexpected(Kind.SSE_RESUME, "tools/call: HTTP " + call.statusCode());
                }
                BufferedReader events = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                String id = null;
                for (String line; (line = events.readLine()) != null; ) {
                    if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:") && line.contains("\"id\":2")) {
                        answersBefore++;
                    } else if (line.startsWith("data:") && line.contains("notifications/progress")) {
                        lastId = id;
                        break; // the stream breaks here: the rest must come from the resumption
                    }
                }
            }
            if (lastId == null) {
                return unexpected(Kind.SSE_RESUME, "the countdown's stream ended without a progress event with an id"
                        + (answersBefore > 0 ? " (answered before any progress)" : ""));
            }
            HttpRequest resume = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET()
                    .header("Accept", "text/event-stream").header("Mcp-Session-Id", session)
                    .header("MCP-Protocol-Version", V2025).header("Last-Event-ID", lastId)
                    .header("Authorization", "Bearer " + soakKey).build();
            HttpResponse<java.util.stream.Stream<String>> resumed = httpClient.send(resume, HttpResponse.BodyHandlers.ofLines());
            if (resumed.statusCode() != 200) {
                resumed.body().close();
                return unexpected(Kind.SSE_RESUME, "GET with Last-Event-ID " + lastId + ": HTTP " + resumed.statusCode());
            }
            long answers;
            boolean result;
            try (java.util.stream.Stream<String> lines = resumed.body()) {
                List<String> data = lines.filter(l -> l.startsWith("data:") && l.contains("\"id\":2")).toList();
                answers = data.size();
                result = answers == 1 && data.get(0).contains("\"result\"") && data.get(0).contains("counted down from 2");
            }
            if (answers != 1) {
                return unexpected(Kind.SSE_RESUME, "the resumed stream carried " + answers + " answers (expected: exactly one)");
            }
            return result ? Outcome.OK : unexpected(Kind.SSE_RESUME, "the resumed answer is not the countdown's result");
        } catch (IOException | RuntimeException e) {
            return failed(Kind.SSE_RESUME, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.LOST;
        } finally {
            if (session != null) {
                try {
                    httpClient.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).DELETE()
                            .header("Mcp-Session-Id", session).header("MCP-Protocol-Version", V2025)
                            .header("Authorization", "Bearer " + soakKey).build(), HttpResponse.BodyHandlers.discarding());
                } catch (IOException | InterruptedException e) {
                    note(Kind.SSE_RESUME, "DELETE of the session failed: " + e);
                }
            }
        }
    }

    private HttpRequest post(URI uri, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + soakKey);
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", V2025);
        }
        return b.build();
    }

    /**
     * A WebSocket client that initializes, calls echo and vanishes: its event loop is shut down
     * under it, so the connection closes with no close frame and the client never ends its session.
     */
    private Outcome vanish() {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("soak-vanishing", true),
                NioIoHandler.newFactory());
        try {
            PeregrineClient c = client("ws", V2025, soakKey).eventLoopGroup(group).connect();
            CallToolResult r = c.callTool("echo", Map.of("message", "vanishing"));
            return r.isError() ? unexpected(Kind.WS_VANISH, r.text()) : Outcome.OK;
        } catch (IOException | RuntimeException e) {
            return failed(Kind.WS_VANISH, e);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    /**
     * Over TCP: a message cut short (or a line over {@code tcp.max-line-length}) must get exactly
     * one error, {@code -32700} ({@code -32600}), and the connection must go on: a call after it
     * gets its own answer.
     */
    private Outcome badTcp(boolean oversized) {
        try (Socket s = new Socket()) {
            s.connect(tcp, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            String bad = oversized
                    ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(MAX_MESSAGE_BYTES + 1024) + "\"}}"
                    : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"";
            out.write((bad + "\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    + "\"arguments\":{\"message\":\"after\"}," + META_2026 + "}}\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String first = in.readLine();
            String second = in.readLine();
            String code = oversized ? "-32600" : "-32700";
            if (first == null || !first.contains("\"code\":" + code)) {
                return unexpected(oversized ? Kind.OVERSIZED : Kind.MALFORMED, "TCP " + (oversized ? "oversized" : "malformed") + ": " + first);
            }
            if (second == null || !second.contains("\"id\":2") || !second.contains("\"result\"")) {
                return unexpected(oversized ? Kind.OVERSIZED : Kind.MALFORMED, "TCP: the call after the bad message got "
                        + second);
            }
            return expected(oversized ? "oversized over TCP (" + code + ")" : "malformed over TCP (" + code + ")");
        } catch (IOException e) {
            return failed(oversized ? Kind.OVERSIZED : Kind.MALFORMED, e);
        }
    }

    /** Over HTTP: a body cut short gets 400 with -32700; one over {@code http.max-body-size} gets 413. */
    private Outcome badHttp(boolean oversized) {
        URI uri = URI.create("http://" + GatewayServeMain.hostPort(http) + Transport.PATH);
        String body = oversized
                ? "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(MAX_MESSAGE_BYTES + 1024)
                        + "\"," + META_2026 + "}}"
                : "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"";
        try {
            HttpResponse<String> r = httpClient.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream").header("MCP-Protocol-Version", V2026)
                    .header("Authorization", "Bearer " + soakKey).build(), HttpResponse.BodyHandlers.ofString());
            int want = oversized ? 413 : 400;
            if (r.statusCode() != want || !oversized && !r.body().contains("-32700")) {
                return unexpected(oversized ? Kind.OVERSIZED : Kind.MALFORMED,
                        "HTTP " + (oversized ? "oversized" : "malformed") + ": " + r.statusCode() + " " + r.body());
            }
            return expected(oversized ? "oversized over HTTP (413)" : "malformed over HTTP (400, -32700)");
        } catch (IOException e) {
            return failed(oversized ? Kind.OVERSIZED : Kind.MALFORMED, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.LOST;
        }
    }

    private static McpClientException clientException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof McpClientException) {
                return (McpClientException) t;
            }
        }
        return null;
    }

    /** A failure: lost when it is that no answer came in time (the client's, a socket's or HTTP's timeout), else unexpected. */
    private Outcome failed(Kind kind, Throwable failure) {
        note(kind, failure.toString());
        return timedOut(failure) ? Outcome.LOST : Outcome.UNEXPECTED_ERROR;
    }

    static boolean timedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.http.HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private Outcome expected(String what) {
        expectedErrors.computeIfAbsent(what, w -> new AtomicLong()).incrementAndGet();
        return Outcome.EXPECTED_ERROR;
    }

    private Outcome unexpected(Kind kind, String what) {
        note(kind, what);
        return Outcome.UNEXPECTED_ERROR;
    }

    /** Keeps the first three failures of each kind, for the report. */
    private void note(Kind kind, String what) {
        synchronized (firstFailures) {
            if (firstFailures.stream().filter(f -> f.startsWith(kind + ": ")).count() < 3) {
                firstFailures.add(kind + ": " + (what.length() > 300 ? what.substring(0, 300) + "..." : what));
            }
        }
    }

    /** The latencies recorded since the last call, and a fresh window. */
    synchronized Histogram takeWindow() {
        Histogram w = window;
        window = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        return w;
    }

    long count(Kind kind, Outcome outcome) {
        return counts.get(kind.ordinal() * Outcome.values().length + outcome.ordinal());
    }

    long total(Outcome outcome) {
        long n = 0;
        for (Kind k : Kind.values()) {
            n += count(k, outcome);
        }
        return n;
    }

    long started() {
        return started.get();
    }

    long inFlight() {
        return inFlight.get();
    }

    Map<String, Long> expectedErrors() {
        Map<String, Long> m = new java.util.TreeMap<>();
        expectedErrors.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    List<String> firstFailures() {
        synchronized (firstFailures) {
            return new ArrayList<>(firstFailures);
        }
    }

    /** Waits until every operation has its outcome, at most {@code wait}; returns those still without one. */
    long drain(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return inFlight.get();
    }

    @Override
    public void close() {
        for (PeregrineClient c : rotation) {
            c.close();
        }
        if (limited != null) {
            limited.close();
        }
        blocking.shutdownNow();
        timers.shutdownNow();
    }

    /** Per kind: outcome counts, for the report. */
    Map<String, Map<String, Long>> byKind() {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            Map<String, Long> o = new LinkedHashMap<>();
            for (Outcome out : Outcome.values()) {
                o.put(out.name().toLowerCase(java.util.Locale.ROOT), count(k, out));
            }
            m.put(k.name().toLowerCase(java.util.Locale.ROOT), o);
        }
        return m;
    }
}
