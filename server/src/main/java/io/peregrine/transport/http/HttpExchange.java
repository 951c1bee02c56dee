package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;

import java.net.SocketAddress;

/**
 * One HTTP exchange of the MCP endpoint — a POST carrying one JSON-RPC message, or a GET opening
 * an SSE stream — and, for a POST, the {@link Peer} its message is served through.
 *
 * <p>The answer takes the cheapest shape it can: a request answered before anything else is sent
 * for it gets a plain {@code application/json} response with a length; the first message sent
 * before the answer (progress, a log message, a request to the client) turns the response into a
 * {@code text/event-stream} that carries it, the messages after it, and finally the answer. In a
 * 2025-era session the stream is an {@link SseStream} with event ids, so a client can resume it
 * after a broken connection; in the stateless 2026-07-28 era it has none, and the client closing
 * the connection cancels the request.
 *
 * <p>{@link McpHttpHandler} routes a request here once and is done with it: from then on the
 * exchange alone answers it, in its request's {@link ResponseTurn turn}, and hears from
 * that turn when the connection closes first. State changes happen on the channel's event loop;
 * the {@link Peer} methods may be called from any thread and hop there. A little over 400 lines:
 * every shape of one answer (JSON, an SSE stream, a stream cut short) lives here, on purpose.
 */
final class HttpExchange implements Peer {

    static final AsciiString MCP_SESSION_ID = AsciiString.cached("mcp-session-id");

    private enum State { NEW, STREAMING, DONE }

    private final ResponseTurn turn;
    private final Channel channel;
    private final MessageListener listener;
    private final HttpVersion version;
    private final boolean keepAlive;
    /** Whether the body holds a request, so an answer is owed. */
    private final boolean expectsAnswer;
    /** The 2025-era session this exchange belongs to, or null (stateless, 2026-07-28). */
    private final HttpSession session;
    private final boolean primeStream;
    /** Write an SSE comment after this long without an event (0: never). */
    private final long sseKeepAliveMillis;
    private Object attachment;
    private CharSequence sessionIdHeader;
    private final HttpHeaders requestHeaders;
    private State state = State.NEW;
    private SseStream stream;
    /** The body, once the answer is an SSE stream. */
    private SseWriter sse;
    private boolean listenerOpened;
    /** The connection broke while a 2025-era stream was open: what follows is kept for resumption. */
    private boolean disconnected;

    /**
     * @param turn               where the answer goes: the request's turn on its connection
     * @param request            the request, for its protocol version and whether it keeps the connection alive
     * @param expectsAnswer      whether the body holds a request (a 202 answers the rest)
     * @param session            the 2025-era session, or null for a stateless 2026-07-28 exchange
     * @param primeStream        whether a session's stream starts with a priming event (2025-11-25 on)
     * @param sseKeepAliveMillis write an SSE comment after this long without an event (0: never)
     */
    HttpExchange(ResponseTurn turn, Channel channel, MessageListener listener, HttpRequest request,
                 boolean expectsAnswer, HttpSession session, boolean primeStream, long sseKeepAliveMillis) {
        this.turn = turn;
        this.channel = channel;
        this.listener = listener;
        this.version = request.protocolVersion();
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.expectsAnswer = expectsAnswer;
        this.session = session;
        this.primeStream = primeStream;
        this.sseKeepAliveMillis = sseKeepAliveMillis;
        // A stateless request stands alone: the protocol layer may read its headers (Mcp-Param-*).
        this.requestHeaders = session == null ? request.headers() : null;
    }

    @Override
    public String requestHeader(CharSequence name) {
        return requestHeaders == null ? null : requestHeaders.get(name);
    }

    /** Adds {@code Mcp-Session-Id} to the response (the answer to initialize). */
    void sessionIdHeader(CharSequence id) {
        this.sessionIdHeader = id;
    }

    /**
     * Hands the POSTed {@code message} to the protocol layer, which answers through this exchange;
     * a stateless exchange is a connection of its own to it, opened now.
     */
    void dispatch(ByteBuf message, HttpEnvelope envelope) {
        turn.onAbandoned(this::connectionClosed);
        if (session == null) {
            listenerOpened = true;
            listener.onOpen(this);
        }
        MessageListener.Decoded decoded = envelope.takeDecoded();
        if (decoded != null) {
            listener.onDecoded(this, decoded);
        } else {
            listener.onMessage(this, message.retain());
        }
        if (!expectsAnswer && state == State.NEW) {
            // A notification or response was accepted and nothing was said about it.
            finish(bodyless(HttpResponseStatus.ACCEPTED));
        }
    }

    /** Serves a session's standalone stream (already attached to this exchange) on this GET. */
    void serve(SseStream standalone) {
        turn.onAbandoned(this::connectionClosed);
        this.stream = standalone;
        startStream(true);
    }

    /** Resumes {@code broken} on this GET: the events after {@code afterSeq}, then the rest as they come. */
    void resume(SseStream broken, long afterSeq) {
        turn.onAbandoned(this::connectionClosed);
        this.stream = broken;
        startStream(true);
        broken.resume(this, afterSeq);
    }

    // ---------------------------------------------------------------- Peer

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public void send(ByteBuf message) {
        if (channel.eventLoop().inEventLoop()) {
            related(message);
        } else {
            channel.eventLoop().execute(() -> related(message));
        }
    }

    @Override
    public void respond(ByteBuf response, Outcome outcome) {
        if (channel.eventLoop().inEventLoop()) {
            answer(response, outcome);
        } else {
            channel.eventLoop().execute(() -> answer(response, outcome));
        }
    }

    @Override
    public void respondNothing() {
        onEventLoop(() -> answer(null, Outcome.RESULT));
    }

    @Override
    public void pauseReading(boolean paused) {
        onEventLoop(() -> turn.pauseReading(paused));
    }

    private void onEventLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    @Override
    public Object attachment() {
        return session != null ? session.attachment() : attachment;
    }

    @Override
    public void attach(Object attachment) {
        if (session != null) {
            session.attach(attachment);
        } else {
            this.attachment = attachment;
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public io.peregrine.transport.Transport transport() {
        return io.peregrine.transport.Transport.HTTP;
    }

    /** The principal the listener authenticated this request's {@code Authorization} header as, or null. */
    @Override
    public io.peregrine.policy.Principal principal() {
        return channel.attr(io.peregrine.transport.PeerHandler.PRINCIPAL).get();
    }

    @Override
    public boolean isOpen() {
        return state != State.DONE && channel.isActive();
    }

    @Override
    public Future<?> close() {
        respondNothing();
        return channel.closeFuture();
    }

    // ---------------------------------------------------------------- output (event loop)

    private void related(ByteBuf message) {
        if (state == State.DONE) {
            if (disconnected && stream != null) {
                stream.emit(ByteBufUtil.getBytes(message), false);
            } else if (session != null) {
                // The request's own stream has ended (it was cancelled): what still concerns it,
                // such as a withdrawn question, goes to the session's stream rather than nowhere.
                session.send(message);
                return;
            }
            message.release();
            return;
        }
        if (state == State.NEW) {
            startStream(false);
        }
        emit(message, false);
    }

    /** Ends the exchange with {@code response} (null: none), whose status and headers {@code outcome} decides. */
    private void answer(ByteBuf response, Outcome outcome) {
        if (state == State.DONE) {
            if (disconnected && stream != null) {
                stream.emit(response == null ? null : ByteBufUtil.getBytes(response), true);
            }
            if (response != null) {
                response.release();
            }
            return;
        }
        if (state == State.STREAMING) {
            if (response != null) {
                emit(response, true);
            } else if (stream != null) {
                stream.emit(null, true);
            } else {
                writeEvent(null, null, true);
            }
            return;
        }
        if (response == null) {
            // A request cancelled before its answer, or only notifications and responses: nothing to say.
            finish(bodyless(expectsAnswer ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.ACCEPTED));
            return;
        }
        // An exchange without a session is stateless (2026-07-28, or a 2025 request that needs none).
        HttpResponseStatus status = HttpStatusTable.status(outcome, session == null, expectsAnswer);
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, response);
        HttpHeaders h = r.headers();
        HttpStatusTable.addHeaders(outcome, h);
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, response.readableBytes());
        addCommonHeaders(h);
        finish(r);
    }

    private FullHttpResponse bodyless(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(version, status, Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        addCommonHeaders(r.headers());
        return r;
    }

    private void addCommonHeaders(HttpHeaders h) {
        if (sessionIdHeader != null) {
            h.set(MCP_SESSION_ID, sessionIdHeader);
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version == HttpVersion.HTTP_1_0) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Starts an SSE response: for a POST whose answer is preceded by other messages, or for a GET (flushed at once). */
    private void startStream(boolean flush) {
        HttpResponse r = SseWriter.head(version);
        addCommonHeaders(r.headers());
        if (version == HttpVersion.HTTP_1_0) {
            // No chunks in HTTP/1.0: the stream ends when the connection does.
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        state = State.STREAMING;
        if (flush) {
            turn.writeAndFlush(r);
        } else {
            turn.write(r);
        }
        sse = new SseWriter(turn, channel, sseKeepAliveMillis);
        if (session != null && stream == null) {
            stream = session.newStream();
            stream.attach(this);
            if (primeStream) {
                stream.emit(new byte[0], false);
            }
        }
    }

    private void emit(ByteBuf message, boolean last) {
        if (stream != null) {
            byte[] data = ByteBufUtil.getBytes(message);
            message.release();
            stream.emit(data, last);
        } else {
            writeEventBuf(null, message, last);
        }
    }

    /** Writes one SSE event (from any thread); null data writes none; {@code last} ends the response after it. */
    void writeEvent(String id, byte[] data, boolean last) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> writeEvent(id, data, last));
            return;
        }
        writeEventBuf(id, data == null ? null : Unpooled.wrappedBuffer(data), last);
    }

    private void writeEventBuf(String id, ByteBuf data, boolean last) {
        if (state != State.STREAMING) {
            if (data != null) {
                data.release();
            }
            return;
        }
        if (data != null || id != null) {
            sse.event(id, data, !last);
        }
        if (last) {
            finish(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** Writes the last of the answer (the orderer flushes it); the exchange is done. */
    private void finish(Object last) {
        state = State.DONE;
        if (sse != null) {
            sse.stop();
        }
        if (stream != null) {
            stream.detach(this);
        }
        turn.write(last);
        closeForListener();
    }

    /** The connection closed before this exchange's answer was written. */
    private void connectionClosed() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        disconnected = true;
        if (sse != null) {
            sse.stop();
        }
        if (stream != null) {
            // 2025 era: a broken connection is not a cancellation; the stream waits to be resumed.
            stream.detach(this);
        }
        closeForListener();
    }

    private void closeForListener() {
        if (listenerOpened) {
            listenerOpened = false;
            listener.onClose(this);
        }
    }

    @Override
    public String toString() {
        return "http:" + channel.remoteAddress();
    }
}
