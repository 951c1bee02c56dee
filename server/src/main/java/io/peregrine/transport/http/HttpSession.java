package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Peer;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A 2025-era MCP session over Streamable HTTP: what {@code initialize} started and
 * {@code Mcp-Session-Id} names, living across the many HTTP requests (and connections) of one
 * client. As a {@link Peer} it is where messages unrelated to any request go (list changes,
 * resource updates): the standalone GET stream, once the client opened one (what comes before
 * the first is kept for it). Each POST of the
 * session is a peer of its own that shares this session's state ({@link #attachment()}).
 */
final class HttpSession implements Peer {

    /** Streams kept for resumption; the oldest ended ones go first. */
    private static final int MAX_STREAMS = 64;

    final String id;
    private final MessageListener listener;
    private final HttpSessions store;
    private final EventExecutor executor;
    private final ByteBufAllocator alloc;
    private final SocketAddress remote;
    private final int replayEvents;
    private final Map<Integer, SseStream> streams = new LinkedHashMap<>();
    private volatile Object attachment;
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile String protocolVersion;
    private volatile boolean saturated;
    private SseStream standalone;
    /**
     * What was sent unasked for before the client's first GET stream was serving it (the client
     * opens it once the session has started, so a list change can come first): the last
     * {@code replayEvents} of it, for that stream. Made by the first such message; null again
     * once the stream has them.
     */
    private ArrayDeque<byte[]> early;
    /** Whether a GET stream has served the session: unasked-for messages go to the standalone stream from then on. */
    private boolean streamed;
    private int nextStreamId = 1;
    private boolean closed;
    private final Promise<Void> closeFuture;

    HttpSession(String id, MessageListener listener, HttpSessions store, EventExecutor executor, ByteBufAllocator alloc,
                SocketAddress remote, int replayEvents) {
        this.id = id;
        this.listener = listener;
        this.store = store;
        this.executor = executor;
        this.alloc = alloc;
        this.remote = remote;
        this.replayEvents = replayEvents;
        this.closeFuture = executor.newPromise();
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** The protocol version the client names in {@code MCP-Protocol-Version}, once it sends one. */
    String protocolVersion() {
        return protocolVersion;
    }

    void protocolVersion(String version) {
        this.protocolVersion = version;
    }

    /** A new stream for a POST's response. */
    synchronized SseStream newStream() {
        SseStream s = new SseStream(nextStreamId++, false, replayEvents);
        streams.put(s.id, s);
        trim();
        return s;
    }

    /**
     * Opens the standalone stream on {@code exchange}; null when one is already connected (a
     * session has one, so that a message is never delivered twice).
     */
    synchronized SseStream openStandalone(HttpExchange exchange) {
        if (closed || (standalone != null && standalone.hasSink())) {
            return null;
        }
        standalone = new SseStream(nextStreamId++, true, replayEvents);
        streams.put(standalone.id, standalone);
        trim();
        standalone.attach(exchange);
        return standalone;
    }

    /**
     * Delivers what was sent unasked for before the session's first GET stream on it, in the order
     * sent: called once that stream is serving, the first time only. Messages sent meanwhile wait
     * behind these.
     */
    synchronized void deliverEarly(SseStream first) {
        if (streamed) {
            return;
        }
        streamed = true;
        if (early != null) {
            for (byte[] data : early) {
                first.emit(data, false);
            }
            early = null;
        }
    }

    /** The stream an event id belongs to, or null. */
    synchronized SseStream stream(int streamId) {
        return streams.get(streamId);
    }

    synchronized boolean hasConnectedStream() {
        for (SseStream s : streams.values()) {
            if (s.hasSink()) {
                return true;
            }
        }
        return false;
    }

    private void trim() {
        for (Iterator<SseStream> it = streams.values().iterator(); streams.size() > MAX_STREAMS && it.hasNext(); ) {
            SseStream s = it.next();
            if (s.isEnded() || (!s.hasSink() && s != standalone)) {
                it.remove();
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- Peer: unsolicited messages

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public EventExecutor executor() {
        return executor;
    }

    @Override
    public void send(ByteBuf message) {
        try {
            SseStream s;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (!streamed) {
                    keepEarly(ByteBufUtil.getBytes(message));
                    return;
                }
                s = standalone;
            }
            s.emit(ByteBufUtil.getBytes(message), false);
        } finally {
            message.release();
        }
    }

    /** Keeps {@code data} for the first GET stream: the last {@code replayEvents} messages, as a stream keeps its events. */
    private void keepEarly(byte[] data) {
        if (replayEvents == 0) {
            return;
        }
        if (early == null) {
            early = new ArrayDeque<>();
        }
        early.addLast(data);
        if (early.size() > replayEvents) {
            early.removeFirst();
        }
    }

    /**
     * A session spans many requests and connections, so there is no one socket to stop reading:
     * while the protocol layer asks for a pause, the session's further requests are refused (429)
     * instead of queued.
     */
    @Override
    public void pauseReading(boolean paused) {
        this.saturated = paused;
    }

    boolean isSaturated() {
        return saturated;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    /** The {@code Mcp-Session-Id}: what {@code hash-key: session} hashes, the same on every replica of a sealed session. */
    @Override
    public String sessionId() {
        return id;
    }

    @Override
    public io.peregrine.transport.Transport transport() {
        return io.peregrine.transport.Transport.HTTP;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Ends the session: its streams end, the protocol layer forgets it, and its id answers 404 from now on. */
    @Override
    public Future<?> close() {
        SseStream[] open;
        synchronized (this) {
            if (closed) {
                return closeFuture;
            }
            closed = true;
            early = null;
            open = streams.values().toArray(new SseStream[0]);
            streams.clear();
        }
        store.remove(this);
        for (SseStream s : open) {
            if (s.standalone && s.hasSink()) {
                s.emit(null, true);
            }
        }
        executor.execute(() -> {
            if (attachment != null) {
                listener.onClose(this);
            }
            closeFuture.trySuccess(null);
        });
        return closeFuture;
    }

    @Override
    public String toString() {
        return "http-session:" + id.substring(0, Math.min(8, id.length())) + "@" + remote;
    }
}
