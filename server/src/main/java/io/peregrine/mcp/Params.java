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
import java.util.Arrays;

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
    /** Peregrine's credentials for transports without headers: {@code "Bearer <token>"}. */
    static final String META_AUTHORIZATION = "io.peregrine/authorization";
    static final String META_TIMEOUT_MS = io.peregrine.tool.ToolContext.META_TIMEOUT_MS;
    static final String META_CALLER_CAPABILITIES = io.peregrine.tool.ClientFeature.META_CALLER_CAPABILITIES;

    private static final byte STRING = 1;
    private static final byte OBJECT = 2;
    private static final byte ARRAY = 3;
    private static final byte OTHER = 4;

    static final Params EMPTY = new Params(null);

    /** Credentials repeat on every 2026-07-28 request of a client: decoded once, not per request. */
    private static final RecentStrings RECENT_CREDENTIALS = new RecentStrings();

    private final ByteBuf source;
    private String[] names;
    private String[] strings;
    /** Per member: its kind in the top byte; for objects and arrays, start (bits 28..55) and end (bits 0..27) offsets. */
    private long[] spans;
    private int count;

    private RpcException problem;
    private boolean hasMeta;
    private String protocolVersion;
    /**
     * Where {@code _meta}'s client capabilities, the capabilities the client's own caller declared
     * ({@code io.peregrine/clientCapabilities}) and the client info lie in {@link #source}, packed
     * as {@link #spans} pack objects (0 when absent): most requests never read them, so they are
     * sliced only when asked for.
     */
    private long clientCapabilities;
    private long callerCapabilities;
    private long clientInfo;
    private String logLevel;
    private RequestId progressToken;
    private String authorization;
    /** {@code _meta["io.peregrine/timeoutMs"]}: the client's own deadline for the request; 0 when none. */
    private long timeoutMillis;
    /** W3C trace context a client puts in {@code _meta} (SEP-414), kept as text for observers; usually null. */
    private String traceparent;
    private String tracestate;
    private String baggage;

    /** The schema that vouched for the {@code arguments} member as it was read; null when none did. */
    private FastSchema vouchedBy;
    /** The top-level strings of the arguments that {@link #vouchedBy} read; null when none did. */
    private TopStrings argumentStrings;

    private Params(ByteBuf source) {
        this.source = source;
    }

    /** Reads {@code params} on its own (when the envelope pass did not); null means the request had none. */
    static Params parse(Json json, KnownStrings versions, ByteBuf params) throws RpcException {
        if (params == null) {
            return EMPTY;
        }
        Params result;
        try (JsonInput in = json.read(params)) {
            in.parser().nextToken();
            result = read(in, params, versions);
        } catch (IOException e) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: " + e.getMessage());
        }
        result.throwProblem();
        return result;
    }

    /**
     * Reads the params object the parser is on (START_OBJECT), leaving it on the END_OBJECT.
     * Offsets are relative to {@code source}'s reader index. A problem with the content is kept
     * for {@link #throwProblem()}: the request's id may not be known yet.
     */
    static Params read(JsonInput in, ByteBuf source, KnownStrings versions) throws IOException {
        return read(in, source, versions, null);
    }

    /**
     * As {@link #read(JsonInput, ByteBuf, KnownStrings)}; with {@code schemas}, an object member
     * {@code arguments} that follows a string member {@code name} is checked while it is read
     * against {@code schemas.apply(name)} (null: none), so that a {@code tools/call}'s arguments
     * are validated in the same pass ({@link #vouchedBy()}).
     */
    static Params read(JsonInput in, ByteBuf source, KnownStrings versions,
                       java.util.function.Function<String, FastSchema> schemas) throws IOException {
        Params result = new Params(source);
        JsonParser p = in.parser();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (result.problem != null) {
                p.skipChildren();
            } else if ("_meta".equals(name) && v != JsonToken.START_OBJECT) {
                p.skipChildren();
                if (v != JsonToken.VALUE_NULL) {
                    result.problem = new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta must be an object");
                }
            } else if ("_meta".equals(name)) {
                try {
                    result.readMeta(in, v, versions);
                } catch (RpcException e) {
                    result.problem = e;
                    skipRestOfMeta(p);
                }
            } else {
                result.record(in, name, v, schemas);
            }
        }
        return result;
    }

    private static void skipRestOfMeta(JsonParser p) throws IOException {
        // readMeta stops on the offending value; finish the _meta object so the params loop resumes.
        p.skipChildren();
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.NOT_AVAILABLE) {
                throw new IOException("truncated _meta");
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            }
        }
    }

    /** Whether reading found a problem with the content (then {@code _meta} may be read only in part). */
    boolean hasProblem() {
        return problem != null;
    }

    /** Throws the problem found while reading, if any. */
    void throwProblem() throws RpcException {
        if (problem != null) {
            throw problem;
        }
    }

    private void record(JsonInput in, String name, JsonToken v,
                        java.util.function.Function<String, FastSchema> schemas) throws IOException {
        JsonParser p = in.parser();
        if (names == null) {
            // Room for the two members of the commonest request, tools/call's name and arguments.
            names = new String[2];
            strings = new String[2];
            spans = new long[2];
        } else if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            strings = Arrays.copyOf(strings, count * 2);
            spans = Arrays.copyOf(spans, count * 2);
        }
        int i = count++;
        names[i] = name;
        switch (v) {
            case VALUE_STRING:
                spans[i] = (long) STRING << 56;
                strings[i] = p.getText();
                break;
            case START_OBJECT:
            case START_ARRAY:
                int start = in.startOffset();
                // Not with a large message's blocking parser, which decodes a string only when asked
                // (a failure part way would leave it inside the string): validation reads those later.
                FastSchema schema = v == JsonToken.START_OBJECT && schemas != null && "arguments".equals(name)
                        && p.getNonBlockingInputFeeder() != null ? schemaOfName(schemas) : null;
                if (schema == null) {
                    p.skipChildren();
                } else {
                    // The params object: where the parser is back once past the arguments.
                    com.fasterxml.jackson.core.JsonStreamContext params = p.getParsingContext().getParent();
                    TopStrings top = new TopStrings();
                    if (schema.acceptsObjectFrom(p, top)) {
                        vouchedBy = schema;
                        argumentStrings = top;
                    } else {
                        skipToEndOf(p, params);
                    }
                }
                spans[i] = ((long) (v == JsonToken.START_OBJECT ? OBJECT : ARRAY) << 56) | extent(start, in.endOffset());
                break;
            default:
                spans[i] = (long) OTHER << 56;
                break;
        }
    }

    /** The schema {@code schemas} gives the string member {@code name} read so far, or null. */
    private FastSchema schemaOfName(java.util.function.Function<String, FastSchema> schemas) {
        for (int i = 0; i < count - 1; i++) {
            if (kind(i) == STRING && "name".equals(names[i])) {
                return schemas.apply(strings[i]);
            }
        }
        return null;
    }

    /** Reads on until the parser is back in {@code outer}, past the value a schema stopped in. */
    private static void skipToEndOf(JsonParser p, com.fasterxml.jackson.core.JsonStreamContext outer) throws IOException {
        while (p.getParsingContext() != outer) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.NOT_AVAILABLE) {
                throw new IOException("truncated arguments");
            }
        }
    }

    /**
     * The input schema that found the {@code arguments} member surely valid while it was read
     * (see {@link #read(JsonInput, ByteBuf, KnownStrings, java.util.function.Function)}); null
     * when none did. It vouches only for itself: a caller compares it with the schema it would
     * check against.
     */
    FastSchema vouchedBy() {
        return vouchedBy;
    }

    /** The first top-level strings of the arguments, as validation read them; null when it did not. */
    TopStrings argumentStrings() {
        return argumentStrings;
    }

    private byte kind(int i) {
        return (byte) (spans[i] >>> 56);
    }

    private void readMeta(JsonInput in, JsonToken v, KnownStrings versions) throws IOException, RpcException {
        JsonParser p = in.parser();
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
                    clientCapabilities = objectExtent(in, mv, key);
                    break;
                case META_AUTHORIZATION:
                    if (mv != JsonToken.VALUE_STRING) {
                        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                                "Invalid params: _meta[\"" + key + "\"] must be a string such as \"Bearer <token>\"");
                    }
                    authorization = RECENT_CREDENTIALS.intern(p);
                    break;
                case META_CLIENT_INFO:
                    clientInfo = objectExtent(in, mv, key);
                    break;
                case META_CALLER_CAPABILITIES:
                    callerCapabilities = objectExtent(in, mv, key);
                    break;
                case META_TIMEOUT_MS:
                    if (mv != JsonToken.VALUE_NUMBER_INT || p.getLongValue() <= 0) {
                        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                                "Invalid params: _meta[\"" + key + "\"] must be a positive integer (milliseconds)");
                    }
                    timeoutMillis = p.getLongValue();
                    break;
                case "traceparent":
                    traceparent = traceField(p, mv);
                    break;
                case "tracestate":
                    tracestate = traceField(p, mv);
                    break;
                case "baggage":
                    baggage = traceField(p, mv);
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

    /** A trace-context value: kept when a string, else skipped; observers treat a bad one as absent. */
    private static String traceField(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static String expectString(JsonParser p, JsonToken v, String key, KnownStrings interner)
            throws IOException, RpcException {
        if (v != JsonToken.VALUE_STRING) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta[\"" + key + "\"] must be a string");
        }
        return interner != null ? interner.intern(p) : p.getText();
    }

    /** The extent of the object value {@code key} of {@code _meta}, as {@link #extent} packs it. */
    private static long objectExtent(JsonInput in, JsonToken v, String key) throws IOException, RpcException {
        if (v != JsonToken.START_OBJECT) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params: _meta[\"" + key + "\"] must be an object");
        }
        int start = in.startOffset();
        in.parser().skipChildren();
        return extent(start, in.endOffset());
    }

    /** Start (bits 28..55) and end (bits 0..27) offsets of a value in {@link #source}; never 0, as start > 0. */
    private static long extent(long start, long end) {
        return (start << 28) | end;
    }

    /** The value at {@code extent} (low 56 bits) as a slice of {@link #source}, or null for 0. */
    private ByteBuf slice(long extent) {
        if (extent == 0) {
            return null;
        }
        int start = (int) ((extent >>> 28) & 0xFFFFFFF);
        int end = (int) (extent & 0xFFFFFFF);
        return source.slice(source.readerIndex() + start, end - start);
    }

    private int indexOf(String name) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The string member {@code name}, or null when absent or not a string; never throws. */
    String stringOrNull(String name) {
        int i = indexOf(name);
        return i >= 0 && kind(i) == STRING ? strings[i] : null;
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
        if (kind(i) != STRING) {
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
        if (kind(i) != OBJECT) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for " + method + ": \"" + name + "\" must be an object");
        }
        return slice(spans[i]);
    }

    boolean hasMeta() {
        return hasMeta;
    }

    /** {@code _meta["io.modelcontextprotocol/protocolVersion"]}, or null. */
    String protocolVersion() {
        return protocolVersion;
    }

    /** Whether {@code _meta} holds {@code io.modelcontextprotocol/clientCapabilities} (an object). */
    boolean hasClientCapabilities() {
        return clientCapabilities != 0;
    }

    /** {@code _meta["io.modelcontextprotocol/clientCapabilities"]} as a slice of the request, or null. */
    ByteBuf clientCapabilities() {
        return slice(clientCapabilities);
    }

    /** {@code _meta["io.modelcontextprotocol/clientInfo"]} as a slice of the request, or null. */
    ByteBuf clientInfo() {
        return slice(clientInfo);
    }

    /** {@code _meta["io.peregrine/clientCapabilities"]}, or null. */
    ByteBuf callerCapabilities() {
        return slice(callerCapabilities);
    }

    String logLevel() {
        return logLevel;
    }

    RequestId progressToken() {
        return progressToken;
    }

    /** A trace-context member of {@code _meta}: {@code traceparent}, {@code tracestate} or {@code baggage}; else null. */
    String meta(String key) {
        switch (key) {
            case "traceparent": return traceparent;
            case "tracestate": return tracestate;
            case "baggage": return baggage;
            default: return null;
        }
    }

    /** {@code _meta["io.peregrine/timeoutMs"]}, the client's own deadline in milliseconds; 0 when it gave none. */
    long timeoutMillis() {
        return timeoutMillis;
    }

    /** {@code _meta["io.peregrine/authorization"]}, or null. */
    String authorization() {
        return authorization;
    }
}
