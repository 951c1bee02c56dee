package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One message for the server: its encoded JSON (no framing) and what a transport may need to know
 * about it without reading it, such as the {@code Mcp-Method} and {@code Mcp-Name} headers of
 * Streamable HTTP.
 *
 * @param kind         what the message is
 * @param id           the request's id; 0 for a notification, or the id answered for a response
 * @param method       the method of a request or notification; null for a response
 * @param name         {@code params.name} or {@code params.uri} of the methods that name a target, else null
 * @param paramHeaders {@code Mcp-Param-*} headers by name suffix (2026-07-28 over HTTP); empty for none
 * @param body         the JSON text; the link releases it
 * @param delivered    completed by the link once the server has the message (written to the connection, or
 *                     accepted by an HTTP 2xx), failed when it could not be delivered; null when nobody asks
 */
public record Outbound(Kind kind, long id, String method, String name, Map<String, String> paramHeaders, ByteBuf body,
                       CompletableFuture<Void> delivered) {

    /** What the message is. */
    public enum Kind {
        REQUEST,
        NOTIFICATION,
        RESPONSE
    }

    /** A request. */
    public static Outbound request(long id, String method, String name, Map<String, String> paramHeaders, ByteBuf body) {
        return new Outbound(Kind.REQUEST, id, method, name, paramHeaders, body, null);
    }

    /** A notification. */
    public static Outbound notification(String method, ByteBuf body) {
        return new Outbound(Kind.NOTIFICATION, 0, method, null, Map.of(), body, null);
    }

    /** A notification whose delivery is to be told. */
    public static Outbound notification(String method, ByteBuf body, CompletableFuture<Void> delivered) {
        return new Outbound(Kind.NOTIFICATION, 0, method, null, Map.of(), body, delivered);
    }

    /** A response to a request of the server's. */
    public static Outbound response(ByteBuf body) {
        return new Outbound(Kind.RESPONSE, 0, null, null, Map.of(), body, null);
    }

    /** Tells whoever waits that the message was delivered. */
    public void deliveredOk() {
        if (delivered != null) {
            delivered.complete(null);
        }
    }

    /** Tells whoever waits that the message could not be delivered, and why. */
    public void deliveryFailed(String why) {
        if (delivered != null) {
            delivered.completeExceptionally(new java.io.IOException("cannot send " + describe() + ": " + why));
        }
    }

    /** {@code tools/call (id 7)}, {@code notifications/cancelled}, or {@code a response}. */
    public String describe() {
        switch (kind) {
            case REQUEST:
                return method + " (id " + id + ")";
            case NOTIFICATION:
                return method;
            default:
                return "a response";
        }
    }
}
