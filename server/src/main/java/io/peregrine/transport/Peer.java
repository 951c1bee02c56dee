package io.peregrine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.net.SocketAddress;

/**
 * One connected client as the layers above the transport see it: a place to send whole JSON
 * messages, with flow control. The transport owns the framing; a message handed to
 * {@link #send} is one JSON value with no delimiter.
 *
 * <p>Every method is safe to call from any thread.
 */
public interface Peer {

    /** The allocator to build outgoing messages with. */
    ByteBufAllocator alloc();

    /** The event loop this peer's I/O runs on. */
    EventExecutor executor();

    /**
     * Sends one JSON message, taking ownership of {@code message}. Sends made while the transport
     * is delivering a read are flushed together when the read completes.
     */
    void send(ByteBuf message);

    /**
     * Sends the answer that completes the exchange the current message arrived on, taking ownership
     * of {@code response}. On a socket every message shares one exchange, so this is {@link #send};
     * on Streamable HTTP it ends the POST's response, while {@link #send} carries the messages that
     * come before it (progress, log messages, requests to the client) on the same response stream.
     */
    default void respond(ByteBuf response) {
        respond(response, Outcome.RESULT);
    }

    /**
     * Sends the answer that completes the current exchange, as {@link #respond(ByteBuf)}, with what
     * it says beside it: Streamable HTTP chooses the status line and headers from {@code outcome}
     * and never reads the bytes back. Sockets send it as any other message.
     */
    default void respond(ByteBuf response, Outcome outcome) {
        send(response);
    }

    /**
     * The request the current exchange carries will get no answer (it was cancelled): on Streamable
     * HTTP the response ends without one; on a socket there is nothing to do.
     */
    default void respondNothing() {
    }

    /**
     * A header of the request that carried the current message, for transports that have headers
     * (HTTP); null when absent or when the transport has none.
     */
    default String requestHeader(CharSequence name) {
        return null;
    }

    /**
     * The id of the session this peer is, or carries a message of ({@code Mcp-Session-Id} on
     * Streamable HTTP), for logs and traces; null for transports without session ids.
     */
    default String sessionId() {
        return null;
    }

    /** Stops (true) or resumes (false) reading from this peer: back-pressure without buffering. */
    void pauseReading(boolean paused);

    /** Per-connection state of the layer above, or null. */
    Object attachment();

    void attach(Object attachment);

    SocketAddress remoteAddress();

    /** Which transport this peer came through; {@link Transport#label()} is the short name logs and policy use. */
    Transport transport();

    boolean isOpen();

    /**
     * The principal the transport authenticated (a WebSocket upgrade's {@code Authorization}
     * header, a TLS client certificate), or null when it authenticated none.
     */
    default io.peregrine.policy.Principal principal() {
        return null;
    }

    /** Closes the connection after pending writes are flushed; the future completes once it is closed. */
    Future<?> close();
}
