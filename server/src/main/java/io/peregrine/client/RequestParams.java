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
     * {@code params} with the additions; the caller's map is never modified, and entries the
     * caller put in {@code _meta} are kept.
     *
     * @param params        may be null
     * @param progressToken the token to ask progress for, or null
     * @param logLevel      2026-07-28: the lowest level of log messages wanted, or null (a level the
     *                      caller put in {@code _meta} is kept)
     * @return null only when {@code params} was null and there is nothing to add
     */
    Map<String, ?> complete(Map<String, ?> params, Long progressToken, String logLevel) {
        if (statelessMeta == null && progressToken == null) {
            return params;
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        if (statelessMeta != null) {
            meta.putAll(statelessMeta);
            if (logLevel != null) {
                meta.put(META_LOG_LEVEL, logLevel);
            }
        }
        if (progressToken != null) {
            meta.put(PROGRESS_TOKEN, progressToken);
        }
        Map<String, Object> completed = params == null ? new LinkedHashMap<>() : new LinkedHashMap<>(params);
        if (completed.get(META) instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) completed.get(META)).entrySet()) {
                meta.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        completed.put(META, meta);
        return completed;
    }

    private static Object encoded(Map<String, Object> tree) {
        return tree == null ? null : io.peregrine.rpc.RawJson.ofParsed(io.peregrine.rpc.JsonTree.toJson(tree));
    }
}
