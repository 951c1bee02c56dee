/**
 * Policy on the hot path: who is calling ({@link io.peregrine.policy.Authenticator}), what they
 * may call ({@link io.peregrine.policy.Grants}), how often ({@link io.peregrine.policy.RateLimiter}),
 * and results that need not be computed twice ({@link io.peregrine.policy.ResultCache}).
 *
 * <p>The package is transport-neutral and knows nothing of Netty or JSON-RPC: transports hand it
 * an {@code Authorization} value or a client certificate, the MCP core asks it yes-or-no
 * questions, and a refusal comes back as a {@link io.peregrine.policy.Refusal} that each side
 * renders its own way (an HTTP status and header, a JSON-RPC error). Every check is cheap and
 * allocation-free when it passes; only refusals build objects.
 */
package io.peregrine.policy;
