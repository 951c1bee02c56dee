package io.peregrine.ops.health;

/**
 * The state of something the server depends on (a Redis, an upstream server), as
 * {@link Dependencies} asks for it. Probes call it on an I/O thread, so it must return the last
 * known state at once and never do I/O itself: a client keeps that state up to date on its own
 * (from its connection's events, or a periodic check of its own).
 */
@FunctionalInterface
public interface DependencyCheck {

    DependencyStatus status();
}
