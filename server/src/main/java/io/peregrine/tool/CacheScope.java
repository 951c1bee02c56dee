package io.peregrine.tool;

/** Who may be answered with a cached result of a tool (see {@link Tool.Builder#cacheable}). */
public enum CacheScope {
    /** Every principal: the result depends on the arguments only. */
    PUBLIC,
    /** Only the principal whose call produced it. */
    PRIVATE
}
