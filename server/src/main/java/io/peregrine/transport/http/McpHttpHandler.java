package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.util.AsciiString;
import io.peregrine.transport.EdgeRefusal;
import io.peregrine.transport.HeapCopy;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

import static io.peregrine.transport.http.HttpResponses.answer;
import static io.peregrine.transport.http.HttpResponses.refuseJson;
import static io.peregrine.transport.http.HttpResponses.refuseText;

/**
 * The MCP endpoint of the HTTP listener: Streamable HTTP for both protocol eras on one path, and
 * the routing of each request that reaches it.
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
 * A request passes through here once: it is refused with the status and message the transport
 * rules give, written like any handler's answer, or handed to an {@link HttpExchange}, which alone
 * answers it from then on; the requests of 2025-era sessions go on to {@link SessionRequests}.
 * {@link HttpResponseOrder}, ahead in the pipeline, sends the answers of one connection in
 * request order. WebSocket upgrades at the MCP path pass on down the pipeline.
 */
final class McpHttpHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(McpHttpHandler.class);

    private static final AsciiString ALLOW_VALUE = AsciiString.cached("GET, POST, DELETE");

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int HEADER_MISMATCH = -32020;
    static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private final MessageListener listener;
    private final StreamableHttpSettings settings;
    private final SessionRequests sessionRequests;
    private final HttpProtocolVersions versions;
    /** The endpoint's open connections, closed when it closes. */
    private final Set<Channel> channels;
    private ChannelHandlerContext ctx;

    McpHttpHandler(MessageListener listener, StreamableHttpSettings settings, SessionRequests sessionRequests,
                   HttpProtocolVersions versions, Set<Channel> channels) {
        this.channels = channels;
        this.listener = listener;
        this.settings = settings;
        this.sessionRequests = sessionRequests;
        this.versions = versions;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        channels.add(ctx.channel());
    }

    /**
     * The endpoint closes the connections that speak HTTP: this one closed, or became a WebSocket
     * (whose session the core closes when it stops).
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        channels.remove(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // The connection is a WebSocket now: its handlers, behind this one, close it with the
            // status the frame decoder chose.
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof java.io.IOException || cause instanceof PrematureChannelClosureException) {
            // The client went away, or was cut off (the read timeout) in the middle of a request.
            log.debug("http connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("http connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- routing

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String path = HttpResponses.pathOf(request.uri());
        boolean upgrade = HttpMethod.GET.equals(request.method())
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        if (upgrade && path.equals(settings.path)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!path.equals(settings.path)) {
                refuseText(ctx, request, HttpResponseStatus.NOT_FOUND, upgrade
                        ? "Not found: MCP over WebSocket is served at " + settings.path + " and " + settings.path + "/ws"
                        : "Not found: the MCP endpoint is " + settings.path + " (POST for messages; GET and DELETE for "
                        + "2025-era sessions; WebSocket upgrades at " + settings.path + ")");
            } else if (HttpMethod.POST.equals(request.method())) {
                post(request);
            } else if (HttpMethod.GET.equals(request.method())) {
                get(request);
            } else if (HttpMethod.DELETE.equals(request.method())) {
                sessionRequests.delete(ctx, request);
            } else {
                FullHttpResponse r = HttpResponses.of(request.protocolVersion(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                        HttpResponses.TEXT, "Method not allowed: the MCP endpoint takes POST, GET and DELETE\n");
                r.headers().set(HttpHeaderNames.ALLOW, ALLOW_VALUE);
                answer(ctx, request, r);
            }
        } finally {
            request.release();
        }
    }

    private void post(FullHttpRequest request) {
        HttpHeaders h = request.headers();
        String contentType = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !MediaTypes.isJson(contentType)) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.INVALID_REQUEST);
            refuseJson(ctx, request, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "null", INVALID_REQUEST,
                    "Unsupported Media Type: " + (contentType == null ? "no Content-Type" : "Content-Type " + contentType)
                    + "; POST each JSON-RPC message with Content-Type: application/json", null);
            return;
        }
        String accept = h.get(HttpHeaderNames.ACCEPT);
        if (accept != null && !MediaTypes.acceptsJsonAndEventStream(accept)) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.INVALID_REQUEST);
            refuseJson(ctx, request, HttpResponseStatus.NOT_ACCEPTABLE, "null", INVALID_REQUEST, "Not Acceptable: Accept: "
                    + accept + "; the client must accept both application/json and text/event-stream", null);
            return;
        }
        ByteBuf body = request.content();
        if (!body.isReadable()) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.PARSE_ERROR);
            refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, "null", PARSE_ERROR,
                    "Parse error: the request body is empty", null);
            return;
        }
        // The protocol layer reads messages from heap buffers it owns: copied once, peeked at here,
        // then handed on.
        ByteBuf message = HeapCopy.of(ctx.alloc(), body);
        try {
            post(request, message);
        } finally {
            message.release();
        }
    }

    /**
     * Handles a POST whose body is {@code message}, read once: by the protocol layer when it reads
     * ahead, else peeked at here. The exchange it is handed to retains it.
     */
    private void post(FullHttpRequest request, ByteBuf message) {
        MessageListener.Decoded decoded = listener.decode(message);
        HttpEnvelope envelope = decoded != null ? HttpEnvelope.of(decoded) : HttpEnvelope.peek(message);
        try {
            route(request, message, envelope);
        } finally {
            envelope.release(); // refused rather than dispatched
        }
    }

    private void route(FullHttpRequest request, ByteBuf message, HttpEnvelope envelope) {
        HttpHeaders h = request.headers();
        String headerVersion = h.get(RequestMetadata.MCP_PROTOCOL_VERSION);
        boolean stateless = (headerVersion != null && versions.isStateless(headerVersion))
                || (envelope.metaProtocolVersion != null && versions.isStateless(envelope.metaProtocolVersion));
        if (envelope.kind == HttpEnvelope.Kind.UNREADABLE) {
            // Not a message: the protocol layer says precisely what is wrong with it.
            dispatchStateless(request, message, envelope, true);
            return;
        }
        if (headerVersion != null && !versions.isKnown(headerVersion)) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.UNSUPPORTED_VERSION);
            refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, envelope.idJson(), UNSUPPORTED_PROTOCOL_VERSION,
                    "Unsupported protocol version: MCP-Protocol-Version: " + headerVersion + " (supported: "
                            + String.join(", ", versions.all()) + ")",
                    "{\"supported\":" + versions.allJson() + ",\"requested\":" + HttpResponses.quote(headerVersion) + "}");
            return;
        }
        if (stateless) {
            String missing = RequestMetadata.missingMeta(headerVersion, envelope);
            if (missing != null) {
                listener.onRefused(Transport.HTTP, EdgeRefusal.INVALID_REQUEST);
                refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, envelope.idJson(), -32602,
                        "Invalid params: " + missing + "; a " + headerVersion
                                + " request carries its protocol version and client capabilities in _meta", null);
                return;
            }
            String mismatch = RequestMetadata.mismatch(h, headerVersion, envelope);
            if (mismatch != null) {
                listener.onRefused(Transport.HTTP, EdgeRefusal.HEADER_MISMATCH);
                refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, envelope.idJson(), HEADER_MISMATCH,
                        "Header mismatch: " + mismatch, null);
                return;
            }
            dispatchStateless(request, message, envelope, envelope.isRequest());
            return;
        }
        if (!settings.sessions) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.INVALID_REQUEST);
            refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, "null", INVALID_REQUEST, "This endpoint serves only "
                    + "protocol 2026-07-28 over HTTP: give each request MCP-Protocol-Version and "
                    + "_meta[\"io.modelcontextprotocol/protocolVersion\"]", null);
            return;
        }
        boolean startsSession = envelope.kind == HttpEnvelope.Kind.REQUEST && "initialize".equals(envelope.method);
        if (h.get(HttpExchange.MCP_SESSION_ID) == null && !startsSession && (envelope.metaProtocolVersion != null
                || "server/discover".equals(envelope.method) || "ping".equals(envelope.method))) {
            // Names its version per request, or needs none: the protocol layer answers it without a session.
            dispatchStateless(request, message, envelope, envelope.isRequest());
            return;
        }
        sessionRequests.post(ctx, request, message, envelope, headerVersion);
    }

    /** Hands {@code message} to an exchange that stands alone (no session), which answers it from now on. */
    private void dispatchStateless(FullHttpRequest request, ByteBuf message, HttpEnvelope envelope, boolean expectsAnswer) {
        new HttpExchange(HttpResponseOrder.turn(ctx), ctx.channel(), listener, request, expectsAnswer, null, false,
                settings.sseKeepAliveMillis).dispatch(message, envelope);
    }


    private void get(FullHttpRequest request) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        if (accept == null || !MediaTypes.accepts(accept, "text/event-stream")) {
            refuseText(ctx, request, HttpResponseStatus.NOT_ACCEPTABLE, "Not Acceptable: a GET of the MCP endpoint opens "
                    + "an SSE stream; send Accept: text/event-stream");
            return;
        }
        String headerVersion = request.headers().get(RequestMetadata.MCP_PROTOCOL_VERSION);
        if (!settings.sessions || (headerVersion != null && versions.isStateless(headerVersion))) {
            FullHttpResponse r = HttpResponses.of(request.protocolVersion(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    HttpResponses.TEXT, "Method not allowed: protocol 2026-07-28 has no GET stream; use subscriptions/listen\n");
            r.headers().set(HttpHeaderNames.ALLOW, "POST");
            answer(ctx, request, r);
            return;
        }
        sessionRequests.get(ctx, request);
    }

}
