package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.netty.buffer.ByteBuf;

import java.io.CharConversionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON-RPC envelope ({@code jsonrpc}, {@code id}, {@code method}) of one framed message
 * with jackson-core's streaming parser, straight from the frame's bytes.
 *
 * <p>{@code params} and {@code result} are skipped over, not built: their extent is recorded and
 * handed on as a slice of the frame, so a handler that never looks at them never pays for them.
 * Skipping still tokenizes, so malformed JSON, invalid UTF-8 and excess nesting anywhere in the
 * message are found here, before anything is dispatched.
 *
 * <p>The result of {@link #decode} is one of: an {@link RpcMessage}; an {@link RpcException}
 * (the whole frame is answered with one error); or a {@link Batch}.
 */
public final class EnvelopeDecoder {

    private static final char[] VERSION = {'2', '.', '0'};

    private final Json json;
    private final KnownStrings methodNames;

    public EnvelopeDecoder(Json json, KnownStrings methodNames) {
        this.json = json;
        this.methodNames = methodNames;
    }

    /** A JSON array of messages; each element is an {@link RpcMessage} or an {@link RpcException}. */
    public static final class Batch {
        private final List<Object> items;

        Batch(List<Object> items) {
            this.items = items;
        }

        public List<Object> items() {
            return items;
        }

        /** Releases every message of the batch. */
        public void release() {
            for (Object item : items) {
                if (item instanceof RpcMessage) {
                    ((RpcMessage) item).release();
                }
            }
        }
    }

    /**
     * Decodes one frame. Each message returned holds its own reference to {@code frame}; the
     * caller still owns (and releases) the reference it passed in.
     */
    public Object decode(ByteBuf frame) {
        try (JsonParser p = json.parser(frame)) {
            JsonToken first = p.nextToken();
            Object decoded;
            if (first == JsonToken.START_OBJECT) {
                decoded = decodeObject(p, frame);
            } else if (first == JsonToken.START_ARRAY) {
                decoded = decodeBatch(p, frame);
            } else if (first == null) {
                return new RpcException(JsonRpcError.INVALID_REQUEST, "Empty message: expected a JSON-RPC object");
            } else {
                p.skipChildren();
                decoded = new RpcException(JsonRpcError.INVALID_REQUEST,
                        "Expected a JSON-RPC object or a batch array, got " + describe(first));
            }
            if (p.nextToken() != null) {
                release(decoded);
                return new RpcException(JsonRpcError.PARSE_ERROR,
                        "Parse error: unexpected data after the end of the JSON message");
            }
            return decoded;
        } catch (StreamConstraintsException e) {
            return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: " + firstLine(e));
        } catch (CharConversionException e) {
            return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: invalid UTF-8: " + firstLine(e));
        } catch (IOException e) {
            return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: " + firstLine(e));
        }
    }

    private Object decodeBatch(JsonParser p, ByteBuf frame) throws IOException {
        List<Object> items = new ArrayList<>();
        try {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == JsonToken.START_OBJECT) {
                    items.add(decodeObject(p, frame));
                } else {
                    p.skipChildren();
                    items.add(new RpcException(JsonRpcError.INVALID_REQUEST,
                            "Batch element is not a JSON-RPC object: got " + describe(t)));
                }
            }
        } catch (IOException e) {
            new Batch(items).release();
            throw e;
        }
        if (items.isEmpty()) {
            return new RpcException(JsonRpcError.INVALID_REQUEST, "Empty batch: a batch must hold at least one message");
        }
        return new Batch(items);
    }

    /** Reads one message object; the parser is on its START_OBJECT and is left on its END_OBJECT. */
    private Object decodeObject(JsonParser p, ByteBuf frame) throws IOException {
        boolean versionSeen = false;
        boolean versionOk = false;
        boolean idSeen = false;
        RequestId id = null;
        String idProblem = null;
        String method = null;
        String methodProblem = null;
        long paramsStart = -1;
        long paramsEnd = -1;
        JsonToken paramsToken = null;
        long resultStart = -1;
        long resultEnd = -1;
        boolean errorSeen = false;
        int errorCode = 0;
        String errorMessage = null;

        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "jsonrpc":
                    versionSeen = true;
                    versionOk = v == JsonToken.VALUE_STRING && isVersion(p);
                    p.skipChildren();
                    break;
                case "id":
                    idSeen = true;
                    if (v == JsonToken.VALUE_STRING) {
                        id = RequestId.of(p.getText());
                    } else if (v == JsonToken.VALUE_NUMBER_INT) {
                        id = RequestId.ofNumberText(p.getText());
                    } else {
                        idProblem = v == JsonToken.VALUE_NULL
                                ? "id must be a string or an integer; MCP does not allow a null id"
                                : "id must be a string or an integer, got " + describe(v);
                        p.skipChildren();
                    }
                    break;
                case "method":
                    if (v == JsonToken.VALUE_STRING) {
                        method = methodNames.intern(p);
                    } else {
                        methodProblem = "method must be a string, got " + describe(v);
                        p.skipChildren();
                    }
                    break;
                case "params":
                    paramsToken = v;
                    paramsStart = Json.tokenOffset(p);
                    p.skipChildren();
                    paramsEnd = Json.tokenOffset(p) + 1;
                    break;
                case "result":
                    resultStart = Json.tokenOffset(p);
                    p.skipChildren();
                    resultEnd = Json.tokenOffset(p) + 1;
                    if (v != JsonToken.START_OBJECT && v != JsonToken.START_ARRAY) {
                        resultEnd = -1;
                        resultStart = -1;
                    }
                    break;
                case "error":
                    errorSeen = true;
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            JsonToken ev = p.nextToken();
                            if ("code".equals(field) && ev == JsonToken.VALUE_NUMBER_INT) {
                                errorCode = p.getIntValue();
                            } else if ("message".equals(field) && ev == JsonToken.VALUE_STRING) {
                                errorMessage = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new IOException("malformed object");
        }

        if (idProblem != null) {
            return new RpcException(JsonRpcError.INVALID_REQUEST, "Invalid request: " + idProblem);
        }
        if (!versionOk) {
            return new RpcException(JsonRpcError.INVALID_REQUEST, versionSeen
                    ? "Invalid request: jsonrpc must be the string \"2.0\""
                    : "Invalid request: missing \"jsonrpc\": \"2.0\"", id, null);
        }
        if (methodProblem != null) {
            return new RpcException(JsonRpcError.INVALID_REQUEST, "Invalid request: " + methodProblem, id, null);
        }
        if (method == null) {
            if (idSeen && (resultStart >= 0 || errorSeen)) {
                RpcMessage.RpcErrorBody error = errorSeen
                        ? new RpcMessage.RpcErrorBody(errorCode, errorMessage == null ? "" : errorMessage) : null;
                ByteBuf result = resultStart >= 0 ? slice(frame, resultStart, resultEnd) : null;
                frame.retain();
                return new RpcMessage(RpcMessage.Kind.RESPONSE, id, null, null, result, error, frame);
            }
            return new RpcException(JsonRpcError.INVALID_REQUEST, idSeen
                    ? "Invalid request: missing \"method\" (a response needs \"result\" or \"error\")"
                    : "Invalid request: missing \"method\"", id, null);
        }
        ByteBuf params = null;
        if (paramsToken != null && paramsToken != JsonToken.VALUE_NULL) {
            if (paramsToken == JsonToken.START_ARRAY) {
                return new RpcException(JsonRpcError.INVALID_PARAMS,
                        "Invalid params: MCP params must be an object, got an array", id, null);
            }
            if (paramsToken != JsonToken.START_OBJECT) {
                return new RpcException(JsonRpcError.INVALID_REQUEST,
                        "Invalid request: params must be an object, got " + describe(paramsToken), id, null);
            }
            params = slice(frame, paramsStart, paramsEnd);
        }
        frame.retain();
        return new RpcMessage(idSeen ? RpcMessage.Kind.REQUEST : RpcMessage.Kind.NOTIFICATION,
                id, method, params, null, null, frame);
    }

    private static ByteBuf slice(ByteBuf frame, long start, long end) {
        return frame.slice(frame.readerIndex() + (int) start, (int) (end - start));
    }

    private static boolean isVersion(JsonParser p) throws IOException {
        if (p.getTextLength() != VERSION.length) {
            return false;
        }
        char[] chars = p.getTextCharacters();
        int off = p.getTextOffset();
        for (int i = 0; i < VERSION.length; i++) {
            if (chars[off + i] != VERSION[i]) {
                return false;
            }
        }
        return true;
    }

    private static void release(Object decoded) {
        if (decoded instanceof RpcMessage) {
            ((RpcMessage) decoded).release();
        } else if (decoded instanceof Batch) {
            ((Batch) decoded).release();
        }
    }

    static String describe(JsonToken t) {
        switch (t) {
            case START_OBJECT: return "an object";
            case START_ARRAY: return "an array";
            case VALUE_STRING: return "a string";
            case VALUE_NUMBER_INT: return "an integer";
            case VALUE_NUMBER_FLOAT: return "a fractional number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            default: return t.asString() == null ? t.name() : t.asString();
        }
    }

    /** Jackson's messages carry a source excerpt after the first line; the first line is what a person needs. */
    private static String firstLine(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
