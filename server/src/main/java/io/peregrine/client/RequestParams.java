package io.peregrine.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Completes the {@code params} of an outgoing request: a {@code progressToken} when progress is
 * wanted and, in the stateless 2026-07-28 era, the protocol version, capabilities and client info
 * that the 2025 era sends once in {@code initialize}.
 */
final class RequestParams {

    static final String META = "_meta";
    static final String PROGRESS_TOKEN = "progressToken";
    static final String META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    static final String META_AUTHORIZATION = "io.peregrine/authorization";
    static final String META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";

    /** Null in the 2025 era. */
    private final Map<String, Object> statelessMeta;

    private RequestParams(Map<String, Object> statelessMeta) {
        this.statelessMeta = statelessMeta;
    }

    /** For the 2025 era: the handshake told the server everything once. */
    static RequestParams stateful() {
        return new RequestParams(null);
    }

    static RequestParams stateless(String protocolVersion, Map<String, Object> capabilities,
                                   Map<String, Object> clientInfo) {
        return stateless(protocolVersion, capabilities, clientInfo, null);
    }

    /** @param authorization credentials sent with every request, or null */
    static RequestParams stateless(String protocolVersion, Map<String, Object> capabilities,
                                   Map<String, Object> clientInfo, String authorization) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put(META_PROTOCOL_VERSION, protocolVersion);
        // Sent with every request: encoded once.
        meta.put(META_CLIENT_CAPABILITIES, encoded(capabilities));
        meta.put(META_CLIENT_INFO, encoded(clientInfo));
        if (authorization != null) {
            meta.put(META_AUTHORIZATION, authorization);
        }
        return new RequestParams(Map.copyOf(meta));
    }

    /**
     * Writes {@code params} with the additions, streamed into the request's generator: nothing of
     * the caller's is copied or modified, and entries the caller put in {@code _meta} win over the
     * additions of the same name. Null when there is nothing to add: the params go as they are.
     *
     * @param params        may be null
     * @param progressToken the token to ask progress for, or null
     * @param logLevel      2026-07-28: the lowest level of log messages wanted, or null
     */
    io.peregrine.rpc.JsonRpcWriter.Body completing(Map<String, ?> params, Long progressToken, String logLevel) {
        if (statelessMeta == null && progressToken == null) {
            return null;
        }
        return g -> write(g, params, progressToken, logLevel);
    }

    private void write(com.fasterxml.jackson.core.JsonGenerator g, Map<String, ?> params, Long progressToken,
                       String logLevel) throws java.io.IOException {
        g.writeStartObject();
        Map<?, ?> callers = null;
        if (params != null) {
            for (Map.Entry<String, ?> e : params.entrySet()) {
                if (META.equals(e.getKey())) {
                    callers = e.getValue() instanceof Map ? (Map<?, ?>) e.getValue() : null;
                    continue;
                }
                g.writeFieldName(e.getKey());
                io.peregrine.rpc.JsonTree.write(g, e.getValue());
            }
        }
        g.writeFieldName(META);
        g.writeStartObject();
        // The caller's entries win: ours are written only where it put none of the same name.
        if (statelessMeta != null) {
            for (Map.Entry<String, Object> e : statelessMeta.entrySet()) {
                writeUnlessCallers(g, callers, e.getKey(), e.getValue());
            }
            if (logLevel != null) {
                writeUnlessCallers(g, callers, META_LOG_LEVEL, logLevel);
            }
        }
        if (progressToken != null) {
            writeUnlessCallers(g, callers, PROGRESS_TOKEN, progressToken);
        }
        if (callers != null) {
            for (Map.Entry<?, ?> e : callers.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                io.peregrine.rpc.JsonTree.write(g, e.getValue());
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeUnlessCallers(com.fasterxml.jackson.core.JsonGenerator g, Map<?, ?> callers, String name,
                                           Object value) throws java.io.IOException {
        if (value != null && (callers == null || !callers.containsKey(name))) {
            g.writeFieldName(name);
            io.peregrine.rpc.JsonTree.write(g, value);
        }
    }

    private static Object encoded(Map<String, Object> tree) {
        return tree == null ? null : io.peregrine.rpc.RawJson.ofParsed(io.peregrine.rpc.JsonTree.toJson(tree));
    }
}
