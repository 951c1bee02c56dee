package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link Link} tells the client. Every method is called on the link's event loop, so the
 * client sees its server's messages one at a time, in the order they arrived.
 */
public interface LinkListener {

    /** One JSON-RPC message (or batch) from the server; the listener releases it. */
    void onMessage(ByteBuf message);

    /**
     * One message that came on the response stream of the request {@code stream} (Streamable
     * HTTP: the SSE stream of a POST), or on no request's stream when {@code stream} is 0; the
     * listener releases it.
     */
    default void onMessage(ByteBuf message, long stream) {
        onMessage(message);
    }

    /** The server sent a message longer than the limit; it was discarded unread. */
    void onMessageTooLong(long limit);

    /**
     * The transport knows a request will get no response: an HTTP error status without a JSON-RPC
     * answer, or a response stream that ended and cannot be resumed.
     *
     * @param code a JSON-RPC error code the server gave, or 0 when the failure is this side's
     * @param data the error's {@code data} as a JSON tree, or null
     */
    void onRequestFailed(long id, int code, String message, Object data);

    /**
     * Whether the request {@code id} still waits for its response: a transport asks before it
     * builds the message of a failure that only a request left without an answer would hear.
     */
    default boolean awaits(long id) {
        return true;
    }

    /**
     * The server refused {@code request} unread because it no longer knows the session it was
     * sent in (Streamable HTTP: 404 to a request carrying {@code Mcp-Session-Id}), so sending it
     * again in a new session cannot run it twice; {@link #onClosed} follows. The listener owns
     * {@code request}'s body. By default the request fails with {@code why}.
     */
    default void onRequestNotServed(Outbound request, String why) {
        request.body().release();
        onRequestFailed(request.id(), 0, why, null);
    }

    /** The link is gone; called once. {@code reason} says why when the transport knows, else null. */
    void onClosed(String reason);

    /**
     * Messages the server sent unasked may have been lost while the link stays up: a Streamable
     * HTTP session's GET stream broke and could not be resumed, or was given up. {@code why} says
     * which, naming the {@code Last-Event-ID} and the server's answer when there were ones.
     */
    default void onNotificationsMissed(String why) {
    }
}
