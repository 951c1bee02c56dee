package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.peregrine.rpc.JsonTree;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP exchange of a Streamable HTTP link, and what its response means: a POST carrying a
 * message (answered with JSON, with an SSE stream, with 202, or with an error status), the GET
 * that resumes a broken stream from {@code Last-Event-ID}, the session's standalone GET stream, or
 * the DELETE that ends a session.
 *
 * <p>A response stream that breaks before it ends is resumed when the server made it resumable (a
 * 2025-era session, an event id seen): the same exchange carries on with a GET naming the last
 * event, after the delay the server asked for with {@code retry}. Otherwise a request that lost
 * its stream fails with a message naming it. Runs on the link's event loop. A little over 400
 * lines: the JSON answer, the stream and its resumption are one exchange's states.
 */
final class HttpExchange implements SseDecoder.Events {

    /** What the exchange is for. */
    enum Purpose {
        POST,
        STANDALONE_GET,
        DELETE
    }

    private static final int MAX_ERROR_TEXT = 500;

    private final StreamableHttpLink link;
    /** The message POSTed; null for the standalone stream and DELETE. */
    final Outbound message;
    final Purpose purpose;
    private Channel channel;
    private boolean reused;
    private int staleRetries;
    /** Whether the next request of this exchange is a resumption GET. */
    private boolean resuming;
    private int resumptions;
    private HttpResponseStatus status;
    private boolean eventStream;
    private SseDecoder decoder;
    private String lastEventId;
    /** The Last-Event-ID the standalone stream's current GET resumes from; null when it opens a new stream. */
    private String resumedFrom;
    private ByteBuf body;
    private boolean tooLong;
    private long retryMillis = -1;
    private boolean sawEvent;
    private boolean keepAlive;
    private boolean finished;

    HttpExchange(StreamableHttpLink link, Outbound message, Purpose purpose) {
        this.link = link;
        this.message = message;
        this.purpose = purpose;
    }

    boolean isRequest() {
        return message != null && message.kind() == Outbound.Kind.REQUEST;
    }

    long requestId() {
        return message != null ? message.id() : 0;
    }

    boolean isResuming() {
        return resuming;
    }

    String lastEventId() {
        return lastEventId;
    }

    String describe() {
        switch (purpose) {
            case STANDALONE_GET:
                return "the session's GET stream";
            case DELETE:
                return "the DELETE of the session";
            default:
                return message.describe();
        }
    }

    // ---------------------------------------------------------------- on a connection

    /** Sends this exchange's next HTTP request on {@code ch}. */
    void start(Channel ch, boolean reused) {
        if (finished) {
            link.release(ch);
            return;
        }
        this.channel = ch;
        this.reused = reused;
        this.status = null;
        this.eventStream = false;
        this.resumedFrom = purpose == Purpose.STANDALONE_GET ? lastEventId : null;
        // Per request: a GET stream that keeps breaking before any event backs off instead of spinning.
        this.sawEvent = false;
        ch.pipeline().get(HttpExchangeHandler.class).serve(this);
        ch.writeAndFlush(link.newRequest(this)).addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
            }
        });
    }

    void head(HttpResponse response) {
        status = response.status();
        keepAlive = HttpUtil.isKeepAlive(response);
        if (message != null && "initialize".equals(message.method())) {
            link.sessionStarted(response.headers().get(StreamableHttpLink.MCP_SESSION_ID));
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        eventStream = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")
                && status.codeClass() == io.netty.handler.codec.http.HttpStatusClass.SUCCESS;
        if (eventStream) {
            decoder = new SseDecoder(channel.alloc(), link.maxMessageBytes(), this);
            decoder.lastEventId(lastEventId);
        }
    }

    void content(ByteBuf chunk) {
        if (status == null || !chunk.isReadable() || tooLong) {
            return;
        }
        if (eventStream) {
            try {
                decoder.decode(chunk);
            } catch (SseDecoder.TooLongException e) {
                tooLong = true;
                fail(0, "the response to " + describe() + " was refused: " + e.getMessage());
                channel.close();
            }
            return;
        }
        if (body == null) {
            body = channel.alloc().heapBuffer(Math.min(chunk.readableBytes(), 64 * 1024));
        }
        if (body.readableBytes() + chunk.readableBytes() > link.maxMessageBytes()) {
            tooLong = true;
            fail(0, "the response to " + describe() + " is longer than maxMessageBytes (" + link.maxMessageBytes()
                    + " bytes)");
            channel.close();
            return;
        }
        body.writeBytes(chunk);
    }

    @Override
    public void onEvent(String id, ByteBuf data) {
        sawEvent = true;
        if (finished) {
            data.release();
            return;
        }
        link.deliver(data, requestId());
    }

    @Override
    public void onRetry(long millis) {
        retryMillis = millis;
    }

    /** The response ended; {@code ch} may serve another exchange if both sides keep it alive. */
    void end(Channel ch, boolean keepAlive) {
        if (decoder != null) {
            lastEventId = decoder.lastEventId();
            decoder.release();
            decoder = null;
        }
        if (keepAlive && !tooLong) {
            link.release(ch);
        } else {
            ch.close();
        }
        outcome();
    }

    void end(Channel ch) {
        end(ch, keepAlive && !tooLong);
    }

    private void outcome() {
        ByteBuf b = body;
        body = null;
        try {
            if (finished || tooLong) {
                return;
            }
            int code = status.code();
            if (resuming && !eventStream) {
                resumptionRefused("HTTP " + status + (b != null && b.isReadable() ? ": " + text(b) : ""));
                if (code == 404 && link.hasSession()) {
                    link.sessionLost("the server ended the session (HTTP 404 to the resumption of " + describe() + ")");
                }
                return;
            }
            if (purpose == Purpose.STANDALONE_GET && resumedFrom != null && !eventStream) {
                // The next GET opens a new stream; what the server sent in between is lost.
                lastEventId = null;
                link.standaloneResumptionRefused(this, resumedFrom, "HTTP " + status
                        + (b != null && b.isReadable() ? ": " + text(b) : ""));
                return;
            }
            if (purpose == Purpose.STANDALONE_GET) {
                link.standaloneEnded(this, code, text(b));
                return;
            }
            if (purpose == Purpose.DELETE) {
                link.deleted();
                return;
            }
            if (status.codeClass() == io.netty.handler.codec.http.HttpStatusClass.SUCCESS) {
                if (message != null) {
                    message.deliveredOk();
                }
                if (b != null && b.isReadable() && !eventStream) {
                    link.deliver(b.retain());
                }
                if (isRequest() && link.listener().awaits(message.id())) {
                    // The response came, as a rule: the request is no longer pending, and nothing is built.
                    fail(0, "the server answered " + describe() + " with HTTP " + status
                            + (eventStream ? " and a stream that ended without the response" : " and no response"));
                }
                finish();
                return;
            }
            if (code == 404 && link.hasSession()) {
                String why = "the server ended the session (HTTP 404 to " + describe() + ")";
                if (isRequest() && !finished) {
                    link.listener().onRequestNotServed(new Outbound(message.kind(), message.id(), message.method(),
                            message.name(), message.paramHeaders(), message.body().retain(), null), why + ": " + text(b));
                }
                finish();
                link.sessionLost(why);
                return;
            }
            if (message != null) {
                message.deliveryFailed("HTTP " + status + " " + text(b));
            }
            errorStatus(b);
            finish();
        } finally {
            if (b != null) {
                b.release();
            }
        }
    }

    /** An error status: a JSON-RPC error in the body reaches the client as the server sent it. */
    private void errorStatus(ByteBuf b) {
        Object tree = null;
        if (b != null && b.isReadable()) {
            try {
                tree = JsonTree.parse(b.toString(StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                tree = null;
            }
        }
        if (tree instanceof Map && ((Map<?, ?>) tree).get("error") instanceof Map) {
            Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) tree).get("error");
            if (((Map<?, ?>) tree).get("id") != null) {
                link.deliver(b.retain());
                return;
            }
            if (isRequest()) {
                Object code = error.get("code");
                Object text = error.get("message");
                fail(code instanceof Number ? ((Number) code).intValue() : 0,
                        text instanceof String ? (String) text : "HTTP " + status, error.get("data"));
                return;
            }
        }
        if (isRequest()) {
            fail(0, "the server answered " + describe() + " with HTTP " + status + (b != null && b.isReadable()
                    ? ": " + text(b) : ""));
        } else {
            link.warnRefused(this, status, text(b));
        }
    }

    private static String text(ByteBuf b) {
        if (b == null || !b.isReadable()) {
            return "";
        }
        String s = b.toString(b.readerIndex(), Math.min(b.readableBytes(), MAX_ERROR_TEXT), StandardCharsets.UTF_8).trim();
        return b.readableBytes() > MAX_ERROR_TEXT ? s + "..." : s;
    }

    /** The connection closed before the response ended; {@code failure} says why, when a failure closed it, else null. */
    void broken(String failure) {
        if (decoder != null) {
            lastEventId = decoder.lastEventId();
            decoder.release();
            decoder = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
        if (finished || tooLong) {
            return;
        }
        if (status == null && reused && staleRetries < 2 && !resuming) {
            // A kept-alive connection the server had closed meanwhile: it never read the request.
            staleRetries++;
            link.submit(this);
            return;
        }
        if (purpose == Purpose.STANDALONE_GET) {
            link.standaloneBroken(this, retryMillis, status != null && eventStream);
            return;
        }
        if (purpose == Purpose.POST && lastEventId != null && link.hasSession() && link.isActive()
                && resumptions < link.maxResumptions()) {
            resumptions++;
            resuming = true;
            link.resume(this, retryMillis);
            return;
        }
        if (message != null) {
            message.deliveryFailed("the connection closed before the server answered");
        }
        if (isRequest()) {
            fail(0, "the connection to " + link.target() + " closed before the response to " + describe()
                    + " arrived" + (status != null && eventStream ? " (its stream cannot be resumed: "
                    + (lastEventId == null ? "the server gave its events no ids" : "the session is gone") + ")" : "")
                    + (failure != null ? ": " + failure : ""));
        }
        finish();
    }

    /** A resumption got no stream back: the request cannot be answered any more. */
    void resumptionRefused(String why) {
        fail(0, "the response stream of " + describe() + " broke and could not be resumed from Last-Event-ID "
                + lastEventId + ": " + why);
        finish();
    }

    /** Events came on this request (a new stream, or a resumption): later breaks get the full budget. */
    boolean sawEventSinceStart() {
        return sawEvent;
    }

    private void fail(int code, String text) {
        fail(code, text, null);
    }

    private void fail(int code, String text, Object data) {
        if (isRequest() && !finished) {
            link.listener().onRequestFailed(message.id(), code, text, data);
        }
    }

    /** Ends the exchange: nothing more is delivered for it. */
    void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (decoder != null) {
            decoder.release();
            decoder = null;
        }
        if (body != null) {
            body.release();
            body = null;
        }
        if (message != null) {
            message.deliveryFailed("the link was closed");
            message.body().release();
        }
        link.exchangeDone(this);
    }

    /** Cancels: the connection carrying it closes, which in 2026-07-28 tells the server to stop. */
    void cancel() {
        Channel ch = channel;
        finish();
        if (ch != null) {
            ch.pipeline().get(HttpExchangeHandler.class).abandon(this);
            ch.close();
        }
    }

    /** The connection the exchange holds, or null before it has one. */
    Channel channel() {
        return channel;
    }

    boolean isStale() {
        return reused;
    }

    /** No connection could be had for the exchange. */
    void couldNotConnect(java.io.IOException cause) {
        if (purpose == Purpose.STANDALONE_GET) {
            link.standaloneBroken(this, -1, false);
            return;
        }
        if (purpose == Purpose.DELETE) {
            link.deleted();
            return;
        }
        message.deliveryFailed(cause.getMessage());
        fail(0, "cannot send " + describe() + ": " + cause.getMessage());
        finish();
    }
}
