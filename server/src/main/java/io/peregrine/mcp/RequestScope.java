package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;

import java.util.HashMap;
import java.util.List;

import java.util.Map;

/**
 * Everything a request is served under, as the 2026-07-28 revision sees it: its protocol version,
 * the client's capabilities and identity, its log level and progress token. A 2026 request brings
 * these in its {@code _meta}; a 2025-era request inherits them from its connection's
 * {@code initialize}. The method table reads only this, so it is written once for both eras.
 */
final class RequestScope {

    private final ProtocolVersion version;
    private final Params params;
    private final Connection connection;

    RequestScope(ProtocolVersion version, Params params, Connection connection) {
        this.version = version;
        this.params = params;
        this.connection = connection;
    }

    ProtocolVersion version() {
        return version;
    }

    boolean isStateless() {
        return version.isStateless();
    }

    RequestId progressToken() {
        return params.progressToken();
    }

    /** The log level the client asked for, or null (2026: no log notifications for this request). */
    String logLevel() {
        return params.logLevel();
    }

    /**
     * The client's capabilities as a tree, or an empty map: those of the request's {@code _meta}
     * (2026-07-28) or of its session's {@code initialize}, narrowed to what the client's own caller
     * declared when the request names it ({@code _meta["io.peregrine/clientCapabilities"]}). A
     * gateway shares one upstream session among its clients; the narrowing lets a tool here see the
     * calling client's capabilities, and since it only takes away, a request gains nothing by it.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> clientCapabilities() {
        Object caps = version.isStateless() ? tree(params.clientCapabilities()) : connection.clientCapabilities();
        Map<String, Object> declared = caps instanceof Map ? (Map<String, Object>) caps : Map.of();
        Object caller = tree(params.callerCapabilities());
        return caller instanceof Map ? common(declared, (Map<String, Object>) caller) : declared;
    }

    /**
     * What two capability declarations both hold: the members named in both, objects in turn
     * narrowed member by member, other values as {@code declared} has them.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> common(Map<String, Object> declared, Map<String, Object> narrower) {
        Map<String, Object> both = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> e : declared.entrySet()) {
            if (!narrower.containsKey(e.getKey())) {
                continue;
            }
            Object mine = e.getValue();
            Object theirs = narrower.get(e.getKey());
            both.put(e.getKey(), mine instanceof Map && theirs instanceof Map
                    ? common((Map<String, Object>) mine, (Map<String, Object>) theirs) : mine);
        }
        return both;
    }

    /** The client's self-description as a tree, or an empty map. */
    @SuppressWarnings("unchecked")
    Map<String, Object> clientInfo() {
        Object info = version.isStateless() ? tree(params.clientInfo()) : connection.clientInfo();
        return info instanceof Map ? (Map<String, Object>) info : Map.of();
    }

    private static Object tree(ByteBuf raw) {
        if (raw == null) {
            return null;
        }
        try (var p = io.peregrine.rpc.Json.DEFAULT.parser(raw)) {
            return JsonTree.read(p);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * Works out which revision a request is served under: the 2026-07-28 revision its {@code _meta}
     * names, else the revision its connection's {@code initialize} negotiated; before that only
     * {@code initialize}, {@code ping} and {@code server/discover} are served.
     */
    static RequestScope resolve(Connection c, String method, Params params) throws RpcException {
        String requested = params.protocolVersion();
        if (requested != null && ("initialize".equals(method) || "ping".equals(method))) {
            ProtocolVersion v = ProtocolVersion.find(requested);
            if (v != null && v.isStateless()) {
                throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + method + " is not part of "
                        + "protocol " + v.id() + ", which has no handshake and no ping; "
                        + ("initialize".equals(method) ? "call server/discover, or send requests with their _meta at once"
                        : "any request shows the server is there"));
            }
        }
        if (requested != null && !"initialize".equals(method)) {
            ProtocolVersion v = ProtocolVersion.find(requested);
            if (v == null) {
                throw unsupportedVersion(requested, ProtocolVersion.ids(),
                        "Unsupported protocol version: " + requested);
            }
            if (v.isStateless()) {
                LoggingMethods.checkRequestLevel(params);
                return new RequestScope(v, params, c);
            }
            if (!c.isInitialized()) {
                throw unsupportedVersion(requested, ProtocolVersion.statelessIds(), "Protocol version " + requested
                        + " is served only after initialize; per-request _meta accepts " + ProtocolVersion.statelessIds());
            }
        }
        if (c.isInitialized()) {
            return new RequestScope(c.version(), params, c);
        }
        switch (method) {
            case "initialize":
            case "ping":
            case "server/discover":
                return new RequestScope(ProtocolVersion.LATEST, params, c);
            default:
                throw new RpcException(JsonRpcError.INVALID_REQUEST, "Not initialized: send initialize first "
                        + "(protocol 2025-03-26 to 2025-11-25), or give each request "
                        + "_meta[\"io.modelcontextprotocol/protocolVersion\"] (protocol 2026-07-28)");
        }
    }

    private static RpcException unsupportedVersion(String requested, List<String> supported, String message) {
        Map<String, Object> data = new HashMap<>();
        data.put("supported", supported);
        data.put("requested", requested);
        return new RpcException(JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION, message, null, data);
    }
}
