package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.resource.SubscriptionHandler;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Change notifications, in both eras.
 *
 * <p>2025 revisions: every initialized connection hears {@code notifications/{tools,prompts,
 * resources}/list_changed} (the server declares {@code listChanged}), and
 * {@code notifications/resources/updated} for the URIs it subscribed to. These are unsolicited,
 * so they go to the connection's peer.
 *
 * <p>2026-07-28: {@code subscriptions/listen} is a long-lived request. The server acknowledges it
 * with {@code notifications/subscriptions/acknowledged} (the filter it agreed to honor), then
 * delivers only the opted-in notifications, each tagged with the listen request's id under
 * {@code _meta["io.modelcontextprotocol/subscriptionId"]}, as messages related to that request,
 * so that on Streamable HTTP they travel on its response stream. The stream ends when the client
 * cancels it ({@code notifications/cancelled}: no answer), when the connection goes, or when the
 * server shuts down (a {@code resultType: complete} answer).
 *
 * <p>A resource with a {@link SubscriptionHandler} is subscribed through it
 * first ({@link ResourceHolds}): a stream that names one opens once that is done, honoring it if
 * it succeeded, and releases it when it ends.
 *
 * <p>Notifications may be raised on any thread: each registry change walks the connections.
 */
final class Subscriptions {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Subscriptions.class);

    static final String META_SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

    /** One open {@code subscriptions/listen}. */
    static final class Stream {
        final RequestId id;
        final Reply reply;
        final boolean tools;
        final boolean prompts;
        final boolean resources;
        final Set<String> uris;
        /** Those of {@link #uris} the stream holds in {@link ResourceHolds}: released when it ends. */
        final Set<String> held;

        Stream(RequestId id, Reply reply, boolean tools, boolean prompts, boolean resources, Set<String> uris,
               Set<String> held) {
            this.id = id;
            this.reply = reply;
            this.tools = tools;
            this.prompts = prompts;
            this.resources = resources;
            this.uris = uris;
            this.held = held;
        }

        /** Sends {@code message} on this stream unless it was closed meanwhile. */
        synchronized void deliver(Connection c, io.netty.buffer.ByteBuf message) {
            if (c.interests().streams.get(id) == this) {
                reply.send(message);
            } else {
                message.release();
            }
        }
    }

    private final McpServer server;
    private final Set<Connection> connections;
    private final ResourceRegistry resourceRegistry;
    private final ResourceHolds holds;

    Subscriptions(McpServer server, Set<Connection> connections, ResourceRegistry resourceRegistry, ResourceHolds holds) {
        this.server = server;
        this.connections = connections;
        this.resourceRegistry = resourceRegistry;
        this.holds = holds;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("subscriptions/listen", this::listen);
    }

    // ------------------------------------------------------------------ subscriptions/listen

    private boolean listen(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        if (!s.isStateless()) {
            throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: subscriptions/listen is part of "
                    + "protocol 2026-07-28; in " + s.version().id() + " use resources/subscribe and the list_changed "
                    + "notifications every initialized session receives");
        }
        io.netty.buffer.ByteBuf raw = p.object("subscriptions/listen", "notifications");
        if (raw == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for subscriptions/listen: missing required object \"notifications\"");
        }
        Map<?, ?> filter = (Map<?, ?>) server.tree(raw);
        boolean tools = flag(filter, "toolsListChanged");
        boolean prompts = flag(filter, "promptsListChanged");
        boolean resources = flag(filter, "resourcesListChanged");
        Set<String> uris = new LinkedHashSet<>();
        Map<String, SubscriptionHandler> handled = new java.util.LinkedHashMap<>();
        Object wanted = filter.get("resourceSubscriptions");
        if (wanted != null) {
            if (!(wanted instanceof List)) {
                throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params for subscriptions/listen: "
                        + "\"notifications.resourceSubscriptions\" must be an array of URI strings");
            }
            for (Object uri : (List<?>) wanted) {
                if (!(uri instanceof String)) {
                    throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params for subscriptions/listen: "
                            + "\"notifications.resourceSubscriptions\" must hold only URI strings");
                }
                // Only URIs that name something subscribable are honored; the acknowledgment tells the client which.
                ResourceRegistry.Resolved target = resourceRegistry.resolve((String) uri);
                SubscriptionHandler handler = target != null ? target.subscriptions() : null;
                if (handler != null && handler != SubscriptionHandler.UNSUPPORTED) {
                    handled.putIfAbsent((String) uri, handler);
                } else if (target != null && handler == null) {
                    uris.add((String) uri);
                }
            }
        }
        ClientInterests interests = c.interests();
        if (interests.streams.containsKey(m.id()) || interests.opening.containsKey(m.id())) {
            throw new RpcException(JsonRpcError.INVALID_REQUEST,
                    "Duplicate request id " + m.id() + ": a subscriptions/listen with this id is still open");
        }
        boolean listsUris = wanted != null;
        if (handled.isEmpty()) {
            open(c, new Stream(m.id(), r, tools, prompts, resources, Set.copyOf(uris), Set.of()), listsUris);
            return false;
        }
        // URIs whose subscription is made elsewhere are honored once it is: the stream opens then,
        // unless it was cancelled (or its connection went) meanwhile.
        RequestId id = m.id();
        interests.opening.put(id, r);
        Map<String, CompletableFuture<Void>> asked = new java.util.LinkedHashMap<>();
        handled.forEach((uri, handler) -> asked.put(uri, holds.acquire(uri, handler)));
        CompletableFuture.allOf(asked.values().toArray(new CompletableFuture<?>[0])).whenComplete((v, f) -> {
            Set<String> held = new LinkedHashSet<>();
            asked.forEach((uri, subscribed) -> {
                if (subscribed.isCompletedExceptionally()) {
                    log.debug("subscriptions/listen {} on {}: {} is not honored: {}", id, c, uri,
                            subscribed.handle((x, why) -> why).join());
                } else {
                    held.add(uri);
                }
            });
            uris.addAll(held);
            Stream stream = new Stream(id, r, tools, prompts, resources, Set.copyOf(uris), Set.copyOf(held));
            if (!interests.opening.remove(id, r) || !server.isOpen(c)) {
                release(stream);
                return;
            }
            open(c, stream, listsUris);
        });
        return false;
    }

    /**
     * Registers {@code stream} and acknowledges it. The acknowledgment must precede anything the
     * stream delivers, and the stream must be registered before the client can see the
     * acknowledgment (a transport may write it at once): both happen under the stream's lock, which
     * every delivery takes too.
     */
    private void open(Connection c, Stream stream, boolean listsUris) {
        synchronized (stream) {
            c.interests().streams.put(stream.id, stream);
            stream.reply.send(acknowledgment(c, stream, listsUris));
        }
    }

    private void release(Stream stream) {
        for (String uri : stream.held) {
            holds.release(uri);
        }
    }

    /** The error a client gets when a {@link SubscriptionHandler} refused {@code uri}. */
    static RpcException refusal(String uri, Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RpcException) {
            return (RpcException) t;
        }
        return new RpcException(JsonRpcError.INTERNAL_ERROR, "Cannot subscribe to " + uri + ": "
                + (t.getMessage() != null ? t.getMessage() : t.toString()), null, Map.of("uri", uri));
    }

    private io.netty.buffer.ByteBuf acknowledgment(Connection c, Stream stream, boolean listsUris) {
        return server.writer().notification(c.peer.alloc(), "notifications/subscriptions/acknowledged", g -> {
            g.writeStartObject();
            writeSubscriptionMeta(g, stream.id);
            g.writeObjectFieldStart("notifications");
            if (stream.tools) {
                g.writeBooleanField("toolsListChanged", true);
            }
            if (stream.prompts) {
                g.writeBooleanField("promptsListChanged", true);
            }
            if (stream.resources) {
                g.writeBooleanField("resourcesListChanged", true);
            }
            if (listsUris) {
                g.writeArrayFieldStart("resourceSubscriptions");
                for (String uri : stream.uris) {
                    g.writeString(uri);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static boolean flag(Map<?, ?> filter, String name) throws RpcException {
        Object v = filter.get(name);
        if (v != null && !(v instanceof Boolean)) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for subscriptions/listen: \"notifications." + name + "\" must be a boolean");
        }
        return Boolean.TRUE.equals(v);
    }

    private static void writeSubscriptionMeta(JsonGenerator g, RequestId id) throws IOException {
        g.writeObjectFieldStart("_meta");
        g.writeFieldName(META_SUBSCRIPTION_ID);
        id.writeTo(g);
        g.writeEndObject();
    }

    /** The client cancelled {@code id}; true when it was an open stream (now closed, unanswered). */
    boolean cancel(Connection c, RequestId id) {
        ClientInterests interests = c.interestsIfAny();
        if (interests == null) {
            return false;
        }
        Reply opening = interests.opening.remove(id);
        if (opening != null) {
            opening.respondNothing(); // what it subscribed meanwhile is released as it completes
            return true;
        }
        Stream s = interests.streams.get(id);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            if (!interests.streams.remove(id, s)) {
                return false;
            }
            s.reply.respondNothing();
        }
        release(s);
        return true;
    }

    /** The connection is gone: its open streams end without an answer, and what it held is released. */
    void connectionClosed(Connection c) {
        ClientInterests interests = c.interestsIfAny();
        if (interests == null) {
            return;
        }
        for (Map.Entry<RequestId, Reply> opening : interests.opening.entrySet()) {
            if (interests.opening.remove(opening.getKey(), opening.getValue())) {
                opening.getValue().dropped();
            }
        }
        for (Stream s : interests.streams.values()) {
            synchronized (s) {
                if (!interests.streams.remove(s.id, s)) {
                    continue;
                }
                s.reply.dropped();
            }
            release(s);
        }
        for (String uri : interests.heldUris) {
            if (interests.heldUris.remove(uri)) {
                holds.release(uri);
            }
        }
    }

    /** Ends every stream gracefully, as the server does before it shuts down. */
    void closeAll() {
        for (Connection c : connections) {
            ClientInterests interests = c.interestsIfAny();
            if (interests == null) {
                continue;
            }
            for (Stream s : new ArrayList<>(interests.streams.values())) {
                synchronized (s) {
                    if (!interests.streams.remove(s.id, s)) {
                        continue;
                    }
                    s.reply.respond(server.writer().result(c.peer.alloc(), s.id, g -> {
                        g.writeStartObject();
                        g.writeStringField("resultType", "complete");
                        writeSubscriptionMeta(g, s.id);
                        g.writeEndObject();
                    }));
                }
                release(s);
            }
        }
    }

    // ------------------------------------------------------------------ delivery

    void toolsChanged() {
        listChanged("notifications/tools/list_changed", 't');
    }

    void promptsChanged() {
        listChanged("notifications/prompts/list_changed", 'p');
    }

    void resourcesChanged() {
        listChanged("notifications/resources/list_changed", 'r');
    }

    private void listChanged(String method, char kind) {
        for (Connection c : connections) {
            if (c.state() == Connection.State.READY) {
                c.peer.send(server.writer().notification(c.peer.alloc(), method, null));
            }
            ClientInterests interests = c.interestsIfAny();
            if (interests == null) {
                continue;
            }
            for (Stream s : interests.streams.values()) {
                boolean wanted = kind == 't' ? s.tools : kind == 'p' ? s.prompts : s.resources;
                if (wanted) {
                    s.deliver(c, server.writer().notification(c.peer.alloc(), method, g -> {
                        g.writeStartObject();
                        writeSubscriptionMeta(g, s.id);
                        g.writeEndObject();
                    }));
                }
            }
        }
    }

    void resourceUpdated(String uri) {
        for (Connection c : connections) {
            ClientInterests interests = c.interestsIfAny();
            if (interests == null) {
                continue;
            }
            if (c.state() == Connection.State.READY && interests.resourceUris.contains(uri)) {
                c.peer.send(server.writer().notification(c.peer.alloc(), "notifications/resources/updated", g -> {
                    g.writeStartObject();
                    g.writeStringField("uri", uri);
                    g.writeEndObject();
                }));
            }
            for (Stream s : interests.streams.values()) {
                if (s.uris.contains(uri)) {
                    s.deliver(c, server.writer().notification(c.peer.alloc(), "notifications/resources/updated", g -> {
                        g.writeStartObject();
                        g.writeStringField("uri", uri);
                        writeSubscriptionMeta(g, s.id);
                        g.writeEndObject();
                    }));
                }
            }
        }
    }
}
