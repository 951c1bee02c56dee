package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;

import java.io.IOException;

/** Encodes what the client sends, each message in a pooled buffer of its own; transports add their framing. */
final class ClientMessages {

    private static final JsonRpcWriter WRITER = new JsonRpcWriter(Json.DEFAULT);

    private ClientMessages() {
    }

    /** @throws IllegalArgumentException when {@code params} holds a value that is not JSON */
    static ByteBuf request(ByteBufAllocator alloc, long id, String method, Object params) {
        return line(WRITER.request(alloc, RequestId.of(id), method, params == null ? null : tree(params)));
    }

    /** A request whose params {@code params} writes ({@link RequestParams#completing}). */
    static ByteBuf request(ByteBufAllocator alloc, long id, String method, JsonRpcWriter.Body params) {
        return line(WRITER.request(alloc, RequestId.of(id), method, g -> {
            try {
                params.write(g);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        }));
    }

    /** @throws IllegalArgumentException when {@code params} holds a value that is not JSON */
    static ByteBuf notification(ByteBufAllocator alloc, String method, Object params) {
        return line(WRITER.notification(alloc, method, params == null ? null : tree(params)));
    }

    /** The answer to a server's {@code ping}. */
    static ByteBuf emptyResult(ByteBufAllocator alloc, RequestId id) {
        return line(WRITER.result(alloc, id, g -> {
            g.writeStartObject();
            g.writeEndObject();
        }));
    }

    /** A result answering a request from the server. */
    static ByteBuf result(ByteBufAllocator alloc, RequestId id, Object result) {
        return line(WRITER.result(alloc, id, tree(result)));
    }

    /** An error answering a request from the server. */
    static ByteBuf error(ByteBufAllocator alloc, RequestId id, int code, String message) {
        return line(WRITER.error(alloc, id, code, message, null));
    }

    /** The answer to any other request from the server: this client offers no server-callable features. */
    static ByteBuf methodNotFound(ByteBufAllocator alloc, RequestId id, String method) {
        return line(WRITER.error(alloc, id, JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + method, null));
    }

    /**
     * The writer releases its buffer only on an IOException; a value JsonTree cannot write must
     * become one, or the buffer would leak.
     */
    private static JsonRpcWriter.Body tree(Object value) {
        return g -> {
            try {
                JsonTree.write(g, value);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        };
    }

    private static ByteBuf line(ByteBuf message) {
        return message;
    }
}
