package io.peregrine.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * An MCP client over newline-delimited JSON-RPC on TCP, for both protocol eras.
 *
 * <pre>{@code
 * try (PeregrineClient client = PeregrineClient.builder().tcp("127.0.0.1", 7400).connect()) {
 *     System.out.println(client.callTool("echo", Map.of("message", "hi")).text());
 * }
 * }</pre>
 *
 * Requests are correlated by id, so any number may be in flight at once from any thread. Each has
 * a timeout, after which its future fails and the server is told to cancel it. Losing the
 * connection fails every pending request.
 */
public final class PeregrineClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeregrineClient.class);
    private static final String MODERN = "2026-07-28";

    private final Builder config;
    private final boolean modern;
    private final JsonRpcWriter writer = new JsonRpcWriter(Json.DEFAULT);
    private final Map<RequestId, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, ProgressListener> progress = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private EventLoopGroup group;
    private Channel channel;
    private Map<String, Object> initializeResult = Map.of();

    private PeregrineClient(Builder config) {
        this.config = config;
        this.modern = MODERN.equals(config.protocolVersion);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static final class Pending {
        final RequestId id;
        final CompletableFuture<Map<String, Object>> future = new CompletableFuture<>();
        ScheduledFuture<?> timeout;
        String progressToken;

        Pending(RequestId id) {
            this.id = id;
        }
    }

    /** A call in flight, which can be cancelled. */
    public final class Call {
        private final RequestId id;
        private final CompletableFuture<CallToolResult> result;

        Call(RequestId id, CompletableFuture<CallToolResult> result) {
            this.id = id;
            this.result = result;
        }

        public CompletableFuture<CallToolResult> result() {
            return result;
        }

        /** Tells the server to stop, and fails the result with a {@link CancellationException}. */
        public void cancel(String reason) {
            Pending p = pending.remove(id);
            if (p != null) {
                finish(p);
                sendCancel(id, reason);
                p.future.completeExceptionally(new CancellationException("cancelled: " + reason));
            }
        }
    }

    private PeregrineClient open() throws InterruptedException, IOException {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("peregrine-client", true),
                NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new NdjsonFrameDecoder(config.maxLineLength), new ClientHandler(PeregrineClient.this));
                    }
                });
        try {
            channel = b.connect(config.address).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot connect to " + config.address + ": " + e.getMessage(), e);
        }
        if (!modern) {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("protocolVersion", config.protocolVersion);
            params.put("capabilities", Map.of());
            params.put("clientInfo", clientInfo());
            initializeResult = await(request("initialize", params));
            notify("notifications/initialized", null);
        }
        return this;
    }

    /** The server's answer to {@code initialize} (empty in the stateless era). */
    public Map<String, Object> initializeResult() {
        return initializeResult;
    }

    /** The protocol version the server chose, or the requested one in the stateless era. */
    public String negotiatedVersion() {
        Object v = initializeResult.get("protocolVersion");
        return v != null ? (String) v : config.protocolVersion;
    }

    /** Sends a request; the future holds the {@code result} as a tree, or fails with {@link McpClientException}. */
    public CompletableFuture<Map<String, Object>> request(String method, Map<String, Object> params) {
        return send(method, params, null).future;
    }

    private Pending send(String method, Map<String, Object> params, ProgressListener listener) {
        RequestId id = RequestId.of(ids.incrementAndGet());
        Pending p = new Pending(id);
        Map<String, Object> full = withMeta(params, listener != null ? "p" + id.text() : null);
        if (listener != null) {
            p.progressToken = "p" + id.text();
            progress.put(p.progressToken, listener);
        }
        pending.put(id, p);
        p.timeout = channel.eventLoop().schedule(() -> expire(id), config.timeout.toMillis(), TimeUnit.MILLISECONDS);
        write(writer.request(channel.alloc(), id, method, g -> JsonTree.write(g, full)));
        if (!channel.isActive()) {
            fail(id, "not connected to " + config.address);
        }
        return p;
    }

    /** Sends a notification. */
    public void notify(String method, Map<String, Object> params) {
        write(writer.notification(channel.alloc(), method, params == null ? null : g -> JsonTree.write(g, params)));
    }

    /** Sends a line as it is, for tests of malformed input. */
    public void sendRaw(String line) {
        ByteBuf buf = channel.alloc().buffer();
        buf.writeCharSequence(line, java.nio.charset.StandardCharsets.UTF_8);
        write(buf);
    }

    private void write(ByteBuf message) {
        message.writeByte('\n');
        channel.writeAndFlush(message, channel.voidPromise());
    }

    private Map<String, Object> withMeta(Map<String, Object> params, String progressToken) {
        if (!modern && progressToken == null) {
            return params == null ? Map.of() : params;
        }
        Map<String, Object> full = params == null ? new LinkedHashMap<>() : new LinkedHashMap<>(params);
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = full.get("_meta") instanceof Map
                ? new LinkedHashMap<>((Map<String, Object>) full.get("_meta")) : new LinkedHashMap<>();
        if (modern) {
            meta.put("io.modelcontextprotocol/protocolVersion", MODERN);
            meta.put("io.modelcontextprotocol/clientCapabilities", Map.of());
            meta.put("io.modelcontextprotocol/clientInfo", clientInfo());
        }
        if (progressToken != null) {
            meta.put("progressToken", progressToken);
        }
        full.put("_meta", meta);
        return full;
    }

    private Map<String, Object> clientInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", config.clientName);
        info.put("version", config.clientVersion);
        return info;
    }

    /** {@code server/discover}. */
    public Map<String, Object> discover() {
        return await(request("server/discover", null));
    }

    public void ping() {
        await(request("ping", null));
    }

    /** Every tool, following {@code nextCursor} through all pages. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listTools() {
        List<Map<String, Object>> tools = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> result = await(request("tools/list", cursor == null ? null : Map.of("cursor", cursor)));
            Object page = result.get("tools");
            if (page instanceof List) {
                tools.addAll((List<Map<String, Object>>) page);
            }
            cursor = (String) result.get("nextCursor");
        } while (cursor != null);
        return tools;
    }

    /** Calls a tool and waits for its result. */
    public CallToolResult callTool(String name, Map<String, Object> arguments) {
        try {
            return callToolAsync(name, arguments, null).result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpClientException(McpClientException.LOCAL, "interrupted", null);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /** Calls a tool; {@code listener} (may be null) receives its progress notifications. */
    public Call callToolAsync(String name, Map<String, Object> arguments, ProgressListener listener) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", Objects.requireNonNull(name, "name"));
        params.put("arguments", arguments == null ? Map.of() : arguments);
        Pending p = send("tools/call", params, listener);
        return new Call(p.id, p.future.thenApply(CallToolResult::new));
    }

    private Map<String, Object> await(CompletableFuture<Map<String, Object>> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpClientException(McpClientException.LOCAL, "interrupted", null);
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(ExecutionException e) {
        return e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
                : new McpClientException(McpClientException.LOCAL, String.valueOf(e.getCause()), null);
    }

    // ------------------------------------------------------------------ from the connection's thread

    void receive(RpcMessage m) {
        switch (m.kind()) {
            case RESPONSE:
                Pending p = pending.remove(m.id());
                if (p == null) {
                    log.debug("response for unknown or expired request {}", m.id());
                    return;
                }
                finish(p);
                if (m.error() != null) {
                    p.future.completeExceptionally(new McpClientException(m.error().code(), m.error().message(), null));
                } else {
                    p.future.complete(tree(m.result()));
                }
                return;
            case NOTIFICATION:
                notification(m.method(), tree(m.params()));
                return;
            default:
                answerServerRequest(m);
        }
    }

    private void notification(String method, Map<String, Object> params) {
        if ("notifications/progress".equals(method)) {
            ProgressListener listener = progress.get(String.valueOf(params.get("progressToken")));
            if (listener != null) {
                Object total = params.get("total");
                listener.onProgress(((Number) params.getOrDefault("progress", 0)).doubleValue(),
                        total instanceof Number ? ((Number) total).doubleValue() : null, (String) params.get("message"));
            }
        }
        if (config.onNotification != null) {
            config.onNotification.accept(method, params);
        }
    }

    private void answerServerRequest(RpcMessage m) {
        if ("ping".equals(m.method())) {
            write(writer.result(channel.alloc(), m.id(), g -> {
                g.writeStartObject();
                g.writeEndObject();
            }));
        } else {
            write(writer.error(channel.alloc(), m.id(), JsonRpcError.METHOD_NOT_FOUND,
                    "Method not found: " + m.method(), null));
        }
    }

    void connectionLost() {
        for (RequestId id : new ArrayList<>(pending.keySet())) {
            fail(id, "connection to " + config.address + " lost");
        }
    }

    private void expire(RequestId id) {
        Pending p = pending.remove(id);
        if (p != null) {
            finish(p);
            sendCancel(id, "timed out");
            p.future.completeExceptionally(new McpClientException(McpClientException.LOCAL,
                    "request " + id + " timed out after " + config.timeout.toMillis() + " ms", new TimeoutException()));
        }
    }

    private void fail(RequestId id, String why) {
        Pending p = pending.remove(id);
        if (p != null) {
            finish(p);
            p.future.completeExceptionally(new McpClientException(McpClientException.LOCAL, why, null));
        }
    }

    private void finish(Pending p) {
        if (p.timeout != null) {
            p.timeout.cancel(false);
        }
        if (p.progressToken != null) {
            progress.remove(p.progressToken);
        }
    }

    private void sendCancel(RequestId id, String reason) {
        if (channel.isActive()) {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("requestId", id.isNumber() ? (Object) Long.parseLong(id.text()) : id.text());
            params.put("reason", reason);
            notify("notifications/cancelled", params);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(ByteBuf raw) {
        if (raw == null) {
            return Map.of();
        }
        try (var p = Json.DEFAULT.parser(raw)) {
            Object t = JsonTree.read(p);
            return t instanceof Map ? (Map<String, Object>) t : Map.of();
        } catch (IOException e) {
            return Map.of();
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        connectionLost();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Builds and connects a {@link PeregrineClient}. */
    public static final class Builder {
        private InetSocketAddress address;
        private String protocolVersion = "2025-11-25";
        private String clientName = "peregrine-client";
        private String clientVersion = "0.1.0";
        private Duration timeout = Duration.ofSeconds(30);
        private int maxLineLength = 16 * 1024 * 1024;
        private BiConsumer<String, Map<String, Object>> onNotification;

        private Builder() {
        }

        public Builder tcp(String host, int port) {
            return address(new InetSocketAddress(host, port));
        }

        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** 2025-03-26, 2025-06-18 or 2025-11-25 (handshake; the default is 2025-11-25), or 2026-07-28 (stateless). */
        public Builder protocolVersion(String version) {
            this.protocolVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        public Builder clientInfo(String name, String version) {
            this.clientName = Objects.requireNonNull(name, "name");
            this.clientVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /** How long a request may wait for its answer; default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout : " + timeout + " (expected: > 0)");
            }
            this.timeout = timeout;
            return this;
        }

        /** The longest message accepted from the server; default 16 MiB. */
        public Builder maxLineLength(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxLineLength : " + bytes + " (expected: > 0)");
            }
            this.maxLineLength = bytes;
            return this;
        }

        /** Receives every notification from the server (method, params), on the connection's thread. */
        public Builder onNotification(BiConsumer<String, Map<String, Object>> listener) {
            this.onNotification = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Connects and, in the 2025 era, performs the initialize handshake. */
        public PeregrineClient connect() throws IOException, InterruptedException {
            if (address == null) {
                throw new IllegalStateException("no address: call tcp(host, port) or address(...)");
            }
            return new PeregrineClient(this).open();
        }
    }
}
