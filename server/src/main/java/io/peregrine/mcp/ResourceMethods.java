package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceNotFoundException;
import io.peregrine.resource.ResourceRequest;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.resource.SubscriptionHandler;
import io.peregrine.resource.internal.ResourceJson;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code resources/list}, {@code resources/templates/list}, {@code resources/read}, and the 2025
 * era's {@code resources/subscribe} and {@code resources/unsubscribe}. A resource with a
 * {@link SubscriptionHandler} is answered once the handler subscribed (or refused), and the
 * connection holds it in {@link ResourceHolds} until it unsubscribes or goes; an unsubscribe that
 * comes while the subscribe is on its way wins, the hold being let go as soon as it is made.
 *
 * <p>A URI that names nothing is -32002 in the 2025 revisions and -32602 from 2026-07-28 (where
 * clients also accept -32002 from older servers), with the URI in {@code data}.
 */
final class ResourceMethods {

    private final McpServer server;
    private final ResourceRegistry resources;
    private final Offload offload;
    private final ResourceHolds holds;

    ResourceMethods(McpServer server, ResourceRegistry resources, Offload offload, ResourceHolds holds) {
        this.server = server;
        this.resources = resources;
        this.offload = offload;
        this.holds = holds;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("resources/list", this::list);
        methods.put("resources/templates/list", this::templates);
        methods.put("resources/read", this::read);
        methods.put("resources/subscribe", this::subscribe);
        methods.put("resources/unsubscribe", this::unsubscribe);
    }

    static RpcException notFound(RequestScope s, String uri, String message) {
        return new RpcException(s.isStateless() ? JsonRpcError.INVALID_PARAMS : JsonRpcError.RESOURCE_NOT_FOUND,
                message, null, Map.of("uri", uri));
    }

    private static RpcException unknownUri(RequestScope s, String uri) {
        return notFound(s, uri, "Resource not found: " + uri + " is not a resource of this server and matches none "
                + "of its resource templates (see resources/list and resources/templates/list)");
    }

    /** -32601 for a method the request's revision does not have. */
    static void requireSession(RequestScope s, String method, String instead) throws RpcException {
        if (s.isStateless()) {
            throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + method
                    + " is not part of protocol " + s.version().id() + "; " + instead);
        }
    }

    private boolean list(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String after = Cursors.decode(p.string("resources/list", "cursor"));
        Cursors.Page<Resource> page = resources.resourcePage(after, server.pageSize());
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            McpServer.writeResultPrelude(g, s, true);
            g.writeArrayFieldStart("resources");
            for (Resource res : page.items) {
                if (server.mayList(c, io.peregrine.policy.Grants.RESOURCE, res.uri())) {
                    g.writeRawValue(res.definitionJson());
                }
            }
            g.writeEndArray();
            endPage(g, s, page.nextCursor);
        }));
        return false;
    }

    private boolean templates(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String after = Cursors.decode(p.string("resources/templates/list", "cursor"));
        Cursors.Page<ResourceTemplate> page = resources.templatePage(after, server.pageSize());
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            McpServer.writeResultPrelude(g, s, true);
            g.writeArrayFieldStart("resourceTemplates");
            for (ResourceTemplate t : page.items) {
                if (server.mayList(c, io.peregrine.policy.Grants.RESOURCE, t.uriTemplate().template())) {
                    g.writeRawValue(t.definitionJson());
                }
            }
            g.writeEndArray();
            endPage(g, s, page.nextCursor);
        }));
        return false;
    }

    private void endPage(JsonGenerator g, RequestScope s, String nextCursor) throws IOException {
        if (nextCursor != null) {
            g.writeStringField("nextCursor", nextCursor);
        }
        if (s.isStateless()) {
            server.writeServerInfoMeta(g, null);
        }
        g.writeEndObject();
    }

    private boolean read(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String uri = p.requireString("resources/read", "uri");
        server.authorize(c, io.peregrine.policy.Grants.RESOURCE, uri);
        ResourceRegistry.Resolved target = resources.resolve(uri);
        if (target == null) {
            throw unknownUri(s, uri);
        }
        ResourceRequest request = new ResourceRequest(uri, target.variables, s.version().id());
        offload.run(c, r, m.id(), target.blocking(), "Reading resource " + uri, () -> {
            List<ResourceContents> contents;
            try {
                contents = target.resource != null ? target.resource.handler().read(request)
                        : target.template.handler().read(request);
            } catch (ResourceNotFoundException e) {
                throw notFound(s, e.uri() != null ? e.uri() : uri, e.getMessage());
            }
            if (contents == null || contents.isEmpty()) {
                // An empty contents array would be ambiguous; the spec forbids it for a missing resource.
                throw notFound(s, uri, "Resource not found: " + uri + " has no contents");
            }
            return server.writer().result(c.peer.alloc(), m.id(), g -> {
                g.writeStartObject();
                McpServer.writeResultPrelude(g, s, false);
                g.writeArrayFieldStart("contents");
                for (ResourceContents rc : contents) {
                    ResourceJson.writeContents(rc, g);
                }
                g.writeEndArray();
                if (s.isStateless()) {
                    // Contents may depend on who reads them: cacheable only within one authorization context.
                    g.writeNumberField("ttlMs", 0);
                    g.writeStringField("cacheScope", "private");
                    server.writeServerInfoMeta(g, null);
                }
                g.writeEndObject();
            });
        });
        return false;
    }

    private boolean subscribe(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        requireSession(s, "resources/subscribe", "open a subscriptions/listen stream with resourceSubscriptions");
        String uri = p.requireString("resources/subscribe", "uri");
        server.authorize(c, io.peregrine.policy.Grants.RESOURCE, uri);
        ResourceRegistry.Resolved target = resources.resolve(uri);
        if (target == null) {
            throw notFound(s, uri, "Cannot subscribe to " + uri + ": it is not a resource of this server and matches "
                    + "none of its resource templates");
        }
        SubscriptionHandler handler = target.subscriptions();
        if (handler == SubscriptionHandler.UNSUPPORTED) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Cannot subscribe to " + uri + ": its updates "
                    + "cannot be followed (its source offers no subscriptions)", null, Map.of("uri", uri));
        }
        ClientInterests interests = c.interests();
        if (handler == null || interests.heldUris.contains(uri)) {
            interests.resourceUris.add(uri);
            r.respond(server.emptyResult(c, m.id(), s));
            return false;
        }
        RequestId id = m.id();
        Object token = new Object();
        interests.latestSubscribe.put(uri, token);
        holds.acquire(uri, handler).whenComplete((v, failure) -> {
            if (failure != null) {
                interests.latestSubscribe.remove(uri, token);
                RpcException e = Subscriptions.refusal(uri, failure);
                r.respond(server.writer().error(c.peer.alloc(), id, e.code(), e.getMessage(), e.data()), Reply.outcomeOf(e));
                return;
            }
            if (interests.latestSubscribe.get(uri) != token) {
                // The client unsubscribed, or subscribed again, while this one was on its way: the later request decides.
                holds.release(uri);
                r.respond(server.emptyResult(c, id, s));
                return;
            }
            // One hold per connection (it may have subscribed twice at once), none once it went.
            if (!interests.heldUris.add(uri) || (!server.isOpen(c) && interests.heldUris.remove(uri))) {
                holds.release(uri);
            }
            interests.resourceUris.add(uri);
            r.respond(server.emptyResult(c, id, s));
        });
        return false;
    }

    private boolean unsubscribe(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        requireSession(s, "resources/unsubscribe", "cancel the subscriptions/listen request instead");
        String uri = p.requireString("resources/unsubscribe", "uri");
        // Unsubscribing from something never subscribed is harmless: the client's intent already holds.
        ClientInterests interests = c.interestsIfAny();
        if (interests != null) {
            interests.resourceUris.remove(uri);
            interests.latestSubscribe.remove(uri);
            if (interests.heldUris.remove(uri)) {
                holds.release(uri);
            }
        }
        r.respond(server.emptyResult(c, m.id(), s));
        return false;
    }
}
