package io.peregrine.tool;

import java.util.Map;
import java.util.Objects;

/**
 * A question passed on as another server asked it: the {@code method} and {@code params} of an
 * {@code elicitation/create}, {@code sampling/createMessage} or {@code roots/list} request that a
 * server behind this one (a gateway's upstream) put to it during a call. The client gets the
 * params unchanged, and its answer comes back as the JSON tree it sent (a {@code Map}), to be
 * passed back in turn.
 */
public final class RelayedRequest extends ClientRequest {

    private final String method;
    private final Map<String, Object> params;
    private final ClientFeature feature;
    private final String prefix;

    private RelayedRequest(String key, String method, Map<String, Object> params, ClientFeature feature,
                           String prefix) {
        super(key);
        this.method = method;
        this.params = params;
        this.feature = feature;
        this.prefix = prefix;
    }

    /**
     * @throws IllegalArgumentException when {@code method} is none of the three a server may ask
     */
    public static RelayedRequest of(String method, Map<String, Object> params) {
        Objects.requireNonNull(method, "method");
        Map<String, Object> p = params != null ? params : Map.of();
        switch (method) {
            case "elicitation/create":
                return new RelayedRequest(null, method, p,
                        "url".equals(p.get("mode")) ? ClientFeature.ELICITATION_URL : ClientFeature.ELICITATION_FORM,
                        "elicitation");
            case "sampling/createMessage":
                return new RelayedRequest(null, method, p, ClientFeature.SAMPLING, "sampling");
            case "roots/list":
                return new RelayedRequest(null, method, p, ClientFeature.ROOTS, "roots");
            default:
                throw new IllegalArgumentException("method : " + method
                        + " (expected: elicitation/create, sampling/createMessage or roots/list)");
        }
    }

    /** The client's answer as it came: it must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> answerOf(Object tree) {
        if (!(tree instanceof Map)) {
            throw new IllegalArgumentException("an answer must be a JSON object");
        }
        return (Map<String, Object>) tree;
    }

    /** This request under the given 2026-07-28 {@code inputRequests} key. */
    public RelayedRequest key(String key) {
        return new RelayedRequest(checkKey(key), method, params, feature, prefix);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public Map<String, Object> params(String protocolVersion) {
        return params;
    }

    @Override
    public ClientFeature requiredFeature() {
        return feature;
    }

    @Override
    String keyPrefix() {
        return prefix;
    }

    @Override
    public String toString() {
        return method + " (relayed)";
    }
}
