package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

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
 * <p>State changes happen on the channel's event loop; the {@link Peer} methods may be called
 * from any thread and hop there.
 */
final class HttpExchange implements Peer {

    private static final AsciiString TEXT_EVENT_STREAM = AsciiString.cached("text/event-stream");
    private static final AsciiString NO_CACHE = AsciiString.cached("no-cache");
    private static final AsciiString X_ACCEL_BUFFERING = AsciiString.cached("x-accel-buffering");
    private static final AsciiString NO = AsciiString.cached("no");
    static final AsciiString MCP_SESSION_ID = AsciiString.cached("mcp-session-id");
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private enum State { NEW, STREAMING, DONE }

    private final McpHttpHandler handler;
    private final Channel channel;
    private final MessageListener listener;
    final HttpVersion version;
    final boolean keepAlive;
    /** Whether the body holds a request, so an answer is owed. */
    private final boolean expectsAnswer;
    /** The 2025-era session this exchange belongs to, or null (stateless, 2026-07-28). */
    private final HttpSession session;
    private final boolean primeStream;
    private Object attachment;
    private CharSequence sessionIdHeader;
    private io.netty.handler.codec.http.HttpHeaders requestHeaders;
    private State state = State.NEW;
    private SseStream stream;
    private ScheduledFuture<?> keepAliveTask;
    private boolean wroteSinceTick;
    private boolean listenerOpened;
    /** The connection broke while a 2025-era stream was open: what follows is kept for resumption. */
    private boolean disconnected;
    /** Output waiting for the exchanges ahead of this one on the connection (HTTP/1.1 pipelining). */
    java.util.ArrayList<Object> held;

    HttpExchange(McpHttpHandler handler, Channel channel, MessageListener listener, HttpVersion version, boolean keepAlive,
                 boolean expectsAnswer, HttpSession session, boolean primeStream) {
        this.handler = handler;
        this.channel = channel;
        this.listener = listener;
        this.version = version;
        this.keepAlive = keepAlive;
        this.expectsAnswer = expectsAnswer;
        this.session = session;
        this.primeStream = primeStream;
    }

    /** Keeps the request's headers for the protocol layer ({@link #requestHeader}). */
    void requestHeaders(io.netty.handler.codec.http.HttpHeaders headers) {
        this.requestHeaders = headers;
    }

    @Override
    public String requestHeader(CharSequence name) {
        return requestHeaders == null ? null : requestHeaders.get(name);
    }

    /** Adds {@code Mcp-Session-Id} to the response (the answer to initialize). */
    void sessionIdHeader(CharSequence id) {
        this.sessionIdHeader = id;
    }

    /** For a stateless exchange: the protocol layer sees it as a connection of its own, opened now. */
    void openForListener() {
        listenerOpened = true;
        listener.onOpen(this);
    }

    boolean isDone() {
        return state == State.DONE;
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
        if (channel.eventLoop().inEventLoop()) {
            answer(null, Outcome.RESULT);
        } else {
            channel.eventLoop().execute(() -> answer(null, Outcome.RESULT));
        }
    }

    @Override
    public void pauseReading(boolean paused) {
        handler.pauseReading(this, paused);
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
            startStream(HttpResponseStatus.OK);
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
            finish(bodyless(expectsAnswer ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.ACCEPTED), true);
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
        finish(r, true);
    }

    /** Ends this exchange with a response the transport made itself. */
    void finishWith(FullHttpResponse response) {
        addCommonHeaders(response.headers());
        finish(response, true);
    }

    /** A notification or response was accepted and nothing was said about it: 202. */
    void acceptedIfSilent() {
        if (state == State.NEW) {
            finish(bodyless(HttpResponseStatus.ACCEPTED), true);
        }
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

    /** Starts an SSE response: for a POST whose answer is preceded by other messages, or for a GET. */
    void startStream(HttpResponseStatus status) {
        HttpResponse r = new DefaultHttpResponse(version, status);
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, TEXT_EVENT_STREAM);
        h.set(HttpHeaderNames.CACHE_CONTROL, NO_CACHE);
        h.set(X_ACCEL_BUFFERING, NO);
        addCommonHeaders(h);
        if (version == HttpVersion.HTTP_1_0) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else {
            HttpUtil.setTransferEncodingChunked(r, true);
        }
        state = State.STREAMING;
        handler.write(this, r, false);
        scheduleKeepAlive();
        if (session != null && stream == null) {
            stream = session.newStream();
            stream.attach(this);
            if (primeStream) {
                stream.emit(new byte[0], false);
            }
        }
    }

    /** Serves the session's standalone stream, or a resumed one, on this GET. */
    void streamFor(SseStream resumed) {
        this.stream = resumed;
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
            int size = (id != null ? ID.length + id.length() + 1 : 0) + DATA.length + (data != null ? data.readableBytes() : 0) + 2;
            ByteBuf event = channel.alloc().buffer(size);
            if (id != null) {
                event.writeBytes(ID).writeCharSequence(id, StandardCharsets.US_ASCII);
                event.writeByte('\n');
            }
            event.writeBytes(DATA);
            if (data != null) {
                event.writeBytes(data);
                data.release();
            }
            event.writeByte('\n').writeByte('\n');
            wroteSinceTick = true;
            handler.write(this, new DefaultHttpContent(event), !last);
        }
        if (last) {
            finish(LastHttpContent.EMPTY_LAST_CONTENT, true);
        }
    }

    private void scheduleKeepAlive() {
        long every = handler.sseKeepAliveMillis();
        if (every > 0) {
            keepAliveTask = channel.eventLoop().scheduleAtFixedRate(() -> {
                if (state == State.STREAMING && !wroteSinceTick) {
                    handler.write(this, new DefaultHttpContent(Unpooled.wrappedBuffer(KEEP_ALIVE)), true);
                }
                wroteSinceTick = false;
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void finish(Object last, boolean flush) {
        state = State.DONE;
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
        }
        if (stream != null) {
            stream.detach(this);
        }
        handler.write(this, last, flush);
        handler.finished(this);
        closeForListener();
    }

    /** The connection closed under this exchange. */
    void connectionClosed() {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        disconnected = true;
        if (keepAliveTask != null) {
            keepAliveTask.cancel(false);
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
