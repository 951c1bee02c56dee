package io.peregrine;

import io.peregrine.config.PeregrineConfig;

/**
 * A part of the standalone server that is not in its jar, found when it starts: the launcher
 * loads every implementation on the class path with {@link java.util.ServiceLoader} (each jar
 * lists its own in {@code META-INF/services/io.peregrine.PeregrineExtension}) and hands each the
 * server the configuration describes. An extension decides from the configuration whether it
 * has anything to add; with nothing to add it does nothing.
 *
 * <p>The conformance fixtures ({@code peregrine-conformance}, enabled by
 * {@code conformance.fixtures: true}) are one. Embedders configure a {@link Peregrine.Builder}
 * themselves and need none of this.
 */
public interface PeregrineExtension {

    /** Adds to the server being configured (tools, resources, prompts, settings), before it is built. */
    default void configure(Peregrine.Builder builder, PeregrineConfig config) {
    }

    /**
     * Adds what needs the built server itself (a tool that changes the server's registries while
     * it runs), before it starts serving.
     */
    default void built(Peregrine server, PeregrineConfig config) {
    }
}
