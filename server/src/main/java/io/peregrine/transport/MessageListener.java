package io.peregrine.transport;

import io.netty.buffer.ByteBuf;

/**
 * What a transport delivers to the protocol layer: connections opening and closing, and whole
 * messages. Called on the peer's event loop.
 */
public interface MessageListener {

    void onOpen(Peer peer);

    /**
     * One framed message. {@code message} is a heap buffer holding exactly the message's bytes;
     * the listener owns it and must release it.
     */
    void onMessage(Peer peer, ByteBuf message);

    /** A message longer than the transport's limit was received and dropped. */
    void onMessageTooLong(Peer peer, long limit);

    void onClose(Peer peer);

    /**
     * The transport refused a message itself, before it reached {@link #onMessage} (on HTTP: no
     * credentials, a body over the limit, an unknown session, ...), and answered it. For counting;
     * called on the event loop of the connection that sent it.
     */
    default void onRefused(Transport transport, EdgeRefusal reason) {
    }
}
