package io.peregrine.tool;

import java.util.Map;
import java.util.Objects;

/**
 * A question a tool asks the client that made the call: an {@link Elicitation}, a
 * {@link SamplingRequest} or a {@link RootsRequest}. Immutable.
 *
 * <p>The same request reaches the client however the call was made: as a JSON-RPC request from
 * the server in the 2025 era, or as one entry of an {@code input_required} result's
 * {@code inputRequests} in 2026-07-28, where the {@link #key() key} names it. A tool that does not
 * choose a key gets one derived from the order of its questions ({@code elicitation-1},
 * {@code sampling-1}, ...), which is stable because a call that is retried asks the same questions
 * in the same order.
 */
public abstract class ClientRequest {

    /**
     * Where a 2025-era request to the client carries its {@link #key() key}, in {@code _meta}: a
     * Peregrine gateway in front of the server reads it to name the question in its own 2026-07-28
     * client's {@code input_required} round as the tool named it.
     */
    public static final String META_INPUT_KEY = "io.peregrine/inputKey";

    private final String key;

    ClientRequest(String key) {
        this.key = key;
    }

    /** The JSON-RPC method: {@code elicitation/create}, {@code sampling/createMessage} or {@code roots/list}. */
    public abstract String method();

    /** The request's {@code params} as a JSON tree (see {@code io.peregrine.rpc.JsonTree}). */
    public abstract Map<String, Object> params(String protocolVersion);

    /** The capability the client must have declared, e.g. {@code elicitation}. */
    public abstract ClientFeature requiredFeature();

    /** The key chosen for this request in 2026-07-28 {@code inputRequests}, or null to have one assigned. */
    public String key() {
        return key;
    }

    /** The prefix of assigned keys: {@code elicitation}, {@code sampling} or {@code roots}. */
    abstract String keyPrefix();

    static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key : \"\" (expected: a non-empty string)");
        }
        return key;
    }

    /** The prefix of assigned keys, for the server. */
    public static String keyPrefixOf(ClientRequest request) {
        return request.keyPrefix();
    }
}
