package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;

/**
 * Writes JSON-RPC responses, notifications and requests with a {@link JsonGenerator} straight
 * into a pooled {@link ByteBuf}. The buffer holds exactly one JSON message with no framing; the
 * transport adds its own.
 */
public final class JsonRpcWriter {

    /** Writes one JSON value: a result, an error's data, or params. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static final int INITIAL_CAPACITY = 256;

    // Pre-encoded names and values: the generator copies their bytes instead of escaping characters.
    private static final SerializableString JSONRPC = new SerializedString("jsonrpc");
    private static final SerializableString VERSION = new SerializedString("2.0");
    private static final SerializableString ID = new SerializedString("id");
    private static final SerializableString RESULT = new SerializedString("result");

    private final Json json;

    public JsonRpcWriter(Json json) {
        this.json = json;
    }

    public Json json() {
        return json;
    }

    /** {@code {"jsonrpc":"2.0","id":…,"result":…}} */
    public ByteBuf result(ByteBufAllocator alloc, RequestId id, Body result) {
        ByteBuf out = alloc.buffer(INITIAL_CAPACITY);
        try (JsonOutput o = json.write(out)) {
            JsonGenerator g = o.generator();
            writeHeader(g, id);
            g.writeFieldName(RESULT);
            result.write(g);
            g.writeEndObject();
        } catch (IOException | RuntimeException e) {
            out.release();
            return error(alloc, id, JsonRpcError.INTERNAL_ERROR,
                    "Internal error: the result could not be encoded: " + e.getMessage(), null);
        }
        return out;
    }

    /** {@code {"jsonrpc":"2.0","id":…|null,"error":{"code":…,"message":…,"data":…}}} */
    public ByteBuf error(ByteBufAllocator alloc, RequestId id, int code, String message, Object data) {
        ByteBuf out = alloc.buffer(INITIAL_CAPACITY);
        try (JsonOutput o = json.write(out)) {
            JsonGenerator g = o.generator();
            writeHeader(g, id);
            g.writeObjectFieldStart("error");
            g.writeNumberField("code", code);
            g.writeStringField("message", message);
            if (data != null) {
                g.writeFieldName("data");
                JsonTree.write(g, data);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException | RuntimeException e) {
            // The buffer is ours until it is returned: release it whatever the data threw.
            out.release();
            if (data != null) {
                // data that cannot be written (not a JSON tree value) must not cost the client its answer
                return error(alloc, id, code, message, null);
            }
            throw new IllegalStateException("error response could not be encoded", e);
        }
        return out;
    }

    /** Opens a response object: {@code {"jsonrpc":"2.0","id":…} (a null id for errors without one). */
    private static void writeHeader(JsonGenerator g, RequestId id) throws IOException {
        g.writeStartObject();
        g.writeFieldName(JSONRPC);
        g.writeString(VERSION);
        g.writeFieldName(ID);
        if (id == null) {
            g.writeNull();
        } else {
            id.writeTo(g);
        }
    }

    /** An error response for {@code e}. */
    public ByteBuf error(ByteBufAllocator alloc, RpcException e) {
        return error(alloc, e.id(), e.code(), e.getMessage(), e.data());
    }

    /** {@code {"jsonrpc":"2.0","method":…,"params":…}}; {@code params} may be null. */
    public ByteBuf notification(ByteBufAllocator alloc, String method, Body params) {
        return message(alloc, null, method, params);
    }

    /** {@code {"jsonrpc":"2.0","id":…,"method":…,"params":…}}; {@code params} may be null. */
    public ByteBuf request(ByteBufAllocator alloc, RequestId id, String method, Body params) {
        return message(alloc, id, method, params);
    }

    private ByteBuf message(ByteBufAllocator alloc, RequestId id, String method, Body params) {
        ByteBuf out = alloc.buffer(INITIAL_CAPACITY);
        try (JsonOutput o = json.write(out)) {
            JsonGenerator g = o.generator();
            g.writeStartObject();
            g.writeFieldName(JSONRPC);
            g.writeString(VERSION);
            if (id != null) {
                g.writeFieldName(ID);
                id.writeTo(g);
            }
            g.writeStringField("method", method);
            if (params != null) {
                g.writeFieldName("params");
                params.write(g);
            }
            g.writeEndObject();
        } catch (IOException | RuntimeException e) {
            // The buffer is ours until it is returned: release it whatever the body threw.
            out.release();
            throw new IllegalArgumentException("message could not be encoded: " + e.getMessage(), e);
        }
        return out;
    }
}
