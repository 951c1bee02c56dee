package io.peregrine.tool;

import java.util.Map;

/** A {@code roots/list} request: which directories or files the client lets the server work in. */
public final class RootsRequest extends ClientRequest {

    private static final RootsRequest UNKEYED = new RootsRequest(null);

    private RootsRequest(String key) {
        super(key);
    }

    public static RootsRequest create() {
        return UNKEYED;
    }

    /** This request under the given 2026-07-28 {@code inputRequests} key. */
    public RootsRequest key(String key) {
        return new RootsRequest(checkKey(key));
    }

    @Override
    public String method() {
        return "roots/list";
    }

    @Override
    public ClientFeature requiredFeature() {
        return ClientFeature.ROOTS;
    }

    @Override
    String keyPrefix() {
        return "roots";
    }

    @Override
    public Map<String, Object> params(String protocolVersion) {
        return Map.of();
    }

    @Override
    public String toString() {
        return "roots/list";
    }
}
