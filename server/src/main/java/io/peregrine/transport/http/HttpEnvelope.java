package io.peregrine.transport.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.RequestId;
import io.peregrine.transport.MessageListener;

import java.io.IOException;

/**
 * What the Streamable HTTP transport needs to know of a POST body before handing it on: whether it
 * is a request, a notification, a response or a batch, and the fields the transport's rules are
 * about ({@code method}, {@code params.name}/{@code params.uri}, the protocol version in
 * {@code params._meta}). Everything else, including whether the message is valid, is the protocol
 * layer's business: a body this cannot read is handed on as it is, to get its JSON-RPC error there.
 *
 * <p>Most bodies are read once: by the protocol layer ({@link MessageListener#decode}), this
 * envelope answering from what it read and handing that on ({@link #of}). A body the protocol
 * layer does not read ahead (a batch, a malformed message) is peeked at here ({@link #peek}).
 */
final class HttpEnvelope {

    enum Kind { REQUEST, NOTIFICATION, RESPONSE, BATCH, UNREADABLE }

    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    static final String META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";

    final Kind kind;
    final String method;
    /** {@code params.name}, else {@code params.uri}, else {@code params.taskId}; null when none is a string. */
    final String name;
    final String metaProtocolVersion;
    /** A batch holds at least one request. */
    final boolean batchHasRequest;
    /** Whether {@code params._meta} is present, and holds {@code io.modelcontextprotocol/clientCapabilities}. */
    final boolean hasMeta;
    final boolean metaHasClientCapabilities;
    /** The request's id as JSON text ({@code 7}, {@code "a"}) when peeked at; null when {@link #decoded}. */
    private final String peekedIdJson;
    /** The id of a message the protocol layer read (null for a notification or when peeked at). */
    private RequestId decodedId;
    /** What the protocol layer read, until it is handed on ({@link #takeDecoded}); null when peeked at. */
    private MessageListener.Decoded decoded;

    private HttpEnvelope(Kind kind, String method, String name, String metaProtocolVersion, boolean batchHasRequest,
                         String idJson) {
        this(kind, method, name, metaProtocolVersion, batchHasRequest, idJson, false, false);
    }

    private HttpEnvelope(Kind kind, String method, String name, String metaProtocolVersion, boolean batchHasRequest,
                         String idJson, boolean hasMeta, boolean metaHasClientCapabilities) {
        this.kind = kind;
        this.peekedIdJson = idJson;
        this.hasMeta = hasMeta;
        this.metaHasClientCapabilities = metaHasClientCapabilities;
        this.method = method;
        this.name = name;
        this.metaProtocolVersion = metaProtocolVersion;
        this.batchHasRequest = batchHasRequest;
    }

    boolean isRequest() {
        return kind == Kind.REQUEST || (kind == Kind.BATCH && batchHasRequest);
    }

    /** The request's id as JSON text ({@code 7}, {@code "a"}), for errors the transport answers itself; else {@code null}. */
    String idJson() {
        if (peekedIdJson != null) {
            return peekedIdJson;
        }
        return decodedId == null ? "null" : decodedId.isNumber() ? decodedId.text() : HttpResponses.quote(decodedId.text());
    }

    /** The envelope of a message the protocol layer read; it holds the message until {@link #takeDecoded} or {@link #release}. */
    static HttpEnvelope of(MessageListener.Decoded d) {
        Kind kind = d.isRequest() ? Kind.REQUEST : d.isResponse() ? Kind.RESPONSE : Kind.NOTIFICATION;
        HttpEnvelope e = new HttpEnvelope(kind, d.method(), d.target(), d.metaProtocolVersion(), false, null,
                d.hasMeta(), d.metaHasClientCapabilities());
        e.decoded = d;
        e.decodedId = d.id();
        return e;
    }

    /** What the protocol layer read, handed over to whoever dispatches it; null when peeked at, or taken already. */
    MessageListener.Decoded takeDecoded() {
        MessageListener.Decoded d = decoded;
        decoded = null;
        return d;
    }

    /** Releases what the protocol layer read, when the request was refused rather than dispatched. */
    void release() {
        MessageListener.Decoded d = takeDecoded();
        if (d != null) {
            d.release();
        }
    }

    static HttpEnvelope peek(ByteBuf body) {
        try (JsonParser p = parser(body)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                boolean hasRequest = false;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    HttpEnvelope item = readObject(p);
                    hasRequest |= item.kind == Kind.REQUEST;
                }
                return new HttpEnvelope(Kind.BATCH, null, null, null, hasRequest, "null");
            }
            if (first != JsonToken.START_OBJECT) {
                return unreadable();
            }
            return readObject(p);
        } catch (IOException | RuntimeException e) {
            return unreadable();
        }
    }

    private static HttpEnvelope unreadable() {
        return new HttpEnvelope(Kind.UNREADABLE, null, null, null, false, "null");
    }

    private static JsonParser parser(ByteBuf body) throws IOException {
        io.peregrine.rpc.Json.requireUtf8(body);
        if (body.hasArray()) {
            return FACTORY.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        byte[] copy = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), copy);
        return FACTORY.createParser(copy);
    }

    /** Reads the object the parser is on, leaving it on its END_OBJECT. */
    private static HttpEnvelope readObject(JsonParser p) throws IOException {
        String method = null;
        String name = null;
        String uri = null;
        String taskId = null;
        String version = null;
        boolean hasId = false;
        String idJson = "null";
        boolean hasMeta = false;
        boolean hasCapabilities = false;
        boolean hasResult = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "id":
                    hasId = true;
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        idJson = p.getText();
                    } else if (v == JsonToken.VALUE_STRING) {
                        idJson = HttpResponses.quote(p.getText());
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "method":
                    method = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    break;
                case "result":
                case "error":
                    hasResult = true;
                    p.skipChildren();
                    break;
                case "params":
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String param = p.currentName();
                            JsonToken pv = p.nextToken();
                            if ("name".equals(param) && pv == JsonToken.VALUE_STRING) {
                                name = p.getText();
                            } else if ("taskId".equals(param) && pv == JsonToken.VALUE_STRING) {
                                taskId = p.getText();
                            } else if ("uri".equals(param) && pv == JsonToken.VALUE_STRING) {
                                uri = p.getText();
                            } else if ("_meta".equals(param) && pv == JsonToken.START_OBJECT) {
                                hasMeta = true;
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String key = p.currentName();
                                    JsonToken mv = p.nextToken();
                                    if (META_PROTOCOL_VERSION.equals(key) && mv == JsonToken.VALUE_STRING) {
                                        version = p.getText();
                                    } else {
                                        hasCapabilities |= META_CLIENT_CAPABILITIES.equals(key) && mv == JsonToken.START_OBJECT;
                                        p.skipChildren();
                                    }
                                }
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
            }
        }
        Kind kind = method != null ? (hasId ? Kind.REQUEST : Kind.NOTIFICATION)
                : hasResult ? Kind.RESPONSE : Kind.UNREADABLE;
        if (kind == Kind.UNREADABLE && hasId) {
            kind = Kind.REQUEST; // an invalid request with an id: the protocol layer answers it
        }
        String named = name != null ? name : uri != null ? uri : taskId;
        return new HttpEnvelope(kind, method, named, version, false, idJson, hasMeta, hasCapabilities);
    }
}
