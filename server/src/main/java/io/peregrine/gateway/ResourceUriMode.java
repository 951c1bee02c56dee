package io.peregrine.gateway;

/** Whether an upstream's resource URIs and URI templates are served as it gives them or under a scheme of its own. */
public enum ResourceUriMode {
    /** As the upstream gives them. The default; one that another source also offers collides. */
    KEEP,
    /**
     * Each URI's scheme gets the upstream's mark, {@code file:///README.md} becoming
     * {@code file+docs:///README.md}, so that two upstreams offering the same URI are both served
     * ({@link ResourceUris}).
     */
    REWRITE
}
