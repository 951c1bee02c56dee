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

    /**
     * Reads {@code message} for a transport whose own rules look into messages (Streamable HTTP
     * checks its headers against the body), so that each is parsed once: what it gives is handed
     * back to {@link #onDecoded}, or released. Null when the listener does not read ahead, or when
     * {@code message} is not one well-formed message: the transport then reads what it needs
     * itself and hands the bytes to {@link #onMessage}, where the protocol layer says what is
     * wrong with them. The caller still owns {@code message}.
     */
    default Decoded decode(ByteBuf message) {
        return null;
    }

    /** Handles a message {@link #decode} read, as {@link #onMessage} would its bytes; takes it over. */
    default void onDecoded(Peer peer, Decoded message) {
        throw new UnsupportedOperationException("onDecoded without decode");
    }

    /** One message as {@link #decode} read it: what a transport's rules ask of it. */
    interface Decoded {

        /** A request: it has a method and an id. */
        boolean isRequest();

        /** A response (a result or an error) rather than a request or a notification. */
        boolean isResponse();

        /** The method; null for a response. */
        String method();

        /** The request's id; null for a notification. */
        io.peregrine.rpc.RequestId id();

        /** {@code params.name}, else {@code params.uri}, else {@code params.taskId}: the first that is a string; else null. */
        String target();

        /** Whether {@code params._meta} is present. */
        boolean hasMeta();

        /** {@code params._meta["io.modelcontextprotocol/protocolVersion"]}, or null. */
        String metaProtocolVersion();

        /** Whether {@code params._meta} holds {@code io.modelcontextprotocol/clientCapabilities}. */
        boolean metaHasClientCapabilities();

        /** Releases the message when it is not handed to {@link #onDecoded}. */
        void release();
    }

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
