package io.peregrine.client.transport;

import io.netty.channel.EventLoop;

import java.util.concurrent.CompletableFuture;

/**
 * A way to reach a server: opens {@link Link}s. One instance serves every reconnection of a
 * client, so what it learned (the server's era, an HTTP connection pool) can outlive a link.
 */
public interface ClientTransport {

    /**
     * Opens a link whose I/O runs on {@code loop} and whose events reach {@code listener} there.
     *
     * @return completes with the open link, or fails with an {@link java.io.IOException} saying why
     *         the server could not be reached
     */
    CompletableFuture<Link> open(EventLoop loop, LinkListener listener);

    /**
     * Whether a link is a connection that stays open (TCP, WebSocket, a child process), so that
     * losing it means reconnecting; Streamable HTTP sends each message on its own request.
     */
    boolean isLongLived();

    /** Where the server is, for messages: {@code tcp://127.0.0.1:7400}, {@code stdio:npx server}. */
    String target();
}
