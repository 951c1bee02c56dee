/**
 * Health and readiness: what {@code /health}, {@code /health?verbose} and {@code /ready} report
 * ({@link io.peregrine.transport.HealthReport}), and the named dependencies whose state they
 * include ({@link io.peregrine.ops.health.Dependencies}). Nothing here knows the transports or the
 * protocol core: the running server implements the report, the HTTP listener only asks it.
 */
package io.peregrine.ops.health;
