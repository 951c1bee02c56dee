package io.peregrine.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.BlockingOperationException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.peregrine.mcp.ProtocolVersion;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * An MCP client speaking newline-delimited JSON-RPC over TCP, in either protocol era.
 *
 * <pre>{@code
 * try (PeregrineClient client = PeregrineClient.builder().tcp("127.0.0.1", 7400).connect()) {
 *     CallToolResult r = client.callTool("echo", Map.of("message", "hi"));
 *     System.out.println(r.text());
 * }
 * }</pre>
 *
 * <p>With a 2025 protocol version (the default is 2025-11-25) {@link Builder#connect()} performs
 * the {@code initialize} handshake. With 2026-07-28 there is none: every request carries the
 * version, capabilities and client info in its {@code _meta}.
 *
 * <p>The client is thread-safe. Requests are correlated by id, so any number may be in flight at
 * once, from any thread. Each has a timeout, after which it fails and the server is told to stop
 * working on it; losing the connection fails every pending request. Futures complete, and
 * listeners are called, on the client's single I/O thread: they must not block, and the blocking
 * methods of this class refuse to run there.
 */
public final class PeregrineClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PeregrineClient.class);

    private static final long SHUTDOWN_TIMEOUT_MILLIS = 2_000;

    /** How many input_required rounds one call may take before the client gives up on it. */
    private static final int MAX_INPUT_ROUNDS = 16;

    private final InetSocketAddress address;
    private final String protocolVersion;
    private final boolean stateless;
    private final Map<String, Object> clientInfo;
    private final long timeoutMillis;
    private final int maxLineLength;
    private final BiConsumer<String, Map<String, Object>> notificationListener;
    private final RequestParams requestParams;
    private final String authorization;
    private final io.netty.handler.ssl.SslContext sslContext;
    private final ServerRequestHandlers handlers;
    private final PendingRequests pending = new PendingRequests(this::sendCancelled);
    private final EventLoopGroup group;
    private final AtomicBoolean closed = new AtomicBoolean();

    // Written once by open(), before the client is handed out.
    private Channel channel;
    private String negotiatedVersion;
    private Map<String, Object> serverInfo = Map.of();
    private Map<String, Object> serverCapabilities = Map.of();

    private PeregrineClient(Builder b) {
        address = b.address;
        protocolVersion = b.protocolVersion;
        stateless = ProtocolVersion.find(protocolVersion).isModern();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", b.clientName);
        info.put("version", b.clientVersion);
        clientInfo = Map.copyOf(info);
        timeoutMillis = Math.max(1, b.requestTimeout.toMillis());
        maxLineLength = b.maxLineLength;
        notificationListener = b.notificationListener;
        handlers = b.handlers.build();
        authorization = b.authorization;
        sslContext = b.sslContext;
        requestParams = stateless ? RequestParams.stateless(protocolVersion, handlers.capabilities(), clientInfo,
                authorization)
                : RequestParams.stateful();
        negotiatedVersion = protocolVersion;
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("peregrine-client", true),
                NioIoHandler.newFactory());
    }

    /** Starts configuring a client. */
    public static Builder builder() {
        return new Builder();
    }

    private void open() throws IOException {
        ClientHandler handler = new ClientHandler(pending, handlers, notificationListener, this::connectionClosed);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                // Requests are small and a caller is waiting on each: never hold one back.
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (sslContext != null) {
                            String host = address.getHostString();
                            ch.pipeline().addLast(sslContext.newHandler(ch.alloc(), host, address.getPort()));
                        }
                        ch.pipeline().addLast(new NdjsonFrameDecoder(maxLineLength), handler);
                    }
                });
        ChannelFuture connected = bootstrap.connect(address);
        try {
            connected.await();
        } catch (InterruptedException e) {
            connected.cancel(false);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + address);
        }
        if (!connected.isSuccess()) {
            Throwable cause = connected.cause();
            throw cause instanceof IOException ? (IOException) cause
                    : new IOException("cannot connect to " + address + ": " + cause, cause);
        }
        channel = connected.channel();
        if (!stateless) {
            initialize();
        }
    }

    private void initialize() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("protocolVersion", protocolVersion);
        params.put("capabilities", handlers.capabilities());
        params.put("clientInfo", clientInfo);
        if (authorization != null) {
            params.put(RequestParams.META, Map.of(RequestParams.META_AUTHORIZATION, authorization));
        }
        Map<String, Object> result = await(request("initialize", params));
        Object offered = result.get("protocolVersion");
        ProtocolVersion version = offered instanceof String ? ProtocolVersion.find((String) offered) : null;
        // A server that does not speak the requested revision offers another; any 2025 one will do.
        if (version == null || version.isModern()) {
            List<String> handshakeVersions = new ArrayList<>(ProtocolVersion.ids());
            handshakeVersions.removeAll(ProtocolVersion.modernIds());
            throw new McpClientException(McpClientException.LOCAL, "the server offered protocol version " + offered
                    + ", which cannot follow initialize (expected: one of " + handshakeVersions + ")", null);
        }
        negotiatedVersion = version.id();
        serverInfo = objectOrEmpty(result.get("serverInfo"));
        serverCapabilities = objectOrEmpty(result.get("capabilities"));
        notify("notifications/initialized", null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectOrEmpty(Object tree) {
        return tree instanceof Map ? (Map<String, Object>) tree : Map.of();
    }

    // ------------------------------------------------------------------ what the handshake told

    /** The protocol revision in use: the one the server chose in {@code initialize}, or 2026-07-28. */
    public String negotiatedVersion() {
        return negotiatedVersion;
    }

    /**
     * The server's {@code serverInfo} ({@code name}, {@code version}, ...) from {@code initialize};
     * empty in the 2026-07-28 era, which has no handshake (see {@link #discover()}).
     */
    public Map<String, Object> serverInfo() {
        return serverInfo;
    }

    /** The server's {@code capabilities} from {@code initialize}; empty in the 2026-07-28 era. */
    public Map<String, Object> serverCapabilities() {
        return serverCapabilities;
    }

    /** Whether the connection is open: false once closed by either side. */
    public boolean isConnected() {
        return !closed.get() && channel != null && channel.isActive();
    }

    // ------------------------------------------------------------------ requests

    /**
     * Sends a request.
     *
     * @param params the request's {@code params} as a JSON tree (see {@link io.peregrine.rpc.JsonTree}); may be null
     * @return completes with the {@code result} object, or fails with a {@link McpClientException};
     *         cancelling it tells the server to stop
     * @throws IllegalArgumentException when {@code params} holds a value that is not JSON
     */
    public CompletableFuture<Map<String, Object>> request(String method, Map<String, ?> params) {
        return send(method, params, null).future();
    }

    /**
     * Sends a notification.
     *
     * @return completes once the notification is written to the connection
     * @throws IllegalArgumentException when {@code params} holds a value that is not JSON
     */
    public CompletableFuture<Void> notify(String method, Map<String, ?> params) {
        Objects.requireNonNull(method, "method");
        CompletableFuture<Void> written = new CompletableFuture<>();
        if (closed.get()) {
            // The I/O thread may be gone already, and with it whoever would complete the future.
            written.completeExceptionally(new McpClientException("cannot send " + method + ": the client is closed",
                    new ClosedChannelException()));
            return written;
        }
        channel.writeAndFlush(ClientMessages.notification(channel.alloc(), method, params)).addListener(f -> {
            if (f.isSuccess()) {
                written.complete(null);
            } else {
                written.completeExceptionally(new McpClientException("cannot send " + method + " to " + address,
                        f.cause()));
            }
        });
        return written;
    }

    /** Lists every tool, following {@code nextCursor} through all the pages. Blocks. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> listTools() {
        checkMayBlock();
        List<Map<String, Object>> tools = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        do {
            Map<String, Object> page = await(request("tools/list", cursor == null ? null : Map.of("cursor", cursor)));
            if (page.get("tools") instanceof List) {
                for (Object tool : (List<?>) page.get("tools")) {
                    if (tool instanceof Map) {
                        tools.add((Map<String, Object>) tool);
                    }
                }
            }
            cursor = page.get("nextCursor") instanceof String ? (String) page.get("nextCursor") : null;
            if (cursor != null && !cursors.add(cursor)) {
                throw new McpClientException(McpClientException.LOCAL, "the server sent the cursor \"" + cursor
                        + "\" twice; following it would never end", null);
            }
        } while (cursor != null);
        return tools;
    }

    /**
     * Calls a tool and waits for its result.
     *
     * @param arguments the tool's arguments as a JSON tree; may be null for none
     * @throws McpClientException on a protocol error, a timeout or a lost connection; a tool that
     *                            ran and failed returns a result that {@link CallToolResult#isError() is an error}
     */
    public CallToolResult callTool(String name, Map<String, ?> arguments) {
        checkMayBlock();
        return await(callToolAsync(name, arguments, null).result());
    }

    /**
     * Calls a tool without waiting.
     *
     * @param arguments the tool's arguments as a JSON tree; may be null for none
     * @param listener  receives the call's progress notifications; null to ask for none
     */
    public PendingCall callToolAsync(String name, Map<String, ?> arguments, ProgressListener listener) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", Objects.requireNonNull(name, "name"));
        params.put("arguments", arguments != null ? arguments : Map.of());
        PendingRequest first = send("tools/call", params, listener);
        if (!stateless) {
            return new PendingCall(first);
        }
        return new PendingCall(first, this::resolveInputs, (responses, state) -> {
            Map<String, Object> retry = new LinkedHashMap<>(params);
            retry.put("inputResponses", responses);
            if (state != null) {
                retry.put("requestState", state);
            }
            return send("tools/call", retry, listener);
        }, MAX_INPUT_ROUNDS);
    }

    /** Answers the {@code inputRequests} of a 2026-07-28 {@code input_required} result with the handlers. */
    @SuppressWarnings("unchecked")
    private CompletableFuture<Map<String, Object>> resolveInputs(Map<String, Object> inputRequests) {
        Map<String, Object> responses = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<?>> answers = new ArrayList<>();
        for (Map.Entry<String, Object> e : inputRequests.entrySet()) {
            Map<String, Object> request = e.getValue() instanceof Map ? (Map<String, Object>) e.getValue() : Map.of();
            Object method = request.get("method");
            Object params = request.get("params");
            if (!(method instanceof String) || !handlers.handles((String) method)) {
                CompletableFuture<Map<String, Object>> refused = new CompletableFuture<>();
                refused.completeExceptionally(new McpClientException(McpClientException.LOCAL, "the server asked for input \""
                        + e.getKey() + "\" with " + method + ", which this client did not declare it answers", null));
                return refused;
            }
            answers.add(handlers.handle((String) method, params instanceof Map ? (Map<String, Object>) params : Map.of())
                    .thenAccept(result -> responses.put(e.getKey(), result)));
        }
        return CompletableFuture.allOf(answers.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> new LinkedHashMap<>(responses));
    }

    /**
     * Cancels a call, as {@link PendingCall#cancel(String)} does.
     *
     * @return false when the call had already ended
     */
    public boolean cancel(PendingCall call, String reason) {
        return Objects.requireNonNull(call, "call").cancel(reason);
    }

    /** Asks the server what it supports ({@code server/discover}: versions, capabilities, ...). Blocks. */
    public Map<String, Object> discover() {
        checkMayBlock();
        return await(request("server/discover", null));
    }

    /**
     * Checks the server answers, and waits for it: {@code ping} in the 2025 revisions,
     * {@code server/discover} in 2026-07-28, which has no ping.
     */
    public void ping() {
        checkMayBlock();
        await(request(stateless ? "server/discover" : "ping", null));
    }

    private PendingRequest send(String method, Map<String, ?> params, ProgressListener listener) {
        Objects.requireNonNull(method, "method");
        long id = pending.nextId();
        // Encoded before the request is registered: a value that is not JSON fails here, leaving nothing behind.
        ByteBuf message = ClientMessages.request(channel.alloc(), id, method,
                requestParams.complete(params, listener != null ? id : null));
        PendingRequest request = pending.add(id, method, listener);
        // Checked after registering: close() fails whatever it finds registered, so every request is ended by one or the other.
        if (closed.get() || !channel.isActive()) {
            message.release();
            request.fail(notSent(request, new ClosedChannelException()));
            return request;
        }
        try {
            request.armTimeout(channel.eventLoop(), timeoutMillis);
        } catch (RejectedExecutionException e) {
            message.release();
            request.fail(notSent(request, e));
            return request;
        }
        channel.writeAndFlush(message).addListener(f -> {
            if (!f.isSuccess()) {
                request.fail(notSent(request, f.cause()));
            }
        });
        return request;
    }

    private McpClientException notSent(PendingRequest request, Throwable cause) {
        return new McpClientException("cannot send " + request + (closed.get() ? ": the client is closed"
                : ": the connection to " + address + " is closed"), cause);
    }

    /** Tells the server to stop working on a request that was cancelled or timed out here. */
    private void sendCancelled(PendingRequest request) {
        // initialize must never be cancelled, and a closed connection has no one to tell.
        if ("initialize".equals(request.method()) || !isConnected()) {
            return;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("requestId", request.id());
        if (request.cancelReason() != null) {
            params.put("reason", request.cancelReason());
        }
        channel.writeAndFlush(ClientMessages.notification(channel.alloc(), "notifications/cancelled", params),
                channel.voidPromise());
    }

    /** @param reason why this side closed the connection, or null */
    private void connectionClosed(String reason) {
        if (!closed.get() && pending.size() > 0) {
            log.debug("connection to {} lost with {} requests pending", address, pending.size());
        }
        pending.failAll(request -> lostResponse(request, reason));
    }

    private McpClientException lostResponse(PendingRequest request, String reason) {
        String message = closed.get() ? "the client was closed before the response to " + request + " arrived"
                : "the connection to " + address + " was lost before the response to " + request + " arrived"
                + (reason != null ? ": " + reason : "");
        return new McpClientException(message, new ClosedChannelException());
    }

    /** Requests still awaiting their response; for tests. */
    int pendingRequests() {
        return pending.size();
    }

    // ------------------------------------------------------------------ blocking

    /**
     * The I/O thread completes every future; if it waited on one, nothing would ever complete it.
     * Checked before anything is sent, so that a refused call leaves no request behind.
     */
    private void checkMayBlock() {
        if (channel.eventLoop().inEventLoop()) {
            throw new BlockingOperationException("a blocking call on the client's I/O thread would wait forever; "
                    + "use the asynchronous variant, or run dependent stages on an executor of their own");
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            // Nobody will wait for the answer any more: let the server stop too.
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new McpClientException("interrupted while waiting for a response", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException) cause
                    : new McpClientException(String.valueOf(cause), cause);
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Closes the connection and stops the I/O thread. Pending requests fail with a
     * {@link McpClientException}. Safe to call more than once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (channel != null) {
            channel.close();
        }
        Future<?> terminated = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        // Called from a listener on the I/O thread, waiting for that thread to end would never end.
        if (!group.next().inEventLoop()) {
            terminated.awaitUninterruptibly(2 * SHUTDOWN_TIMEOUT_MILLIS);
        }
        // A request racing with close() may have registered after the connection was gone.
        pending.failAll(request -> lostResponse(request, null));
        handlers.close();
    }

    @Override
    public String toString() {
        return "PeregrineClient(" + address + ", " + negotiatedVersion + (isConnected() ? ")" : ", closed)");
    }

    /**
     * Configures and connects a {@link PeregrineClient}. Only the address is required.
     */
    public static final class Builder {

        private InetSocketAddress address;
        private String protocolVersion = ProtocolVersion.LATEST_LEGACY.id();
        private String clientName = "peregrine-client";
        private String clientVersion = "0.1.0";
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxLineLength = 16 * 1024 * 1024;
        private BiConsumer<String, Map<String, Object>> notificationListener;
        private String authorization;
        private io.netty.handler.ssl.SslContext sslContext;
        private final ServerRequestHandlers.Builder handlers = new ServerRequestHandlers.Builder();

        private Builder() {
        }

        /**
         * Credentials for servers that require them, e.g. {@code "Bearer <token>"}: sent in
         * {@code _meta["io.peregrine/authorization"]} of {@code initialize} (2025 era) or of
         * every request (2026-07-28). Default: none.
         */
        public Builder authorization(String authorization) {
            this.authorization = Objects.requireNonNull(authorization, "authorization");
            return this;
        }

        /** Speak TLS with this client context (e.g. {@code SslContextBuilder.forClient().trustManager(ca).build()}). */
        public Builder tls(io.netty.handler.ssl.SslContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * Answers the server's {@code elicitation/create} (declaring the {@code elicitation}
         * capability with both modes); see {@link #onElicitation(ClientRequestHandler, boolean, boolean)}.
         */
        public Builder onElicitation(ClientRequestHandler handler) {
            return onElicitation(handler, true, true);
        }

        /**
         * Answers the server's {@code elicitation/create}, declaring the {@code elicitation}
         * capability with the given modes. The handler returns an {@code ElicitResult} tree:
         * {@code {"action":"accept","content":{...}}}, or {@code decline}, or {@code cancel}.
         */
        public Builder onElicitation(ClientRequestHandler handler, boolean formMode, boolean urlMode) {
            Objects.requireNonNull(handler, "handler");
            if (!formMode && !urlMode) {
                throw new IllegalArgumentException("formMode : false, urlMode : false (expected: at least one mode)");
            }
            handlers.elicitation(handler, formMode, urlMode);
            return this;
        }

        /**
         * Answers the server's {@code sampling/createMessage}, declaring {@code sampling}. The
         * handler returns a {@code CreateMessageResult} tree: {@code role}, {@code content}, {@code model}.
         */
        public Builder onSampling(ClientRequestHandler handler) {
            handlers.sampling(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** Answers the server's {@code roots/list} with these roots ({@code file://} URIs to names), declaring {@code roots}. */
        public Builder roots(Map<String, String> roots) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Map.Entry<String, String> e : Objects.requireNonNull(roots, "roots").entrySet()) {
                Map<String, Object> root = new LinkedHashMap<>();
                root.put("uri", Objects.requireNonNull(e.getKey(), "uri"));
                if (e.getValue() != null) {
                    root.put("name", e.getValue());
                }
                list.add(root);
            }
            List<Map<String, Object>> copy = List.copyOf(list);
            return onRootsList(params -> Map.of("roots", copy));
        }

        /** Answers the server's {@code roots/list}, declaring {@code roots}; the handler returns {@code {"roots":[...]}}. */
        public Builder onRootsList(ClientRequestHandler handler) {
            handlers.roots(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** The server's host and port; the host is resolved when connecting. */
        public Builder tcp(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port : " + port + " (expected: 1-65535)");
            }
            return address(InetSocketAddress.createUnresolved(host, port));
        }

        /** The server's address. */
        public Builder address(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The protocol revision: 2025-03-26, 2025-06-18 or 2025-11-25 (the default) with the
         * {@code initialize} handshake, or 2026-07-28, stateless.
         */
        public Builder protocolVersion(String protocolVersion) {
            Objects.requireNonNull(protocolVersion, "protocolVersion");
            if (ProtocolVersion.find(protocolVersion) == null) {
                throw new IllegalArgumentException("protocolVersion : " + protocolVersion + " (expected: one of "
                        + ProtocolVersion.ids() + ")");
            }
            this.protocolVersion = protocolVersion;
            return this;
        }

        /** The {@code clientInfo} the server is told; default {@code peregrine-client 0.1.0}. */
        public Builder clientInfo(String name, String version) {
            this.clientName = Objects.requireNonNull(name, "name");
            this.clientVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /** How long a request waits for its response, and connecting for the server; default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout : " + timeout + " (expected: > 0)");
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * The longest message accepted from the server, in bytes; default 16 MiB. A longer one
         * closes the connection, failing the pending requests, since it cannot tell whose answer it was.
         */
        public Builder maxLineLength(int maxLineLength) {
            if (maxLineLength <= 0) {
                throw new IllegalArgumentException("maxLineLength : " + maxLineLength + " (expected: > 0)");
            }
            this.maxLineLength = maxLineLength;
            return this;
        }

        /**
         * Receives every notification from the server, with its {@code params} as a JSON tree (empty
         * when absent), on the client's I/O thread: it must not block.
         */
        public Builder onNotification(BiConsumer<String, Map<String, Object>> listener) {
            this.notificationListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Connects and, in the 2025 era, performs the {@code initialize} handshake.
         *
         * @throws IOException         when the server cannot be reached
         * @throws McpClientException  when the handshake fails
         */
        public PeregrineClient connect() throws IOException {
            if (address == null) {
                throw new IllegalStateException("no address: call tcp(host, port) or address(address) first");
            }
            PeregrineClient client = new PeregrineClient(this);
            try {
                client.open();
                return client;
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
        }
    }
}
