package io.peregrine.client.transport;

import java.util.concurrent.CompletableFuture;

/**
 * An open way to one server: whatever a transport holds to carry messages there and back (one
 * connection, a pool of HTTP connections and a session, a child process).
 *
 * <p>Called on the link's event loop only; the client hops there before it calls.
 */
public interface Link {

    /**
     * Sends a message. A message that cannot be sent is released, and a request among them is
     * reported to {@link LinkListener#onRequestFailed}.
     */
    void send(Outbound message);

    /**
     * Tells the server to stop working on request {@code id} in the transport's own way, when it
     * has one: closing the request's response stream is how Streamable HTTP cancels in 2026-07-28.
     *
     * @return false when the transport has no such way, and the client should send
     *         {@code notifications/cancelled}
     */
    boolean cancelByTransport(long id);

    /**
     * The protocol revision in use from now on; {@code stateless} is true for the stateless revisions
     * (2026-07-28), which carry everything in each request. Streamable HTTP sends it in
     * {@code MCP-Protocol-Version} and, in the 2025 revisions, keeps the session that the answer to
     * {@code initialize} started.
     */
    void protocolVersion(String version, boolean stateless);

    /** Called once the 2025-era handshake is complete: Streamable HTTP opens the session's GET stream then. */
    default void initialized() {
    }

    /** Whether messages can still be sent. */
    boolean isActive();

    /**
     * Closes the link, ending what it holds (for Streamable HTTP, deleting the session first). The
     * listener hears {@link LinkListener#onClosed} when it is done.
     *
     * @return completes when the link is closed
     */
    CompletableFuture<Void> close();
}
