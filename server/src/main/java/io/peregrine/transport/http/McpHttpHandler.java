package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.MessageListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The MCP endpoint of the HTTP listener: Streamable HTTP for both protocol eras on one path.
 *
 * <ul>
 *   <li>2026-07-28 (a request whose {@code MCP-Protocol-Version} or {@code _meta} names it): each
 *       POST stands alone; {@code MCP-Protocol-Version}, {@code Mcp-Method} and {@code Mcp-Name}
 *       must match the body (400 and -32020 otherwise); closing the connection cancels the call.</li>
 *   <li>2025 revisions: {@code initialize} starts a session and its answer carries
 *       {@code Mcp-Session-Id}, which every later request must carry (400 without it, 404 once the
 *       session is unknown or ended); GET opens the session's stream for unsolicited messages, or
 *       resumes a broken one from {@code Last-Event-ID}; DELETE ends the session.</li>
 * </ul>
 *
 * Notifications and responses are answered 202 once accepted. Requests on one connection are
 * answered in order (HTTP/1.1 pipelining): an exchange whose answer is ready while one ahead of it
 * is still running waits, holding its output, for its turn. WebSocket upgrades pass on down the
 * pipeline.
 */
final class McpHttpHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(McpHttpHandler.class);

    static final AsciiString MCP_PROTOCOL_VERSION = AsciiString.cached("mcp-protocol-version");
    static final AsciiString MCP_METHOD = AsciiString.cached("mcp-method");
    static final AsciiString MCP_NAME = AsciiString.cached("mcp-name");
    private static final AsciiString LAST_EVENT_ID = AsciiString.cached("last-event-id");
    private static final AsciiString ALLOW_VALUE = AsciiString.cached("GET, POST, DELETE");
    /** The methods whose {@code Mcp-Name} mirrors {@code params.name}, {@code params.uri} or {@code params.taskId}. */
    private static final Set<String> NAMED_METHODS = Set.of("tools/call", "resources/read", "prompts/get",
            "tasks/get", "tasks/update", "tasks/cancel");

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int HEADER_MISMATCH = -32020;
    static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private final MessageListener listener;
    private final StreamableHttpSettings settings;
    private final HttpSessions sessions;
    private final HttpProtocolVersions versions;
    private final ArrayDeque<HttpExchange> exchanges = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private boolean inRead;
    private boolean flushPending;

    private final java.util.Set<io.netty.channel.Channel> channels;

    McpHttpHandler(MessageListener listener, StreamableHttpSettings settings, HttpSessions sessions,
                   HttpProtocolVersions versions, java.util.Set<io.netty.channel.Channel> channels) {
        this.channels = channels;
        this.listener = listener;
        this.settings = settings;
        this.sessions = sessions;
        this.versions = versions;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        channels.add(ctx.channel());
    }

    long sseKeepAliveMillis() {
        return settings.sseKeepAliveMillis;
    }

    // ---------------------------------------------------------------- routing

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String path = pathOf(request.uri());
        HttpHeaders headers = request.headers();
        if (HttpMethod.GET.equals(request.method()) && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!path.equals(settings.path)) {
                plain(request, HttpResponseStatus.NOT_FOUND, "Not found: the MCP endpoint is " + settings.path
                        + " (POST for messages; GET and DELETE for 2025-era sessions; WebSocket upgrades at " + settings.path + ")");
            } else if (HttpMethod.POST.equals(request.method())) {
                post(request);
            } else if (HttpMethod.GET.equals(request.method())) {
                get(request);
            } else if (HttpMethod.DELETE.equals(request.method())) {
                delete(request);
            } else {
                FullHttpResponse r = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                        "Method not allowed: the MCP endpoint takes POST, GET and DELETE\n");
                r.headers().set(HttpHeaderNames.ALLOW, ALLOW_VALUE);
                send(request, r);
            }
        } finally {
            request.release();
        }
    }

    private void post(FullHttpRequest request) {
        HttpHeaders h = request.headers();
        String contentType = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !mediaType(contentType).equals("application/json")) {
            jsonError(request, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_REQUEST, "Unsupported Media Type: "
                    + (contentType == null ? "no Content-Type" : "Content-Type " + contentType)
                    + "; POST each JSON-RPC message with Content-Type: application/json", null);
            return;
        }
        String accept = h.get(HttpHeaderNames.ACCEPT);
        if (accept != null && !(accepts(accept, "application/json") && accepts(accept, "text/event-stream"))) {
            jsonError(request, HttpResponseStatus.NOT_ACCEPTABLE, INVALID_REQUEST, "Not Acceptable: Accept: " + accept
                    + "; the client must accept both application/json and text/event-stream", null);
            return;
        }
        ByteBuf body = request.content();
        if (!body.isReadable()) {
            jsonError(request, HttpResponseStatus.BAD_REQUEST, PARSE_ERROR, "Parse error: the request body is empty", null);
            return;
        }
        // The protocol layer reads messages from heap buffers it owns: copied once, peeked at here,
        // then handed on.
        ByteBuf message = ctx.alloc().heapBuffer(body.readableBytes());
        message.writeBytes(body);
        try {
            post(request, message);
        } finally {
            message.release();
        }
    }

    /** Handles a POST whose body is {@code message}; retains it when it is handed on. */
    private void post(FullHttpRequest request, ByteBuf message) {
        HttpHeaders h = request.headers();
        HttpEnvelope envelope = HttpEnvelope.peek(message);
        String headerVersion = h.get(MCP_PROTOCOL_VERSION);
        boolean modern = (headerVersion != null && versions.isModern(headerVersion))
                || (envelope.metaProtocolVersion != null && versions.isModern(envelope.metaProtocolVersion));
        if (envelope.kind == HttpEnvelope.Kind.UNREADABLE) {
            // Not a message: the protocol layer says precisely what is wrong with it.
            dispatchStateless(request, message, true);
            return;
        }
        if (headerVersion != null && !versions.isKnown(headerVersion)) {
            jsonError(request, envelope.idJson, HttpResponseStatus.BAD_REQUEST, UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version: "
                    + "MCP-Protocol-Version: " + headerVersion + " (supported: " + String.join(", ", versions.all()) + ")",
                    "{\"supported\":" + versions.allJson() + ",\"requested\":" + quote(headerVersion) + "}");
            return;
        }
        if (modern) {
            String missing = headerVersion == null || envelope.kind != HttpEnvelope.Kind.REQUEST ? null
                    : !envelope.hasMeta ? "params._meta is missing"
                    : envelope.metaProtocolVersion == null ? "_meta[\"io.modelcontextprotocol/protocolVersion\"] is missing"
                    : !envelope.metaHasClientCapabilities ? "_meta[\"io.modelcontextprotocol/clientCapabilities\"] is missing"
                    : null;
            if (missing != null) {
                jsonError(request, envelope.idJson, HttpResponseStatus.BAD_REQUEST, -32602, "Invalid params: " + missing
                        + "; a " + headerVersion + " request carries its protocol version and client capabilities in _meta", null);
                return;
            }
            String mismatch = headerMismatch(h, headerVersion, envelope);
            if (mismatch != null) {
                jsonError(request, envelope.idJson, HttpResponseStatus.BAD_REQUEST, HEADER_MISMATCH, "Header mismatch: " + mismatch, null);
                return;
            }
            dispatchStateless(request, message, envelope.isRequest());
            return;
        }
        postLegacy(request, message, envelope, headerVersion);
    }

    private void postLegacy(FullHttpRequest request, ByteBuf message, HttpEnvelope envelope, String headerVersion) {
        if (!settings.sessions) {
            jsonError(request, HttpResponseStatus.BAD_REQUEST, INVALID_REQUEST, "This endpoint serves only protocol "
                    + "2026-07-28 over HTTP: give each request MCP-Protocol-Version and _meta[\"io.modelcontextprotocol/protocolVersion\"]", null);
            return;
        }
        String sessionId = request.headers().get(HttpExchange.MCP_SESSION_ID);
        if (sessionId == null) {
            if (envelope.kind == HttpEnvelope.Kind.REQUEST && "initialize".equals(envelope.method)) {
                startSession(request, message);
                return;
            }
            if (envelope.metaProtocolVersion != null || "server/discover".equals(envelope.method)
                    || "ping".equals(envelope.method)) {
                // Names its version per request, or needs none: the protocol layer answers it without a session.
                dispatchStateless(request, message, envelope.isRequest());
                return;
            }
            jsonError(request, envelope.idJson, HttpResponseStatus.BAD_REQUEST, INVALID_REQUEST, "Not initialized: no "
                    + "Mcp-Session-Id header; send initialize first and repeat the Mcp-Session-Id of its answer on every "
                    + "request (2025 revisions), or give each request MCP-Protocol-Version: 2026-07-28 and its _meta (no session)", null);
            return;
        }
        HttpSession session = sessions.get(sessionId);
        if (session == null) {
            jsonError(request, envelope.idJson, HttpResponseStatus.NOT_FOUND, INVALID_REQUEST, "Session not found: Mcp-Session-Id "
                    + abbreviate(sessionId) + " is unknown or has ended; start a new session with initialize", null);
            return;
        }
        if (session.isSaturated() && envelope.isRequest()) {
            FullHttpResponse r = response(request, HttpResponseStatus.TOO_MANY_REQUESTS, HttpHeaderValues.APPLICATION_JSON,
                    "{\"jsonrpc\":\"2.0\",\"id\":" + envelope.idJson + ",\"error\":{\"code\":-31000,\"message\":"
                            + quote("Too many requests in flight for this session (connection.max-in-flight); retry when one finishes")
                            + ",\"data\":{\"retryAfterMs\":100}}}");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            send(request, r);
            return;
        }
        if (headerVersion != null) {
            if (versions.isModern(headerVersion)) {
                jsonError(request, HttpResponseStatus.BAD_REQUEST, UNSUPPORTED_PROTOCOL_VERSION,
                        "MCP-Protocol-Version " + headerVersion + " is served without a session", null);
                return;
            }
            session.protocolVersion(headerVersion);
        }
        HttpExchange exchange = new HttpExchange(this, ctx.channel(), listener, request.protocolVersion(),
                HttpUtil.isKeepAlive(request), envelope.isRequest(), session, primes(session.protocolVersion()));
        exchanges.add(exchange);
        dispatch(exchange, message, envelope.isRequest());
    }

    private void startSession(FullHttpRequest request, ByteBuf message) {
        HttpSession session = sessions.create(ctx.executor(), ctx.alloc(), ctx.channel().remoteAddress());
        if (session == null) {
            jsonError(request, HttpResponseStatus.SERVICE_UNAVAILABLE, INVALID_REQUEST, "Too many sessions: "
                    + settings.maxSessions + " are open (http.max-sessions); retry later or use protocol 2026-07-28, which needs none", null);
            return;
        }
        listener.onOpen(session);
        HttpExchange exchange = new HttpExchange(this, ctx.channel(), listener, request.protocolVersion(),
                HttpUtil.isKeepAlive(request), true, session, false);
        exchange.sessionIdHeader(session.id);
        exchanges.add(exchange);
        dispatch(exchange, message, true);
    }

    private void dispatchStateless(FullHttpRequest request, ByteBuf message, boolean expectsAnswer) {
        HttpExchange exchange = new HttpExchange(this, ctx.channel(), listener, request.protocolVersion(),
                HttpUtil.isKeepAlive(request), expectsAnswer, null, false);
        exchange.requestHeaders(request.headers());
        exchanges.add(exchange);
        exchange.openForListener();
        dispatch(exchange, message, expectsAnswer);
    }

    private void dispatch(HttpExchange exchange, ByteBuf message, boolean expectsAnswer) {
        listener.onMessage(exchange, message.retain());
        if (!expectsAnswer) {
            exchange.acceptedIfSilent();
        }
    }

    private void get(FullHttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        if (accept == null || !accepts(accept, "text/event-stream")) {
            plain(request, HttpResponseStatus.NOT_ACCEPTABLE, "Not Acceptable: a GET of the MCP endpoint opens an SSE "
                    + "stream; send Accept: text/event-stream");
            return;
        }
        String headerVersion = request.headers().get(MCP_PROTOCOL_VERSION);
        if (!settings.sessions || (headerVersion != null && versions.isModern(headerVersion))) {
            FullHttpResponse r = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "Method not allowed: protocol 2026-07-28 has no GET stream; use subscriptions/listen\n");
            r.headers().set(HttpHeaderNames.ALLOW, "POST");
            send(request, r);
            return;
        }
        HttpSession session = session(request);
        if (session == null) {
            return;
        }
        HttpExchange exchange = new HttpExchange(this, ctx.channel(), listener, request.protocolVersion(),
                HttpUtil.isKeepAlive(request), false, session, false);
        String lastEventId = request.headers().get(LAST_EVENT_ID);
        if (lastEventId != null) {
            long[] parsed = SseStream.parseEventId(lastEventId);
            SseStream stream = parsed == null ? null : session.stream((int) parsed[0]);
            if (stream == null) {
                plain(request, HttpResponseStatus.NOT_FOUND, "Not found: Last-Event-ID " + lastEventId
                        + " names no stream of this session that can still be resumed");
                return;
            }
            exchanges.add(exchange);
            exchange.streamFor(stream);
            exchange.startStream(HttpResponseStatus.OK);
            stream.resume(exchange, parsed[1]);
            flushIfOutsideRead();
            return;
        }
        SseStream standalone = session.openStandalone(exchange);
        if (standalone == null) {
            plain(request, HttpResponseStatus.CONFLICT, "Conflict: this session already has its GET stream open; "
                    + "a session has one, so that no message is delivered twice");
            return;
        }
        exchanges.add(exchange);
        exchange.streamFor(standalone);
        exchange.startStream(HttpResponseStatus.OK);
        flushIfOutsideRead();
    }

    private void delete(FullHttpRequest request) {
        HttpSession session = session(request);
        if (session == null) {
            return;
        }
        session.close();
        FullHttpResponse r = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        send(request, r);
    }

    /** The session a GET or DELETE names; answers 400 or 404 itself and returns null when there is none. */
    private HttpSession session(FullHttpRequest request) {
        String id = request.headers().get(HttpExchange.MCP_SESSION_ID);
        if (id == null) {
            plain(request, HttpResponseStatus.BAD_REQUEST, "Bad Request: no Mcp-Session-Id header; "
                    + request.method() + " applies to a session started by initialize");
            return null;
        }
        HttpSession session = sessions.get(id);
        if (session == null) {
            plain(request, HttpResponseStatus.NOT_FOUND, "Session not found: Mcp-Session-Id " + abbreviate(id)
                    + " is unknown or has ended; start a new session with initialize");
        }
        return session;
    }

    /** Checks the request metadata headers of 2026-07-28 against the body; a description of the first mismatch, or null. */
    private static String headerMismatch(HttpHeaders h, String headerVersion, HttpEnvelope e) {
        if (headerVersion == null) {
            return "the MCP-Protocol-Version header is required (expected: " + e.metaProtocolVersion + ")";
        }
        if (e.metaProtocolVersion != null && !headerVersion.equals(e.metaProtocolVersion)) {
            return "MCP-Protocol-Version header value '" + headerVersion + "' does not match body value '"
                    + e.metaProtocolVersion + "'";
        }
        if (e.kind == HttpEnvelope.Kind.BATCH || e.method == null) {
            return null;
        }
        String method = h.get(MCP_METHOD);
        if (method == null) {
            return "the Mcp-Method header is required (expected: " + e.method + ")";
        }
        if (!method.equals(e.method)) {
            return "Mcp-Method header value '" + method + "' does not match body value '" + e.method + "'";
        }
        if (NAMED_METHODS.contains(e.method)) {
            String raw = h.get(MCP_NAME);
            if (raw == null) {
                return "the Mcp-Name header is required for " + e.method + (e.name != null ? " (expected: " + e.name + ")" : "");
            }
            String name = HeaderValues.decode(raw);
            if (name == null) {
                return "Mcp-Name header value '" + raw + "' is not valid base64 inside =?base64?...?=";
            }
            if (e.name != null && !name.equals(e.name)) {
                return "Mcp-Name header value '" + name + "' does not match body value '" + e.name + "'";
            }
        }
        return null;
    }

    private static boolean primes(String version) {
        return version != null && version.compareTo("2025-11-25") >= 0;
    }

    // ---------------------------------------------------------------- output, in request order

    /** Writes for {@code exchange}: at once when it is first in line, otherwise held until its turn. */
    void write(HttpExchange exchange, Object msg, boolean flush) {
        if (exchanges.peekFirst() != exchange) {
            if (!exchanges.contains(exchange)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (exchange.held == null) {
                exchange.held = new ArrayList<>(2);
            }
            exchange.held.add(msg);
            return;
        }
        writeNow(exchange, msg, flush);
    }

    private void writeNow(HttpExchange exchange, Object msg, boolean flush) {
        boolean last = msg instanceof LastHttpContent;
        if (last && !exchange.keepAlive) {
            ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
        if (flush || last) {
            if (inRead) {
                flushPending = true;
            } else {
                ctx.flush();
            }
        }
    }

    /** {@code exchange} wrote its last; the next in line may write what it holds. */
    void finished(HttpExchange exchange) {
        if (exchanges.peekFirst() != exchange) {
            return;
        }
        exchanges.pollFirst();
        HttpExchange next;
        while ((next = exchanges.peekFirst()) != null) {
            if (next.held != null) {
                List<Object> held = next.held;
                next.held = null;
                for (Object o : held) {
                    writeNow(next, o, true);
                }
            }
            if (!next.isDone()) {
                break;
            }
            exchanges.pollFirst();
        }
    }

    void pauseReading(HttpExchange exchange, boolean paused) {
        ctx.channel().config().setAutoRead(!paused);
    }

    private void flushIfOutsideRead() {
        if (!inRead) {
            ctx.flush();
        } else {
            flushPending = true;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == io.netty.handler.timeout.IdleState.ALL_IDLE) {
            if (!exchanges.isEmpty()) {
                return;
            }
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        channels.remove(ctx.channel());
        HttpExchange e;
        while ((e = exchanges.pollFirst()) != null) {
            if (e.held != null) {
                e.held.forEach(ReferenceCountUtil::release);
                e.held = null;
            }
            e.connectionClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("http connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("http connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- plain answers

    private void plain(FullHttpRequest request, HttpResponseStatus status, String text) {
        send(request, response(request, status, "text/plain; charset=utf-8", text + "\n"));
    }

    /** An answer with a JSON-RPC error without id, as the transport rules allow for refused messages. */
    private void jsonError(FullHttpRequest request, HttpResponseStatus status, int code, String message, String dataJson) {
        jsonError(request, "null", status, code, message, dataJson);
    }

    /** An answer with a JSON-RPC error for the request with id {@code idJson} (JSON text), refused before it was read. */
    private void jsonError(FullHttpRequest request, String idJson, HttpResponseStatus status, int code, String message,
                           String dataJson) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"error\":{\"code\":" + code + ",\"message\":" + quote(message)
                + (dataJson != null ? ",\"data\":" + dataJson : "") + "}}";
        send(request, response(request, status, HttpHeaderValues.APPLICATION_JSON, body));
    }

    private FullHttpResponse response(FullHttpRequest request, HttpResponseStatus status, CharSequence type, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    /** Sends a transport-level answer in its turn: it is an exchange of its own that is already done. */
    private void send(FullHttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && response.status().code() < 500;
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        HttpExchange done = new HttpExchange(this, ctx.channel(), listener, request.protocolVersion(), keepAlive,
                false, null, false);
        exchanges.add(done);
        done.finishWith(response);
    }

    static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query >= 0 ? uri.substring(0, query) : uri;
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    /** Whether an Accept header admits {@code type} ({@code type/sub}, {@code type/*} or {@code * /*}). */
    static boolean accepts(String accept, String type) {
        String main = type.substring(0, type.indexOf('/'));
        for (String part : accept.split(",")) {
            String media = mediaType(part);
            if (media.equals(type) || media.equals("*/*") || media.equals(main + "/*")) {
                return !part.replace(" ", "").contains(";q=0") || part.replace(" ", "").matches(".*;q=0\\.\\d*[1-9].*");
            }
        }
        return false;
    }

    private static String abbreviate(String id) {
        return id.length() > 12 ? id.substring(0, 8) + "..." : id;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
