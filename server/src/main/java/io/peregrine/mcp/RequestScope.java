package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;

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

    boolean isModern() {
        return version.isModern();
    }

    RequestId progressToken() {
        return params.progressToken();
    }

    /** The log level the client asked for, or null (2026: no log notifications for this request). */
    String logLevel() {
        return params.logLevel();
    }

    /** The client's capabilities as a tree, or an empty map. */
    @SuppressWarnings("unchecked")
    Map<String, Object> clientCapabilities() {
        Object caps = version.isModern() ? tree(params.clientCapabilities()) : connection.clientCapabilities();
        return caps instanceof Map ? (Map<String, Object>) caps : Map.of();
    }

    /** The client's self-description as a tree, or an empty map. */
    @SuppressWarnings("unchecked")
    Map<String, Object> clientInfo() {
        Object info = version.isModern() ? tree(params.clientInfo()) : connection.clientInfo();
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
}
