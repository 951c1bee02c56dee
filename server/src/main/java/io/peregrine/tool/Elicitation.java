package io.peregrine.tool;

import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RawJson;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@code elicitation/create} request: a question for the user, answered through a form the
 * client renders from {@code requestedSchema} ({@link #form}), or by sending the user to a URL
 * where the server gathers the answer out of band ({@link #url}, 2025-11-25 and later).
 */
public final class Elicitation extends ClientRequest {

    private final boolean urlMode;
    private final String message;
    private final Object requestedSchema;
    private final String url;
    private final String elicitationId;

    private Elicitation(String key, boolean urlMode, String message, Object requestedSchema, String url,
                        String elicitationId) {
        super(key);
        this.urlMode = urlMode;
        this.message = message;
        this.requestedSchema = requestedSchema;
        this.url = url;
        this.elicitationId = elicitationId;
    }

    /**
     * A form: {@code requestedSchema} is a flat JSON Schema object whose properties are strings,
     * numbers, booleans or enums, e.g.
     * {@code {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}.
     *
     * @throws IllegalArgumentException when {@code requestedSchema} is not a JSON object
     */
    public static Elicitation form(String message, String requestedSchema) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(requestedSchema, "requestedSchema");
        Object schema;
        try {
            schema = JsonTree.parse(requestedSchema);
        } catch (IOException e) {
            throw new IllegalArgumentException("requestedSchema : not JSON (" + e.getMessage() + ")", e);
        }
        if (!(schema instanceof Map) || !"object".equals(((Map<?, ?>) schema).get("type"))) {
            throw new IllegalArgumentException("requestedSchema : " + requestedSchema
                    + " (expected: a JSON Schema object with \"type\":\"object\")");
        }
        return new Elicitation(null, false, message, RawJson.of(JsonTree.toJson(schema)), null, null);
    }

    /**
     * A URL the user should open (2025-11-25 and later, and only for clients that declared
     * {@code elicitation.url}). The answer's {@code action} says whether the user agreed to go;
     * what they did there reaches the server out of band.
     *
     * @param elicitationId unique within this server; the client treats it as opaque
     */
    public static Elicitation url(String message, String url, String elicitationId) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(elicitationId, "elicitationId");
        try {
            java.net.URI parsed = new java.net.URI(url);
            if (!parsed.isAbsolute()) {
                throw new IllegalArgumentException("url : " + url + " (expected: an absolute URL)");
            }
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("url : " + url + " (expected: a valid URL)", e);
        }
        return new Elicitation(null, true, message, null, url, elicitationId);
    }

    /** This request under the given 2026-07-28 {@code inputRequests} key. */
    public Elicitation key(String key) {
        return new Elicitation(checkKey(key), urlMode, message, requestedSchema, url, elicitationId);
    }

    public boolean isUrlMode() {
        return urlMode;
    }

    public String message() {
        return message;
    }

    /** The URL of a URL-mode request, or null. */
    public String url() {
        return url;
    }

    /** The id of a URL-mode request, or null. */
    public String elicitationId() {
        return elicitationId;
    }

    @Override
    public String method() {
        return "elicitation/create";
    }

    @Override
    public ClientFeature requiredFeature() {
        return urlMode ? ClientFeature.ELICITATION_URL : ClientFeature.ELICITATION_FORM;
    }

    @Override
    String keyPrefix() {
        return "elicitation";
    }

    @Override
    public Map<String, Object> params(String protocolVersion) {
        Map<String, Object> params = new LinkedHashMap<>();
        // 2025-06-18 has no modes; later revisions accept (and 2026 expects) an explicit one.
        if (urlMode || protocolVersion.compareTo("2025-11-25") >= 0) {
            params.put("mode", urlMode ? "url" : "form");
        }
        params.put("message", message);
        if (urlMode) {
            params.put("elicitationId", elicitationId);
            params.put("url", url);
        } else {
            params.put("requestedSchema", requestedSchema);
        }
        return params;
    }

    @Override
    public String toString() {
        return "elicitation/create(" + (urlMode ? "url " + url : "form") + ": " + message + ")";
    }
}
