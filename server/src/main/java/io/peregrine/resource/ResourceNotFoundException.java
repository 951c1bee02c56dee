package io.peregrine.resource;

/**
 * Thrown by a {@link ResourceHandler} when the URI it was asked for names nothing (a template
 * matched, but no such file or record exists). The client gets the revision's resource-not-found
 * error: -32002 in the 2025 revisions, -32602 from 2026-07-28, with the URI in {@code data}.
 */
public class ResourceNotFoundException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String uri;

    public ResourceNotFoundException(String uri, String message) {
        super(message, null, false, false);
        this.uri = uri;
    }

    public ResourceNotFoundException(String uri) {
        this(uri, "Resource not found: " + uri);
    }

    public String uri() {
        return uri;
    }
}
