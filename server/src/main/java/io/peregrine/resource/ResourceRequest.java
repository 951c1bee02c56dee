package io.peregrine.resource;

import java.util.Map;
import java.util.Objects;

/** One {@code resources/read} as its handler sees it: the URI and, for a template, its variables. */
public final class ResourceRequest {

    private final String uri;
    private final Map<String, String> variables;
    private final String protocolVersion;

    public ResourceRequest(String uri, Map<String, String> variables, String protocolVersion) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.variables = Map.copyOf(variables);
        this.protocolVersion = Objects.requireNonNull(protocolVersion, "protocolVersion");
    }

    /** The URI the client asked for. */
    public String uri() {
        return uri;
    }

    /** The template's variables as matched from the URI; empty for a plain resource. */
    public Map<String, String> variables() {
        return variables;
    }

    /** The variable {@code name}, or null when the URI left it out. */
    public String variable(String name) {
        return variables.get(name);
    }

    /** The protocol revision of the request. */
    public String protocolVersion() {
        return protocolVersion;
    }
}
