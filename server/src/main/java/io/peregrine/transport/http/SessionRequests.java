package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.peregrine.transport.EdgeRefusal;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Transport;

import static io.peregrine.transport.http.HttpResponses.answer;
import static io.peregrine.transport.http.HttpResponses.refuseJson;
import static io.peregrine.transport.http.HttpResponses.refuseText;

/**
 * The requests of 2025-era sessions, routed here by {@link McpHttpHandler}: {@code initialize}
 * starts a session, whose answer carries {@code Mcp-Session-Id}; later POSTs name it (404 once it
 * is unknown or has ended, 429 while it has too many requests in flight); a GET opens its
 * standalone stream, or resumes a broken stream from {@code Last-Event-ID}; DELETE ends it. Each
 * request is refused here or handed to an {@link HttpExchange}. One per endpoint; each call runs
 * on its request's event loop.
 */
final class SessionRequests {

    private static final AsciiString LAST_EVENT_ID = AsciiString.cached("last-event-id");
    private static final int INVALID_REQUEST = -32600;
    private static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;
    private static final int TOO_MANY_REQUESTS = -31000;

    private final MessageListener listener;
    private final StreamableHttpSettings settings;
    private final HttpSessions sessions;
    private final HttpProtocolVersions versions;

    SessionRequests(MessageListener listener, StreamableHttpSettings settings, HttpSessions sessions,
                    HttpProtocolVersions versions) {
        this.listener = listener;
        this.settings = settings;
        this.sessions = sessions;
        this.versions = versions;
    }

    /** A POST of {@code message} in a session, or an {@code initialize} that starts one. */
    void post(ChannelHandlerContext ctx, FullHttpRequest request, ByteBuf message, HttpEnvelope envelope,
              String headerVersion) {
        String sessionId = request.headers().get(HttpExchange.MCP_SESSION_ID);
        if (sessionId == null) {
            if (envelope.kind == HttpEnvelope.Kind.REQUEST && "initialize".equals(envelope.method)) {
                start(ctx, request, message, envelope);
                return;
            }
            listener.onRefused(Transport.HTTP, EdgeRefusal.INVALID_REQUEST);
            refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, envelope.idJson(), INVALID_REQUEST,
                    "Not initialized: no Mcp-Session-Id header; send initialize first and repeat the Mcp-Session-Id of "
                    + "its answer on every request (2025 revisions), or give each request MCP-Protocol-Version: "
                    + "2026-07-28 and its _meta (no session)", null);
            return;
        }
        HttpSession session = sessions.get(sessionId, ctx.executor(), ctx.alloc(), ctx.channel().remoteAddress());
        if (session == null) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.SESSION_NOT_FOUND);
            refuseJson(ctx, request, HttpResponseStatus.NOT_FOUND, envelope.idJson(), INVALID_REQUEST,
                    "Session not found: Mcp-Session-Id " + abbreviate(sessionId)
                            + " is unknown or has ended; start a new session with initialize", null);
            return;
        }
        if (session.isSaturated() && envelope.isRequest()) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.OVERLOADED);
            FullHttpResponse r = HttpResponses.of(request.protocolVersion(), HttpResponseStatus.TOO_MANY_REQUESTS,
                    HttpHeaderValues.APPLICATION_JSON, HttpResponses.jsonRpcError(envelope.idJson(), TOO_MANY_REQUESTS,
                            "Too many requests in flight for this session (connection.max-in-flight); retry when one finishes",
                            "{\"retryAfterMs\":100}"));
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            answer(ctx, request, r);
            return;
        }
        if (headerVersion != null) {
            if (versions.isStateless(headerVersion)) {
                listener.onRefused(Transport.HTTP, EdgeRefusal.UNSUPPORTED_VERSION);
                refuseJson(ctx, request, HttpResponseStatus.BAD_REQUEST, "null", UNSUPPORTED_PROTOCOL_VERSION,
                        "MCP-Protocol-Version " + headerVersion + " is served without a session", null);
                return;
            }
            session.protocolVersion(headerVersion);
        }
        exchange(ctx, request, envelope.isRequest(), session, primes(session.protocolVersion())).dispatch(message, envelope);
    }

    private void start(ChannelHandlerContext ctx, FullHttpRequest request, ByteBuf message, HttpEnvelope envelope) {
        HttpSession session = sessions.create(ctx.executor(), ctx.alloc(), ctx.channel().remoteAddress(), message);
        if (session == null) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.OVERLOADED);
            refuseJson(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "null", INVALID_REQUEST, "Too many sessions: "
                    + settings.maxSessions + " are open (http.max-sessions); retry later or use protocol 2026-07-28, "
                    + "which needs none", null);
            return;
        }
        listener.onOpen(session);
        HttpExchange exchange = exchange(ctx, request, true, session, false);
        exchange.sessionIdHeader(session.id);
        exchange.dispatch(message, envelope);
    }

    /** A GET that accepts an event stream: the session's standalone stream, or a resumption. */
    void get(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpSession session = session(ctx, request);
        if (session == null) {
            return;
        }
        HttpExchange exchange = exchange(ctx, request, false, session, false);
        String lastEventId = request.headers().get(LAST_EVENT_ID);
        if (lastEventId != null) {
            long[] parsed = SseStream.parseEventId(lastEventId);
            SseStream stream = parsed == null ? null : session.stream((int) parsed[0]);
            if (stream == null) {
                refuseText(ctx, request, HttpResponseStatus.NOT_FOUND, "Not found: Last-Event-ID " + lastEventId
                        + " names no stream of this session that can still be resumed");
                return;
            }
            if (!stream.canResumeAfter(parsed[1])) {
                refuseText(ctx, request, HttpResponseStatus.NOT_FOUND, "Not found: the events after Last-Event-ID "
                        + lastEventId + " are no longer kept (http.replay-events: " + settings.replayEvents
                        + "); the stream cannot be resumed without a gap");
                return;
            }
            exchange.resume(stream, parsed[1]);
            return;
        }
        SseStream standalone = session.openStandalone(exchange);
        if (standalone == null) {
            refuseText(ctx, request, HttpResponseStatus.CONFLICT, "Conflict: this session already has its GET stream open; "
                    + "a session has one, so that no message is delivered twice");
            return;
        }
        exchange.serve(standalone);
        session.deliverEarly(standalone);
    }

    void delete(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpSession session = session(ctx, request);
        if (session == null) {
            return;
        }
        sessions.delete(session);
        FullHttpResponse r = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        answer(ctx, request, r);
    }

    /** The session a GET or DELETE names; answers 400 or 404 itself and returns null when there is none. */
    private HttpSession session(ChannelHandlerContext ctx, FullHttpRequest request) {
        String id = request.headers().get(HttpExchange.MCP_SESSION_ID);
        if (id == null) {
            refuseText(ctx, request, HttpResponseStatus.BAD_REQUEST, "Bad Request: no Mcp-Session-Id header; "
                    + request.method() + " applies to a session started by initialize");
            return null;
        }
        HttpSession session = sessions.get(id, ctx.executor(), ctx.alloc(), ctx.channel().remoteAddress());
        if (session == null) {
            listener.onRefused(Transport.HTTP, EdgeRefusal.SESSION_NOT_FOUND);
            refuseText(ctx, request, HttpResponseStatus.NOT_FOUND, "Session not found: Mcp-Session-Id " + abbreviate(id)
                    + " is unknown or has ended; start a new session with initialize");
        }
        return session;
    }

    /** The exchange that answers {@code request} from now on, in the request's turn. */
    private HttpExchange exchange(ChannelHandlerContext ctx, FullHttpRequest request, boolean expectsAnswer,
                                  HttpSession session, boolean primeStream) {
        return new HttpExchange(HttpResponseOrder.turn(ctx), ctx.channel(), listener, request, expectsAnswer, session,
                primeStream, settings.sseKeepAliveMillis);
    }

    /** Whether a session's streams start with a priming event (an id and no data): from 2025-11-25 on. */
    private static boolean primes(String version) {
        return version != null && version.compareTo("2025-11-25") >= 0;
    }

    private static String abbreviate(String id) {
        return id.length() > 12 ? id.substring(0, 8) + "..." : id;
    }
}
