package io.peregrine.rpc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

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
 *
 * <p>Just over 400 lines: one streaming pass over the envelope, its batch form and the precise
 * error of each malformation, which read best side by side.
 */
public final class EnvelopeDecoder {

    private static final char[] VERSION = {'2', '.', '0'};

    private static final byte[] JSONRPC = {'j', 's', 'o', 'n', 'r', 'p', 'c'};
    private static final byte[] ID = {'i', 'd'};
    private static final byte[] RESULT = {'r', 'e', 's', 'u', 'l', 't'};
    private static final byte[] QUOTED_VERSION = {'"', '2', '.', '0', '"'};
    /** Integer ids of up to this many digits are read here; longer ones go the parser's way. */
    private static final int MAX_ID_DIGITS = 18;

    private final Json json;
    private final KnownStrings methodNames;
    private final ParamsReader paramsReader;
    /** One nesting level short of the parser's limit, so that it refuses nothing the parser would take. */
    private final JsonScan scan;

    public EnvelopeDecoder(Json json, KnownStrings methodNames) {
        this(json, methodNames, null);
    }

    /** @param paramsReader reads params objects in the same pass, or null to only slice them */
    public EnvelopeDecoder(Json json, KnownStrings methodNames, ParamsReader paramsReader) {
        this.json = json;
        this.methodNames = methodNames;
        this.paramsReader = paramsReader;
        this.scan = new JsonScan(json.maxNestingDepth() - 1, json.maxStringLength());
    }

    /**
     * A successful response as servers write them, read by a scan of {@code bytes} (a frame's
     * bytes) instead of the parser: an object of {@code "jsonrpc":"2.0"}, an {@code id} that is a
     * string of printable ASCII without escapes or a non-negative integer, and a {@code result}
     * object or array, in any order, nothing else. The result is checked as well-formed JSON within
     * the parser's limits as it is skipped, and is left where it lies in {@code bytes}. Anything
     * else (an error response, a request, a batch, an escape in a member name, a result the scan is
     * unsure of) is null, for {@link #decode(ByteBuf)} to read and judge as before.
     */
    public ScannedResponse scanResponse(byte[] bytes) {
        int end = bytes.length;
        int i = JsonScan.whitespace(bytes, 0, end);
        if (i >= end || bytes[i] != '{') {
            return null;
        }
        boolean version = false;
        RequestId id = null;
        int resultStart = -1;
        int resultEnd = -1;
        i = JsonScan.whitespace(bytes, i + 1, end);
        while (true) {
            if (i >= end || bytes[i] != '"') {
                return null;
            }
            int nameStart = i + 1;
            int nameEnd = nameStart;
            while (nameEnd < end && bytes[nameEnd] != '"' && bytes[nameEnd] != '\\') {
                nameEnd++;
            }
            if (nameEnd >= end || bytes[nameEnd] != '"') {
                return null;
            }
            i = JsonScan.whitespace(bytes, nameEnd + 1, end);
            if (i >= end || bytes[i] != ':') {
                return null;
            }
            i = JsonScan.whitespace(bytes, i + 1, end);
            if (is(bytes, nameStart, nameEnd, RESULT) && resultStart < 0) {
                if (i >= end || (bytes[i] != '{' && bytes[i] != '[')) {
                    return null;
                }
                resultStart = i;
                i = scan.value(bytes, i, end, 1);
                if (i < 0) {
                    return null;
                }
                resultEnd = i;
            } else if (is(bytes, nameStart, nameEnd, ID) && id == null) {
                int idEnd = idEnd(bytes, i, end);
                if (idEnd < 0) {
                    return null;
                }
                id = bytes[i] == '"'
                        ? RequestId.of(new String(bytes, i + 1, idEnd - i - 2, java.nio.charset.StandardCharsets.ISO_8859_1))
                        : RequestId.of(digits(bytes, i, idEnd));
                i = idEnd;
            } else if (is(bytes, nameStart, nameEnd, JSONRPC) && !version) {
                if (!is(bytes, i, Math.min(end, i + QUOTED_VERSION.length), QUOTED_VERSION)) {
                    return null;
                }
                version = true;
                i += QUOTED_VERSION.length;
            } else {
                return null;
            }
            i = JsonScan.whitespace(bytes, i, end);
            if (i >= end) {
                return null;
            }
            if (bytes[i] == '}') {
                break;
            }
            if (bytes[i] != ',') {
                return null;
            }
            i = JsonScan.whitespace(bytes, i + 1, end);
        }
        if (!version || id == null || resultStart < 0 || JsonScan.whitespace(bytes, i + 1, end) != end) {
            return null;
        }
        return new ScannedResponse(id, bytes, resultStart, resultEnd);
    }

    /**
     * A successful response read by {@link #scanResponse}: its id, the bytes scanned, and where its
     * result lies among them ({@code resultEnd} just past it).
     */
    public record ScannedResponse(RequestId id, byte[] bytes, int resultStart, int resultEnd) {

        /** The result, as a buffer over {@link #bytes()}. */
        public ByteBuf result() {
            return Unpooled.wrappedBuffer(bytes, resultStart, resultEnd - resultStart);
        }
    }

    /**
     * Past the id at {@code i}: a string of printable ASCII without escapes, or an integer of at
     * most {@link #MAX_ID_DIGITS} digits without a sign or leading zeros; -1 for any other.
     */
    private static int idEnd(byte[] b, int i, int end) {
        if (i >= end) {
            return -1;
        }
        if (b[i] == '"') {
            for (int k = i + 1; k < end; k++) {
                byte c = b[k];
                if (c == '"') {
                    return k + 1;
                }
                if (c < 0x20 || c > 0x7e || c == '\\') {
                    return -1;
                }
            }
            return -1;
        }
        int k = i;
        while (k < end && b[k] >= '0' && b[k] <= '9') {
            k++;
        }
        int digits = k - i;
        if (digits == 0 || digits > MAX_ID_DIGITS || (digits > 1 && b[i] == '0')) {
            return -1;
        }
        return k;
    }

    /** The value of the decimal digits from {@code start} to {@code end}, at most {@link #MAX_ID_DIGITS}. */
    private static long digits(byte[] b, int start, int end) {
        long v = 0;
        for (int k = start; k < end; k++) {
            v = v * 10 + (b[k] - '0');
        }
        return v;
    }

    private static boolean is(byte[] b, int start, int end, byte[] expected) {
        return java.util.Arrays.equals(b, start, end, expected, 0, expected.length);
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
        IOException fastFailure = null;
        try (JsonInput in = json.read(frame)) {
            try {
                Object decoded = decodeFast(in, frame);
                if (decoded != null) {
                    return decoded;
                }
            } catch (IOException e) {
                // Diagnosed below with a fresh blocking parser, which names most problems better.
                fastFailure = e;
            }
            in.discard();
        } catch (IOException e) {
            fastFailure = e;
        }
        return diagnose(frame, fastFailure);
    }

    /**
     * The normal path, on the thread's reusable non-blocking parser. Returns null when the parser
     * ran out of input inside the message (incomplete JSON, or a bare number at the top level),
     * which only the slow path can tell apart.
     */
    private Object decodeFast(JsonInput in, ByteBuf frame) throws IOException {
        JsonParser p = in.parser();
        JsonToken first = p.nextToken();
        Object decoded;
        if (first == JsonToken.START_OBJECT) {
            decoded = decodeObject(in, frame);
        } else if (first == JsonToken.START_ARRAY) {
            decoded = decodeBatch(in, frame);
        } else {
            return null;
        }
        if (decoded == null) {
            return null;
        }
        if (!onlyWhitespaceAfter(frame, in.endOffset())) {
            release(decoded);
            in.discard();
            return new RpcException(JsonRpcError.PARSE_ERROR,
                    "Parse error: unexpected data after the end of the JSON message");
        }
        return decoded;
    }

    /** The offset of the first byte of {@code frame} that is not JSON whitespace, or -1. */
    private static int firstNonWhitespace(ByteBuf frame) {
        for (int i = frame.readerIndex(); i < frame.writerIndex(); i++) {
            byte b = frame.getByte(i);
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return i - frame.readerIndex();
            }
        }
        return -1;
    }

    private static boolean onlyWhitespaceAfter(ByteBuf frame, int end) {
        for (int i = frame.readerIndex() + end; i < frame.writerIndex(); i++) {
            byte b = frame.getByte(i);
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Names what is wrong with a frame the fast path could not read, using a blocking parser. */
    private Object diagnose(ByteBuf frame, IOException fastFailure) {
        try (JsonParser p = json.parser(frame)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                // Jackson ends a document at a NUL byte; anything but whitespace is not an empty message.
                int junk = firstNonWhitespace(frame);
                if (junk >= 0) {
                    return new RpcException(JsonRpcError.PARSE_ERROR, String.format(
                            "Parse error: unexpected byte 0x%02X at offset %d: expected a JSON value",
                            frame.getByte(frame.readerIndex() + junk) & 0xFF, junk));
                }
                return new RpcException(JsonRpcError.INVALID_REQUEST, "Empty message: expected a JSON-RPC object");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return new RpcException(JsonRpcError.PARSE_ERROR,
                        "Parse error: unexpected data after the end of the JSON message");
            }
            if (first == JsonToken.START_OBJECT || first == JsonToken.START_ARRAY) {
                // Skipping does not decode strings; the reading parser did, and hit a limit.
                return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: "
                        + (fastFailure != null ? firstLine(fastFailure) : "the JSON message is incomplete"));
            }
            return new RpcException(JsonRpcError.INVALID_REQUEST,
                    "Expected a JSON-RPC object or a batch array, got " + describe(first));
        } catch (StreamConstraintsException e) {
            return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: " + firstLine(e));
        } catch (CharConversionException e) {
            return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: invalid UTF-8: " + firstLine(e));
        } catch (IOException e) {
            String m = firstLine(e);
            if (m.contains("Invalid UTF-8")) {
                return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: invalid UTF-8: " + m);
            }
            return new RpcException(JsonRpcError.PARSE_ERROR, "Parse error: " + m);
        }
    }

    private Object decodeBatch(JsonInput in, ByteBuf frame) throws IOException {
        JsonParser p = in.parser();
        List<Object> items = new ArrayList<>();
        try {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == JsonToken.NOT_AVAILABLE) {
                    new Batch(items).release();
                    return null;
                }
                if (t == JsonToken.START_OBJECT) {
                    Object item = decodeObject(in, frame);
                    if (item == null) {
                        new Batch(items).release();
                        return null;
                    }
                    items.add(item);
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
    private Object decodeObject(JsonInput in, ByteBuf frame) throws IOException {
        JsonParser p = in.parser();
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
        Object paramsView = null;
        long resultStart = -1;
        long resultEnd = -1;
        boolean errorSeen = false;
        int errorCode = 0;
        String errorMessage = null;

        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.NOT_AVAILABLE) {
                return null;
            }
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
                        id = RequestId.ofNumber(p);
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
                    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                        paramsStart = in.startOffset();
                        if (v == JsonToken.START_OBJECT && paramsReader != null) {
                            paramsView = paramsReader.read(in, frame);
                        } else {
                            p.skipChildren();
                        }
                        paramsEnd = in.endOffset();
                    }
                    break;
                case "result":
                    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                        resultStart = in.startOffset();
                        p.skipChildren();
                        resultEnd = in.endOffset();
                    }
                    break;
                case "error":
                    errorSeen = true;
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            JsonToken ev = p.nextToken();
                            if (ev == JsonToken.NOT_AVAILABLE) {
                                return null;
                            }
                            if ("code".equals(field) && ev == JsonToken.VALUE_NUMBER_INT) {
                                // A code beyond an int is no JSON-RPC error code: kept as 0, as a code of another type is.
                                errorCode = p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : 0;
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
        if (t == JsonToken.NOT_AVAILABLE) {
            return null;
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
                return new RpcMessage(RpcMessage.Kind.RESPONSE, id, null, 0, -1, null, result, error, frame);
            }
            return new RpcException(JsonRpcError.INVALID_REQUEST, idSeen
                    ? "Invalid request: missing \"method\" (a response needs \"result\" or \"error\")"
                    : "Invalid request: missing \"method\"", id, null);
        }
        int paramsIndex = 0;
        int paramsLength = -1;
        if (paramsToken != null && paramsToken != JsonToken.VALUE_NULL) {
            if (paramsToken == JsonToken.START_ARRAY) {
                return new RpcException(JsonRpcError.INVALID_PARAMS,
                        "Invalid params: MCP params must be an object, got an array", id, null);
            }
            if (paramsToken != JsonToken.START_OBJECT) {
                return new RpcException(JsonRpcError.INVALID_REQUEST,
                        "Invalid request: params must be an object, got " + describe(paramsToken), id, null);
            }
            paramsIndex = frame.readerIndex() + (int) paramsStart;
            paramsLength = (int) (paramsEnd - paramsStart);
        }
        frame.retain();
        return new RpcMessage(idSeen ? RpcMessage.Kind.REQUEST : RpcMessage.Kind.NOTIFICATION,
                id, method, paramsIndex, paramsLength, paramsView, null, null, frame);
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
