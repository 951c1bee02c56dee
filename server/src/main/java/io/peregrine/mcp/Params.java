package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonInput;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.KnownStrings;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;

import java.io.IOException;

/**
 * The {@code params} of one request, read in a single streaming pass: the protocol fields of
 * {@code _meta} are decoded, every other top-level member is recorded as a string or as the extent
 * of its value within the frame. Nested objects ({@code arguments}, {@code capabilities}) stay
 * raw slices until a handler asks for them.
 */
final class Params {

    static final String META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    static final String META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";

    private static final byte STRING = 1;
    private static final byte OBJECT = 2;
    private static final byte ARRAY = 3;
    private static final byte OTHER = 4;

    static final Params EMPTY = new Params(null);

    private final ByteBuf source;
    private String[] names;
    private byte[] kinds;
    private int[] starts;
    private int[] ends;
    private String[] strings;
    private int count;

    private boolean hasMeta;
    private String protocolVersion;
    private ByteBuf clientCapabilities;
    private ByteBuf clientInfo;
    private String logLevel;
    private RequestId progressToken;

    private Params(ByteBuf source) {
        this.source = source;
    }

    /** Reads {@code params}; null means the request had none. */
    static Params parse(Json json, KnownStrings versions, ByteBuf params) throws RpcException {
        if (params == null) {
            return EMPTY;
        }
        Params result = new Params(params);
        try (JsonInput in = json.read(params)) {
            JsonParser p = in.parser();
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("_meta".equals(name)) {
                    result.readMeta(in, v, versions);
                } else {
                    result.record(in, name, v);
                }
            }
        } catch (IOException e) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: " + e.getMessage());
        }
        return result;
    }

    private void record(JsonInput in, String name, JsonToken v) throws IOException {
        JsonParser p = in.parser();
        if (names == null) {
            names = new String[4];
            kinds = new byte[4];
            starts = new int[4];
            ends = new int[4];
            strings = new String[4];
        } else if (count == names.length) {
            int n = count * 2;
            names = java.util.Arrays.copyOf(names, n);
            kinds = java.util.Arrays.copyOf(kinds, n);
            starts = java.util.Arrays.copyOf(starts, n);
            ends = java.util.Arrays.copyOf(ends, n);
            strings = java.util.Arrays.copyOf(strings, n);
        }
        int i = count++;
        names[i] = name;
        switch (v) {
            case VALUE_STRING:
                kinds[i] = STRING;
                strings[i] = p.getText();
                break;
            case START_OBJECT:
            case START_ARRAY:
                kinds[i] = v == JsonToken.START_OBJECT ? OBJECT : ARRAY;
                starts[i] = in.startOffset();
                p.skipChildren();
                ends[i] = in.endOffset();
                break;
            default:
                kinds[i] = OTHER;
                break;
        }
    }

    private void readMeta(JsonInput in, JsonToken v, KnownStrings versions) throws IOException, RpcException {
        JsonParser p = in.parser();
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            if (v == JsonToken.VALUE_NULL) {
                return;
            }
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta must be an object");
        }
        hasMeta = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken mv = p.nextToken();
            switch (key) {
                case META_PROTOCOL_VERSION:
                    protocolVersion = expectString(p, mv, key, versions);
                    break;
                case META_LOG_LEVEL:
                    logLevel = expectString(p, mv, key, null);
                    break;
                case META_CLIENT_CAPABILITIES:
                    clientCapabilities = objectSlice(in, mv, key);
                    break;
                case META_CLIENT_INFO:
                    clientInfo = objectSlice(in, mv, key);
                    break;
                case "progressToken":
                    if (mv == JsonToken.VALUE_STRING) {
                        progressToken = RequestId.of(p.getText());
                    } else if (mv == JsonToken.VALUE_NUMBER_INT) {
                        progressToken = RequestId.of(p.getLongValue());
                    } else if (mv != JsonToken.VALUE_NULL) {
                        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                                "Invalid params: _meta.progressToken must be a string or an integer");
                    }
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
    }

    private static String expectString(JsonParser p, JsonToken v, String key, KnownStrings interner)
            throws IOException, RpcException {
        if (v != JsonToken.VALUE_STRING) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta[\"" + key + "\"] must be a string");
        }
        return interner != null ? interner.intern(p) : p.getText();
    }

    private ByteBuf objectSlice(JsonInput in, JsonToken v, String key) throws IOException, RpcException {
        if (v != JsonToken.START_OBJECT) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta[\"" + key + "\"] must be an object");
        }
        int start = in.startOffset();
        in.parser().skipChildren();
        return source.slice(source.readerIndex() + start, in.endOffset() - start);
    }

    private int indexOf(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** The string member {@code name}, or null when absent; -32602 when it is not a string. */
    String string(String method, String name) throws RpcException {
        int i = indexOf(name);
        if (i < 0) {
            return null;
        }
        if (kinds[i] != STRING) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for " + method + ": \"" + name + "\" must be a string");
        }
        return strings[i];
    }

    /** The required string member {@code name}. */
    String requireString(String method, String name) throws RpcException {
        String value = string(method, name);
        if (value == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for " + method + ": missing required string \"" + name + "\"");
        }
        return value;
    }

    /** The object member {@code name} as a raw slice, or null when absent or null; -32602 when not an object. */
    ByteBuf object(String method, String name) throws RpcException {
        int i = indexOf(name);
        if (i < 0) {
            return null;
        }
        if (kinds[i] != OBJECT) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for " + method + ": \"" + name + "\" must be an object");
        }
        return source.slice(source.readerIndex() + starts[i], ends[i] - starts[i]);
    }

    boolean hasMeta() {
        return hasMeta;
    }

    /** {@code _meta["io.modelcontextprotocol/protocolVersion"]}, or null. */
    String protocolVersion() {
        return protocolVersion;
    }

    ByteBuf clientCapabilities() {
        return clientCapabilities;
    }

    ByteBuf clientInfo() {
        return clientInfo;
    }

    String logLevel() {
        return logLevel;
    }

    RequestId progressToken() {
        return progressToken;
    }
}
