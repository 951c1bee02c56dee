package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;

import java.io.IOException;
import java.util.Map;

/**
 * {@code initialize}, {@code ping} and {@code server/discover}: how a client learns what this
 * server is and speaks. {@code initialize} starts a 2025-era session on its connection (the
 * revision, the client's capabilities and identity that later requests inherit); 2026-07-28 has
 * neither handshake nor ping, and {@code server/discover} tells such a client everything at once.
 */
final class LifecycleMethods {

    private final McpServer server;
    private final ResourceRegistry resources;
    private final PromptRegistry prompts;

    LifecycleMethods(McpServer server, ResourceRegistry resources, PromptRegistry prompts) {
        this.server = server;
        this.resources = resources;
        this.prompts = prompts;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("initialize", this::initialize);
        methods.put("ping", this::ping);
        methods.put("server/discover", this::discover);
    }

    private boolean initialize(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        if (c.isInitialized()) {
            throw new RpcException(JsonRpcError.INVALID_REQUEST, "Already initialized with protocol version "
                    + c.version().id() + ": initialize may be sent once per connection");
        }
        String requested = p.requireString("initialize", "protocolVersion");
        ByteBuf capabilities = p.object("initialize", "capabilities");
        ByteBuf clientInfo = p.object("initialize", "clientInfo");
        if (capabilities == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for initialize: missing required object \"capabilities\"");
        }
        if (clientInfo == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for initialize: missing required object \"clientInfo\"");
        }
        ProtocolVersion v = ProtocolVersion.find(requested);
        ProtocolVersion negotiated = v != null && !v.isStateless() ? v : ProtocolVersion.LATEST_WITH_SESSION;
        c.initialize(negotiated, server.tree(capabilities), server.tree(clientInfo));
        c.sessionStartNanos = System.nanoTime();
        server.observer().sessionStarted(c.peer.transport());
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            g.writeStringField("protocolVersion", negotiated.id());
            g.writeFieldName("capabilities");
            writeCapabilities(g, negotiated);
            g.writeFieldName("serverInfo");
            server.info().writeImplementation(g);
            if (server.info().instructions() != null) {
                g.writeStringField("instructions", server.info().instructions());
            }
            g.writeEndObject();
        }));
        return false;
    }

    private boolean ping(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) {
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            McpServer.writeResultPrelude(g, s, false);
            g.writeEndObject();
        }));
        return false;
    }

    private boolean discover(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) {
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            g.writeStringField("resultType", "complete");
            g.writeArrayFieldStart("supportedVersions");
            for (String id : ProtocolVersion.ids()) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeFieldName("capabilities");
            writeCapabilities(g, ProtocolVersion.LATEST);
            if (server.info().instructions() != null) {
                g.writeStringField("instructions", server.info().instructions());
            }
            g.writeNumberField("ttlMs", 0);
            g.writeStringField("cacheScope", "public");
            server.writeServerInfoMeta(g, null);
            g.writeEndObject();
        }));
        return false;
    }

    /** What this server offers, as it stands now: resources, prompts and completions only when there are any. */
    private void writeCapabilities(JsonGenerator g, ProtocolVersion v) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("tools");
        g.writeBooleanField("listChanged", true);
        g.writeEndObject();
        if (!resources.isEmpty()) {
            g.writeObjectFieldStart("resources");
            if (resources.isSubscribable()) {
                g.writeBooleanField("subscribe", true);
            }
            g.writeBooleanField("listChanged", true);
            g.writeEndObject();
        }
        if (prompts.size() > 0) {
            g.writeObjectFieldStart("prompts");
            g.writeBooleanField("listChanged", true);
            g.writeEndObject();
        }
        if (prompts.size() > 0 || resources.hasTemplates()) {
            g.writeObjectFieldStart("completions");
            g.writeEndObject();
        }
        g.writeObjectFieldStart("logging");
        g.writeEndObject();
        Tasks.writeCapability(g, v);
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- tools
}
