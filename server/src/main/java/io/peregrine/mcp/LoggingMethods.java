package io.peregrine.mcp;

import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.tool.LogLevel;

import java.util.Map;

/**
 * Log messages to the client: {@code logging/setLevel} sets a connection's level (2025
 * revisions); a 2026-07-28 request carries its own in {@code _meta}, and without one it gets no
 * log messages at all. Messages of a request travel with it ({@link Reply#send}), so on
 * Streamable HTTP they arrive on that request's response stream.
 */
final class LoggingMethods {

    private final McpServer server;

    LoggingMethods(McpServer server) {
        this.server = server;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("logging/setLevel", this::setLevel);
    }

    private boolean setLevel(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        ResourceMethods.requireSession(s, "logging/setLevel",
                "give each request _meta[\"io.modelcontextprotocol/logLevel\"] instead");
        String level = p.requireString("logging/setLevel", "level");
        LogLevel parsed = LogLevel.find(level);
        if (parsed == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params for logging/setLevel: level \""
                    + level + "\" is not one of " + String.join(", ", LogLevel.wireNames()));
        }
        c.logLevel = parsed;
        r.respond(server.emptyResult(c, m.id(), s));
        return false;
    }

    /** -32602 for a 2026-07-28 request whose {@code _meta} log level is not a level. */
    static void checkRequestLevel(Params params) throws RpcException {
        String level = params.logLevel();
        if (level != null && LogLevel.find(level) == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta[\"" + Params.META_LOG_LEVEL
                    + "\"] \"" + level + "\" is not one of " + String.join(", ", LogLevel.wireNames()));
        }
    }

    /** The lowest level the client of this request wants to hear, or null for none. */
    static LogLevel threshold(Connection c, RequestScope s) {
        return s.isStateless() ? LogLevel.find(s.logLevel()) : c.logLevel;
    }

    /** Sends {@code notifications/message} as part of the request whose reply is {@code r}. */
    void send(Connection c, Reply r, LogLevel level, String logger, Object data) {
        r.send(server.writer().notification(c.peer.alloc(), "notifications/message", g -> {
            g.writeStartObject();
            g.writeStringField("level", level.wireName());
            if (logger != null) {
                g.writeStringField("logger", logger);
            }
            g.writeFieldName("data");
            JsonTree.write(g, data);
            g.writeEndObject();
        }));
    }
}
