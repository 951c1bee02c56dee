package io.peregrine.client.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Streamable HTTP link: every message its own POST on a pooled keep-alive connection, the
 * answers (JSON, or an SSE stream of related messages ending with the response) handed to the
 * client as they come, whatever connection they arrive on.
 *
 * <ul>
 *   <li>2025 revisions: the answer to {@code initialize} names the session ({@code Mcp-Session-Id}),
 *       repeated on every later request with {@code MCP-Protocol-Version}; once initialized, a GET
 *       stream carries what the server sends unasked (list changes, its requests); a stream that
 *       breaks is resumed with a GET naming its {@code Last-Event-ID}; a 404 means the session is
 *       gone, and so is the link, so that the client starts a new one; closing DELETEs the session.</li>
 *   <li>2026-07-28: no session and no GET stream; every POST carries {@code MCP-Protocol-Version},
 *       {@code Mcp-Method}, {@code Mcp-Name} (Base64-encoded when not plain ASCII) and the tool's
 *       {@code Mcp-Param-*} headers; cancelling a request closes its connection, which is how this
 *       revision cancels over HTTP.</li>
 * </ul>
 *
 * Runs on its event loop; the client calls it there.
 *
 * <p>Just over 400 lines: the two eras' request shapes and the 2025 session's GET stream share
 * the link's state; one request's exchange lives in {@link HttpExchange}.
 */
final class StreamableHttpLink implements Link {

    private static final Logger log = LoggerFactory.getLogger(StreamableHttpLink.class);

    static final AsciiString MCP_SESSION_ID = AsciiString.cached("mcp-session-id");
    private static final AsciiString MCP_PROTOCOL_VERSION = AsciiString.cached("mcp-protocol-version");
    private static final AsciiString MCP_METHOD = AsciiString.cached("mcp-method");
    private static final AsciiString MCP_NAME = AsciiString.cached("mcp-name");
    private static final AsciiString LAST_EVENT_ID = AsciiString.cached("last-event-id");
    private static final AsciiString ACCEPT_BOTH = AsciiString.cached("application/json, text/event-stream");
    /** How many times one response stream is resumed before its request is given up. */
    private static final int MAX_RESUMPTIONS = 5;
    /** How many times in a row the standalone GET stream is reopened without getting anything. */
    private static final int MAX_STANDALONE_FAILURES = 5;

    private final URI uri;
    private final String path;
    private final String host;
    private final EventLoop loop;
    private final LinkListener listener;
    private final TransportSettings settings;
    private final ExchangeChannels pool;
    private final String target;
    private final Map<Long, HttpExchange> byRequest = new HashMap<>();
    private String version;
    private boolean stateless;
    private String sessionId;
    private HttpExchange standalone;
    private int standaloneFailures;
    private boolean closed;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();

    StreamableHttpLink(URI uri, EventLoop loop, LinkListener listener, TransportSettings settings,
                       io.netty.handler.ssl.SslContext sslContext) {
        this.uri = uri;
        this.path = Urls.pathAndQuery(uri);
        this.host = Urls.hostHeader(uri);
        this.loop = loop;
        this.listener = listener;
        this.settings = settings;
        this.target = uri.toString();
        this.pool = settings.h2c() && sslContext == null
                ? new Http2Streams(loop, Urls.address(uri), settings, target)
                : new HttpConnections(loop, Urls.address(uri), sslContext, settings, target);
    }

    /** Opens the first connection, so that a server that cannot be reached is known at once. */
    CompletableFuture<Link> open() {
        CompletableFuture<Link> opened = new CompletableFuture<>();
        pool.acquire(new ExchangeChannels.Acquired() {
            @Override
            public void ready(Channel channel, boolean reused) {
                pool.release(channel);
                opened.complete(StreamableHttpLink.this);
            }

            @Override
            public void failed(java.io.IOException cause) {
                pool.closeAll();
                opened.completeExceptionally(cause);
            }
        });
        return opened;
    }

    // ---------------------------------------------------------------- Link

    @Override
    public void send(Outbound message) {
        if (closed) {
            message.body().release();
            message.deliveryFailed("the link to " + target + " is closed");
            if (message.kind() == Outbound.Kind.REQUEST) {
                listener.onRequestFailed(message.id(), 0, "cannot send " + message.describe() + ": the link to "
                        + target + " is closed", null);
            }
            return;
        }
        HttpExchange e = new HttpExchange(this, message, HttpExchange.Purpose.POST);
        if (e.isRequest()) {
            byRequest.put(message.id(), e);
        }
        submit(e);
    }

    @Override
    public boolean cancelByTransport(long id) {
        if (!stateless) {
            return false;
        }
        HttpExchange e = byRequest.get(id);
        if (e != null) {
            e.cancel();
        }
        return true;
    }

    @Override
    public void protocolVersion(String version, boolean stateless) {
        this.version = version;
        this.stateless = stateless;
    }

    @Override
    public void initialized() {
        if (hasSession() && standalone == null && !closed) {
            standalone = new HttpExchange(this, null, HttpExchange.Purpose.STANDALONE_GET);
            submit(standalone);
        }
    }

    @Override
    public boolean isActive() {
        return !closed;
    }

    @Override
    public CompletableFuture<Void> close() {
        if (closed) {
            return closeFuture;
        }
        closed = true;
        if (hasSession()) {
            // The server may keep the session until it idles out otherwise; a bounded wait for its answer.
            submit(new HttpExchange(this, null, HttpExchange.Purpose.DELETE));
            loop.schedule(this::deleted, settings.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
        } else {
            finishClose(null);
        }
        return closeFuture;
    }

    // ---------------------------------------------------------------- exchanges

    void submit(HttpExchange e) {
        pool.acquire(new ExchangeChannels.Acquired() {
            @Override
            public void ready(Channel channel, boolean reused) {
                e.start(channel, reused);
            }

            @Override
            public void failed(java.io.IOException cause) {
                e.couldNotConnect(cause);
            }
        });
    }

    /** A request's headers, checked as they are set; it sends no trailers. */
    private static final io.netty.handler.codec.http.HttpHeadersFactory HEADERS =
            io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory();

    /** The HTTP request that {@code e} sends next. */
    FullHttpRequest newRequest(HttpExchange e) {
        FullHttpRequest r;
        if (e.purpose == HttpExchange.Purpose.POST && !e.isResuming()) {
            Outbound m = e.message;
            r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, m.body().retainedDuplicate(),
                    HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
            HttpHeaders h = r.headers();
            h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            h.set(HttpHeaderNames.ACCEPT, ACCEPT_BOTH);
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, m.body().readableBytes());
            if (stateless && m.method() != null) {
                h.set(MCP_METHOD, m.method());
                if (m.name() != null) {
                    h.set(MCP_NAME, HeaderValueEncoder.encode(m.name()));
                }
                for (Map.Entry<String, String> p : m.paramHeaders().entrySet()) {
                    h.set("Mcp-Param-" + p.getKey(), HeaderValueEncoder.encode(p.getValue()));
                }
            }
        } else {
            HttpMethod method = e.purpose == HttpExchange.Purpose.DELETE ? HttpMethod.DELETE : HttpMethod.GET;
            r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, Unpooled.EMPTY_BUFFER,
                    HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
            HttpHeaders h = r.headers();
            if (method == HttpMethod.GET) {
                h.set(HttpHeaderNames.ACCEPT, "text/event-stream");
                if (e.lastEventId() != null) {
                    h.set(LAST_EVENT_ID, e.lastEventId());
                }
            }
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        }
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.HOST, host);
        if (settings.h2c()) {
            h.set(io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "http");
        }
        for (Map.Entry<String, String> extra : settings.headers().entrySet()) {
            h.set(extra.getKey(), extra.getValue());
        }
        if (version != null) {
            h.set(MCP_PROTOCOL_VERSION, version);
        }
        if (sessionId != null && !stateless) {
            h.set(MCP_SESSION_ID, sessionId);
        }
        return r;
    }

    void deliver(ByteBuf message) {
        listener.onMessage(message);
    }

    /** A message that came on the response stream of request {@code stream} (0: none). */
    void deliver(ByteBuf message, long stream) {
        listener.onMessage(message, stream);
    }

    void release(Channel ch) {
        pool.release(ch);
    }

    void exchangeDone(HttpExchange e) {
        if (e.isRequest()) {
            byRequest.remove(e.requestId(), e);
        }
    }

    /** The answer to initialize named the session (or did not: then the server keeps none). */
    void sessionStarted(String id) {
        if (id != null && !id.isEmpty() && sessionId == null) {
            sessionId = id;
        }
    }

    boolean hasSession() {
        return !stateless && sessionId != null;
    }

    /** The server forgot the session: the link is over, and the client starts a new one. */
    void sessionLost(String why) {
        if (!closed) {
            closed = true;
            finishClose(why);
        }
    }

    void resume(HttpExchange e, long retryMillis) {
        long delay = retryMillis >= 0 ? retryMillis : 0;
        log.debug("resuming the stream of {} from Last-Event-ID {} in {} ms", e.describe(), e.lastEventId(), delay);
        loop.schedule(() -> {
            if (closed) {
                e.resumptionRefused("the link was closed");
            } else {
                submit(e);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    void standaloneEnded(HttpExchange e, int status, String text) {
        if (status == HttpResponseStatus.METHOD_NOT_ALLOWED.code() || status == HttpResponseStatus.CONFLICT.code()) {
            // 405: the server offers no GET stream; 409: one is open already. Either way there is nothing to do.
            log.debug("{} offers no GET stream for this session: HTTP {} {}", target, status, text);
            standalone = null;
            return;
        }
        if (status == HttpResponseStatus.NOT_FOUND.code()) {
            standalone = null;
            sessionLost("the server ended the session (HTTP 404 to its GET stream)");
            return;
        }
        if (status / 100 != 2) {
            standaloneFailures++;
        } else {
            standaloneFailures = 0;
        }
        reopenStandalone(e, -1);
    }

    /**
     * The GET stream's connection closed; {@code wasOpen} when it had been answered with a stream.
     * It resumes from its last event id, or, when the server gave its events none, opens a new
     * stream after saying that what was sent in between is lost.
     */
    void standaloneBroken(HttpExchange e, long retryMillis, boolean wasOpen) {
        if (wasOpen && e.lastEventId() == null && !closed && standalone == e) {
            listener.onNotificationsMissed("the GET stream of the session with " + target + " broke and cannot be "
                    + "resumed: the server gave it no event id to resume from; notifications it sends until a new stream "
                    + "is open are lost");
        }
        standaloneFailures = e.sawEventSinceStart() ? 0 : standaloneFailures + 1;
        reopenStandalone(e, retryMillis);
    }

    /** The server answered the GET stream's resumption without a stream: a new one is opened, with a gap. */
    void standaloneResumptionRefused(HttpExchange e, String lastEventId, String answer) {
        if (closed || standalone != e) {
            return;
        }
        listener.onNotificationsMissed("the GET stream of the session with " + target + " broke and could not be "
                + "resumed from Last-Event-ID " + lastEventId + " (" + answer + "): notifications the server sent "
                + "since then are lost; a new stream is opened");
        standaloneFailures++;
        reopenStandalone(e, -1);
    }

    private void reopenStandalone(HttpExchange e, long retryMillis) {
        if (closed || standalone != e) {
            return;
        }
        if (standaloneFailures >= MAX_STANDALONE_FAILURES) {
            standalone = null;
            listener.onNotificationsMissed("gave up the GET stream of the session with " + target + " after "
                    + standaloneFailures + " attempts: notifications the server sends unasked will not arrive");
            return;
        }
        long delay = retryMillis >= 0 ? retryMillis : standaloneFailures == 0 ? 0 : 100L << Math.min(standaloneFailures, 5);
        loop.schedule(() -> {
            if (!closed && standalone == e) {
                submit(e);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    void deleted() {
        if (!closeFuture.isDone()) {
            finishClose(null);
        }
    }

    void warnRefused(HttpExchange e, HttpResponseStatus status, String text) {
        log.warn("{} refused {}: HTTP {} {}", target, e.describe(), status, text);
    }

    private void finishClose(String reason) {
        if (closeFuture.isDone()) {
            return;
        }
        for (HttpExchange e : new ArrayList<>(byRequest.values())) {
            e.finish();
        }
        byRequest.clear();
        if (standalone != null) {
            standalone.finish();
            standalone = null;
        }
        pool.closeAll();
        listener.onClosed(reason);
        closeFuture.complete(null);
    }

    // ---------------------------------------------------------------- for the exchanges

    LinkListener listener() {
        return listener;
    }

    int maxMessageBytes() {
        return settings.maxMessageBytes();
    }

    int maxResumptions() {
        return MAX_RESUMPTIONS;
    }

    String target() {
        return target;
    }

    /** Connections open now; for tests. */
    int openConnections() {
        return pool.openCount();
    }

    @Override
    public String toString() {
        return target + (sessionId != null ? " (session " + sessionId.substring(0, Math.min(8, sessionId.length())) + ")" : "");
    }
}
