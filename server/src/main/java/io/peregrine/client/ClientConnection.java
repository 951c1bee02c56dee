package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.peregrine.client.transport.ClientTransport;
import io.peregrine.client.transport.Link;
import io.peregrine.client.transport.LinkListener;
import io.peregrine.client.transport.Outbound;
import io.peregrine.mcp.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The client's link to its server and everything that keeps it useful: opening it through the
 * transport, agreeing on the protocol era ({@link EraNegotiation}), sending requests with a bound on how many are in flight,
 * failing every pending request with a message naming it when the link is lost, and opening a
 * new link with backoff when asked to.
 *
 * <p>Concurrency: every link event and every send happens on one event loop (the client's own,
 * or one of a shared group); callers on other threads hop there. The state read from other
 * threads ({@code ready}, the era, what the server said) is volatile and written only there.
 *
 * <p>Over 400 lines because the link's life is one state machine (connect, agree on an era,
 * serve, lose, reconnect) whose transitions read best in one place; the framing of each
 * transport and the answering of server requests live elsewhere.
 */
final class ClientConnection {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    /** How a Streamable HTTP client without a reconnect policy starts a new session after a 404. */
    private static final ReconnectPolicy NEW_SESSION = new ReconnectPolicy(java.time.Duration.ZERO,
            java.time.Duration.ofSeconds(1), 3);

    /** Settings fixed at build time. */
    record Settings(String pinnedVersion, Map<String, Object> clientInfo, String authorization, long timeoutMillis,
                    long probeTimeoutMillis, int maxInFlight, long inFlightWaitMillis, ReconnectPolicy reconnect,
                    boolean relayResults) {
    }

    /** What the client hears about the connection. */
    interface Events {
        /** A link is open and the era agreed; {@code again} is true after a reconnection. Runs on the event loop. */
        void onReady(boolean again);

        /** The link was lost (not closed by this side). Runs on the event loop. */
        void onLost(String reason);

        /** Notifications the server sent unasked may have been lost; the link is up. Runs on the event loop. */
        void onNotificationsMissed(String why);
    }

    private final ClientTransport transport;
    private final EventLoop loop;
    private final EventLoopGroup ownedGroup;
    private final Settings settings;
    private final ServerRequestHandlers handlers;
    private final PendingRequests pending = new PendingRequests(this::abandoned);
    private final InboundDispatcher dispatcher;
    private final Semaphore inFlight;
    private Events events;

    // Written on the event loop.
    private Link link;
    private int generation;
    private int reconnectAttempts;
    private ReconnectPolicy reconnectPolicy;
    private volatile boolean ready;
    private volatile boolean closed;
    private volatile String lostReason;
    /** 2026-07-28: the level every request of the client asks log messages from; null for the server's default. */
    private volatile String logLevel;
    private volatile boolean reconnecting;
    /** What was agreed with the server for the current link; replaced as a whole, never changed. */
    private volatile Agreement agreement;
    private final CallScopes scopes = new CallScopes(pending);
    /**
     * Requests a server refused unread because it had forgotten the session, by id, in the order
     * they came back: sent again, once each, as soon as the new session is open. Loop only.
     */
    private final Map<Long, Outbound> unserved = new LinkedHashMap<>();

    /** @param ownedGroup the group to shut down on close, or null when the loop is shared */
    ClientConnection(ClientTransport transport, EventLoop loop, EventLoopGroup ownedGroup, Settings settings,
                     ServerRequestHandlers handlers, BiConsumer<String, Map<String, Object>> notifications) {
        this.transport = transport;
        this.loop = loop;
        this.ownedGroup = ownedGroup;
        this.settings = settings;
        this.handlers = handlers;
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.dispatcher = new InboundDispatcher(PooledByteBufAllocator.DEFAULT, pending, handlers, scopes,
                notifications, this::sendReply, settings.relayResults());
        String version = settings.pinnedVersion() != null ? settings.pinnedVersion() : ProtocolVersion.LATEST.id();
        this.agreement = Agreement.before(version);
    }

    /** The requests in flight that the server may ask questions of, and their handlers. */
    CallScopes scopes() {
        return scopes;
    }

    void events(Events events) {
        this.events = events;
    }

    EventLoop loop() {
        return loop;
    }

    String target() {
        return transport.target();
    }

    // ---------------------------------------------------------------- opening

    /** Opens the first link and agrees on the era; fails with an IOException or McpClientException. */
    CompletableFuture<Void> open() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> openLink().whenComplete((ok, failure) -> {
            if (failure == null) {
                ready = true;
                done.complete(null);
                events.onReady(false);
            } else {
                done.completeExceptionally(unwrap(failure));
            }
        }));
        return done;
    }

    private CompletableFuture<Void> openLink() {
        int gen = ++generation;
        return transport.open(loop, new LinkEvents(gen)).thenCompose(opened -> onLoop(() -> {
            if (closed || gen != generation) {
                opened.close();
                CompletableFuture<Void> gone = new CompletableFuture<>();
                gone.completeExceptionally(new McpClientException("the client is closed", new ClosedChannelException()));
                return gone;
            }
            link = opened;
            return new EraNegotiation(this, opened, settings, handlers).agree().thenAccept(agreed -> agreement = agreed);
        }));
    }

    /** Runs {@code step} on the loop and completes with what it completes with. */
    private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<CompletableFuture<T>> step) {
        if (loop.inEventLoop()) {
            return step.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> step.get().whenComplete((v, f) -> {
            if (f != null) {
                result.completeExceptionally(f);
            } else {
                result.complete(v);
            }
        }));
        return result;
    }

    // ---------------------------------------------------------------- sending

    /** 2026-07-28: the lowest level of log messages asked for in every request from now on. */
    void logLevel(String level) {
        this.logLevel = level;
    }

    /**
     * Sends a request.
     *
     * @param name         what {@code Mcp-Name} names (tool, prompt, URI, task), or null
     * @param paramHeaders {@code Mcp-Param-*} values by header name suffix
     * @param internal     part of opening a link: sent before the client is ready, without taking a slot
     * @throws IllegalArgumentException when {@code params} holds a value that is not JSON
     */
    PendingRequest send(String method, Map<String, ?> params, ProgressListener listener, String name,
                        Map<String, String> paramHeaders, boolean internal, long timeoutMillis) {
        return send(method, params, listener, name, paramHeaders, internal, timeoutMillis, null);
    }

    /**
     * Sends a request, handing it to {@code beforeWrite} (when not null) before it can be written:
     * whatever the caller ties to its id is in place before the server's first message about it
     * can arrive, even when the caller is not on the connection's event loop.
     */
    PendingRequest send(String method, Map<String, ?> params, ProgressListener listener, String name,
                        Map<String, String> paramHeaders, boolean internal, long timeoutMillis,
                        Consumer<PendingRequest> beforeWrite) {
        Objects.requireNonNull(method, "method");
        long id = pending.nextId();
        boolean holdsSlot = false;
        if (!internal && !closed && ready) {
            if (!acquireSlot()) {
                PendingRequest refused = pending.add(id, method, listener);
                refused.fail(new McpClientException("cannot send " + refused + ": "
                        + settings.maxInFlight() + " calls are in flight (maxCallsInFlight) and none finished within "
                        + settings.inFlightWaitMillis() + " ms", null, true));
                return refused;
            }
            holdsSlot = true;
        }
        RequestParams rp = agreement.requestParams();
        ByteBuf message;
        try {
            // Encoded before the request is registered: a value that is not JSON fails here, leaving nothing behind.
            io.peregrine.rpc.JsonRpcWriter.Body completed = rp.completing(params, listener != null ? id : null,
                    internal ? null : logLevel);
            message = completed != null ? ClientMessages.request(PooledByteBufAllocator.DEFAULT, id, method, completed)
                    : ClientMessages.request(PooledByteBufAllocator.DEFAULT, id, method, (Object) params);
        } catch (RuntimeException e) {
            if (holdsSlot) {
                inFlight.release();
            }
            throw e;
        }
        PendingRequest request = pending.add(id, method, listener);
        if (holdsSlot) {
            request.onSettle(inFlight::release);
        }
        if (beforeWrite != null) {
            beforeWrite.accept(request);
        }
        if (closed || (!internal && !ready)) {
            message.release();
            request.fail(notSent(request, new ClosedChannelException()));
            return request;
        }
        try {
            if (timeoutMillis > 0) {
                request.armTimeout(loop, timeoutMillis);
            }
            Outbound out = Outbound.request(id, method, name, paramHeaders, message);
            if (loop.inEventLoop()) {
                sendNow(request, out);
            } else {
                loop.execute(() -> sendNow(request, out));
            }
        } catch (RejectedExecutionException e) {
            message.release();
            request.fail(notSent(request, e));
        }
        return request;
    }

    private boolean acquireSlot() {
        if (inFlight.tryAcquire()) {
            return true;
        }
        if (loop.inEventLoop() || settings.inFlightWaitMillis() <= 0) {
            return false;
        }
        try {
            return inFlight.tryAcquire(settings.inFlightWaitMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void sendNow(PendingRequest request, Outbound out) {
        Link l = link;
        if (request.future().isDone()) {
            out.body().release();
            return;
        }
        if (l == null || !l.isActive()) {
            out.body().release();
            request.fail(notSent(request, new ClosedChannelException()));
            return;
        }
        l.send(out);
    }

    /** Sends a notification; completes once handed to the link. */
    CompletableFuture<Void> notify(String method, Map<String, ?> params) {
        Objects.requireNonNull(method, "method");
        CompletableFuture<Void> written = new CompletableFuture<>();
        if (closed) {
            // The event loop may be gone already, and with it whoever would complete the future.
            written.completeExceptionally(new McpClientException("cannot send " + method + ": the client is closed",
                    new ClosedChannelException()));
            return written;
        }
        ByteBuf message = ClientMessages.notification(PooledByteBufAllocator.DEFAULT, method, params);
        Runnable send = () -> {
            Link l = link;
            if (l == null || !l.isActive()) {
                message.release();
                written.completeExceptionally(new McpClientException("cannot send " + method + ": the connection to "
                        + target() + " is closed", new ClosedChannelException()));
                return;
            }
            CompletableFuture<Void> delivered = new CompletableFuture<>();
            delivered.whenComplete((v, f) -> {
                if (f == null) {
                    written.complete(null);
                } else {
                    written.completeExceptionally(new McpClientException(f.getMessage(), f));
                }
            });
            l.send(Outbound.notification(method, message, delivered));
        };
        try {
            if (loop.inEventLoop()) {
                send.run();
            } else {
                loop.execute(send);
            }
        } catch (RejectedExecutionException e) {
            message.release();
            written.completeExceptionally(new McpClientException("cannot send " + method + ": the client is closed", e));
        }
        return written;
    }

    /** Sends an answer to a server request, from the handler's thread or the loop. */
    private void sendReply(Outbound reply) {
        Runnable send = () -> {
            Link l = link;
            if (l == null || !l.isActive()) {
                reply.body().release();
                return;
            }
            l.send(reply);
        };
        try {
            if (loop.inEventLoop()) {
                send.run();
            } else {
                loop.execute(send);
            }
        } catch (RejectedExecutionException e) {
            reply.body().release();
        }
    }

    /** Tells the server to stop working on a request that was cancelled or timed out here. */
    private void abandoned(PendingRequest request) {
        // initialize must never be cancelled.
        if ("initialize".equals(request.method()) || closed) {
            return;
        }
        Runnable tell = () -> {
            Link l = link;
            if (l == null || !l.isActive() || l.cancelByTransport(request.id())) {
                return;
            }
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("requestId", request.id());
            if (request.cancelReason() != null) {
                params.put("reason", request.cancelReason());
            }
            l.send(Outbound.notification("notifications/cancelled",
                    ClientMessages.notification(PooledByteBufAllocator.DEFAULT, "notifications/cancelled", params)));
        };
        try {
            if (loop.inEventLoop()) {
                tell.run();
            } else {
                loop.execute(tell);
            }
        } catch (RejectedExecutionException e) {
            // Closing: there is no one to tell.
        }
    }

    private McpClientException notSent(PendingRequest request, Throwable cause) {
        String why;
        if (closed) {
            why = "the client is closed";
        } else if (reconnecting) {
            why = "the connection to " + target() + " is closed; reconnecting (attempt " + reconnectAttempts + ")"
                    + (lostReason != null ? " after: " + lostReason : "");
        } else {
            why = "the connection to " + target() + " is closed" + (lostReason != null ? " (" + lostReason + ")" : "");
        }
        return new McpClientException("cannot send " + request + ": " + why, cause, true);
    }

    private McpClientException lostResponse(PendingRequest request, String reason) {
        String message = closed ? "the client was closed before the response to " + request + " arrived"
                : "the connection to " + target() + " was lost before the response to " + request + " arrived"
                + (reason != null ? ": " + reason : "");
        return new McpClientException(message, new ClosedChannelException());
    }

    // ---------------------------------------------------------------- losing the link

    /** What one link tells; events of links that were replaced are ignored. */
    private final class LinkEvents implements LinkListener {
        private final int gen;

        LinkEvents(int gen) {
            this.gen = gen;
        }

        @Override
        public void onMessage(ByteBuf message) {
            onMessage(message, 0);
        }

        @Override
        public void onMessage(ByteBuf message, long stream) {
            if (gen != generation) {
                message.release();
                return;
            }
            dispatcher.onMessage(message, stream);
        }

        @Override
        public void onMessageTooLong(long limit) {
            log.warn("{} sent a message longer than the limit of {} bytes; it was discarded", target(), limit);
        }

        @Override
        public void onRequestFailed(long id, int code, String message, Object data) {
            PendingRequest request = pending.get(id);
            if (request != null) {
                request.fail(new McpClientException(code, message, data));
            }
        }

        @Override
        public boolean awaits(long id) {
            return pending.get(id) != null;
        }

        @Override
        public void onRequestNotServed(Outbound request, String why) {
            PendingRequest pendingRequest = pending.get(request.id());
            if (gen != generation || closed || pendingRequest == null || !pendingRequest.markResent()) {
                LinkListener.super.onRequestNotServed(request, why);
                return;
            }
            log.debug("{} was refused unread by {} ({}); it goes again in a new session", pendingRequest, target(), why);
            unserved.put(request.id(), request);
        }

        @Override
        public void onClosed(String reason) {
            if (gen == generation) {
                linkLost(reason);
            }
        }

        @Override
        public void onNotificationsMissed(String why) {
            if (gen == generation && events != null && !closed) {
                events.onNotificationsMissed(why);
            }
        }
    }

    private void linkLost(String reason) {
        link = null;
        boolean wasReady = ready;
        ready = false;
        lostReason = reason;
        if (closed) {
            return;
        }
        // Streamable HTTP loses no connection, only a session the server forgot (404): the transport
        // rules say to start a new one, so that happens even when reconnecting was not asked for.
        ReconnectPolicy policy = settings.reconnect() != null ? settings.reconnect()
                : !transport.isLongLived() && reason != null ? NEW_SESSION : null;
        boolean retry = policy != null && (transport.isLongLived() || reason != null);
        reconnectPolicy = policy;
        reconnecting = retry;
        if (pending.size() > 0) {
            log.debug("connection to {} lost with {} requests pending", target(), pending.size());
        }
        if (!retry) {
            dropUnserved(reason);
        }
        // What the server refused unread waits for the new session.
        pending.failAll(request -> lostResponse(request, reason), request -> unserved.containsKey(request.id()));
        if (wasReady && events != null) {
            events.onLost(reason);
        }
        if (retry) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        ReconnectPolicy policy = reconnectPolicy;
        if (closed) {
            return;
        }
        if (reconnectAttempts >= policy.maxAttempts()) {
            log.warn("gave up reconnecting to {} after {} attempts", target(), reconnectAttempts);
            reconnecting = false;
            dropUnserved(lostReason);
            return;
        }
        reconnectAttempts++;
        long delay = policy.delayMillis(reconnectAttempts);
        log.info("reconnecting to {} in {} ms (attempt {}){}", target(), delay, reconnectAttempts,
                lostReason != null ? " after: " + lostReason : "");
        try {
            loop.schedule(() -> openLink().whenComplete((ok, failure) -> loop.execute(() -> {
                if (closed) {
                    return;
                }
                if (failure != null) {
                    log.info("reconnecting to {} failed: {}", target(), unwrap(failure).getMessage());
                    Link l = link;
                    link = null;
                    if (l != null) {
                        generation++;
                        l.close();
                    }
                    scheduleReconnect();
                    return;
                }
                reconnectAttempts = 0;
                reconnecting = false;
                lostReason = null;
                ready = true;
                sendUnserved();
                events.onReady(true);
            })), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: the client is closing.
        }
    }

    /** Sends again, on the new link, what the old session's server refused unread. */
    private void sendUnserved() {
        if (unserved.isEmpty()) {
            return;
        }
        List<Outbound> again = new ArrayList<>(unserved.values());
        unserved.clear();
        for (Outbound out : again) {
            PendingRequest request = pending.get(out.id());
            if (request == null) {
                out.body().release();
            } else {
                sendNow(request, out);
            }
        }
    }

    /** No new session will carry what the old one's server refused unread: it fails. */
    private void dropUnserved(String reason) {
        for (Outbound out : unserved.values()) {
            out.body().release();
            PendingRequest request = pending.get(out.id());
            if (request != null) {
                request.fail(lostResponse(request, reason));
            }
        }
        unserved.clear();
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---------------------------------------------------------------- state

    boolean isReady() {
        return ready && !closed;
    }

    boolean isStateless() {
        return agreement.stateless();
    }

    String negotiatedVersion() {
        return agreement.version();
    }

    Map<String, Object> serverInfo() {
        return agreement.serverInfo();
    }

    Map<String, Object> serverCapabilities() {
        return agreement.serverCapabilities();
    }

    String instructions() {
        return agreement.instructions();
    }

    /** Makes {@code provisional} the agreement requests are sent under while the era is being found. */
    void provisionally(Agreement provisional) {
        this.agreement = provisional;
    }

    /** Runs {@code step} on the loop and completes with what it completes with. */
    <T> CompletableFuture<T> onLoopThen(java.util.function.Supplier<CompletableFuture<T>> step) {
        return onLoop(step);
    }

    ClientConnection.Settings settings() {
        return settings;
    }

    long timeoutMillis() {
        return settings.timeoutMillis();
    }

    int pendingRequests() {
        return pending.size();
    }

    boolean isActive() {
        Link l = link;
        return !closed && l != null && l.isActive();
    }

    /** Closes the link and the loop it owns; fails what is pending. Safe to call more than once. */
    void close(long waitMillis) {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        CompletableFuture<Void> linkClosed = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                Link l = link;
                link = null;
                generation++;
                dropUnserved(null);
                if (l == null) {
                    linkClosed.complete(null);
                } else {
                    l.close().whenComplete((v, f) -> linkClosed.complete(null));
                }
            });
        } catch (RejectedExecutionException e) {
            linkClosed.complete(null);
        }
        boolean onLoop = loop.inEventLoop();
        if (!onLoop) {
            try {
                linkClosed.get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        // A request racing with close() may have registered after the link was gone.
        pending.failAll(request -> lostResponse(request, null));
        handlers.close();
        if (ownedGroup != null) {
            io.netty.util.concurrent.Future<?> terminated = ownedGroup.shutdownGracefully(0, waitMillis,
                    TimeUnit.MILLISECONDS);
            if (!onLoop) {
                terminated.awaitUninterruptibly(2 * waitMillis);
            }
        }
    }
}
