package io.peregrine.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * The last handler of a message-oriented connection, and that connection's {@link Peer}: what
 * every socket transport shares, leaving to each only how a message is wrapped for the wire.
 *
 * <p>Writes are batched. Those made while a read is being delivered are flushed once, in
 * {@link #channelReadComplete}, so a burst of pipelined requests costs one syscall for all of
 * their responses. Those made from other threads (blocking tools finishing) go through a
 * multi-producer queue drained by a single event-loop task, which writes everything queued and
 * flushes once. Reading pauses while the listener asks for it or while the socket is not
 * writable, so a client that does not read its responses cannot make the server buffer them
 * without bound.
 */
public abstract class PeerHandler extends ChannelInboundHandlerAdapter implements Peer {

    private static final Logger log = LoggerFactory.getLogger(PeerHandler.class);

    /** Where a transport stores the principal it authenticated for a channel (see {@link Peer#principal()}). */
    public static final io.netty.util.AttributeKey<io.peregrine.policy.Principal> PRINCIPAL =
            io.netty.util.AttributeKey.valueOf("peregrine.principal");

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<PeerHandler, Queue> QUEUE =
            AtomicReferenceFieldUpdater.newUpdater(PeerHandler.class, Queue.class, "fromOtherThreads");
    private static final AtomicIntegerFieldUpdater<PeerHandler> DRAIN_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(PeerHandler.class, "drainScheduled");

    protected final MessageListener listener;
    private final Transport transport;
    /**
     * Made by the first write from another thread: many connections never see one, and an empty
     * queue (padded against false sharing) was a tenth of an idle WebSocket session's heap. Small
     * chunks: most connections see few such writes at once; the queue grows by chunks.
     */
    private volatile Queue<Object> fromOtherThreads;
    /** 1 while a drain task is scheduled on the event loop. */
    private volatile int drainScheduled;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private volatile Object attachment;
    private volatile boolean pausedByListener;
    private boolean inRead;
    private boolean flushPending;
    /** A flush is queued on the event loop for writes made outside this channel's read. */
    private boolean flushScheduled;
    private final Runnable scheduledFlush = this::flushScheduled;

    protected PeerHandler(MessageListener listener, Transport transport) {
        this.listener = listener;
        this.transport = transport;
    }

    /** Wraps one JSON message for the wire (a line, a text frame), taking ownership of it. */
    protected abstract Object wrap(ByteBuf message);

    /** Handles one inbound object of the pipeline, inside a read. */
    protected abstract void read(ChannelHandlerContext ctx, Object msg);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    /** Call once the connection speaks messages (at once for TCP, after the handshake for WebSocket). */
    protected final void opened() {
        listener.onOpen(this);
    }

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        read(ctx, msg);
    }

    @Override
    public final void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Queue<Object> queue = fromOtherThreads;
        Object orphan;
        while (queue != null && (orphan = queue.poll()) != null) {
            io.netty.util.ReferenceCountUtil.release(orphan);
        }
        if (attachment != null) {
            listener.onClose(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{} connection {} failed: {}", transport, channel.remoteAddress(), cause.toString());
        } else if (cause.getCause() instanceof javax.net.ssl.SSLException) {
            // A client that does not speak TLS, or fails the handshake: its problem, one line.
            log.info("{} connection {} closed: TLS failed: {}", transport, channel.remoteAddress(), cause.getCause().getMessage());
        } else {
            log.warn("{} connection {} failed; closing it", transport, channel.remoteAddress(), cause);
        }
        ctx.close();
    }

    @Override
    public final void send(ByteBuf message) {
        Object wrapped = wrap(message);
        if (!ctx.executor().inEventLoop()) {
            queueFromOtherThreads().offer(wrapped);
            if (DRAIN_SCHEDULED.compareAndSet(this, 0, 1)) {
                ctx.executor().execute(this::drainOtherThreads);
            }
        } else if (inRead) {
            ctx.write(wrapped, ctx.voidPromise());
            flushPending = true;
        } else {
            // Written by another channel's work on this event loop (a gateway's answers, read from its
            // upstream link): the messages of this turn of the loop leave in one write at its end.
            ctx.write(wrapped, ctx.voidPromise());
            if (!flushScheduled) {
                flushScheduled = true;
                ctx.executor().execute(scheduledFlush);
            }
        }
    }

    private void flushScheduled() {
        flushScheduled = false;
        ctx.flush();
    }

    /** The queue of writes from other threads, made by the first of them. */
    private Queue<Object> queueFromOtherThreads() {
        Queue<Object> queue = fromOtherThreads;
        if (queue == null) {
            QUEUE.compareAndSet(this, null, PlatformDependent.newMpscQueue(16, 1 << 30));
            queue = fromOtherThreads;
        }
        return queue;
    }

    private void drainOtherThreads() {
        // Cleared before polling: a message offered after the last poll schedules another drain.
        drainScheduled = 0;
        Queue<Object> queue = fromOtherThreads;
        Object message;
        boolean wrote = false;
        while ((message = queue.poll()) != null) {
            ctx.write(message, ctx.voidPromise());
            wrote = true;
        }
        if (wrote) {
            if (inRead) {
                flushPending = true;
            } else {
                ctx.flush();
            }
        }
    }

    @Override
    public final void pauseReading(boolean paused) {
        pausedByListener = paused;
        updateAutoRead();
    }

    private void updateAutoRead() {
        boolean read = !pausedByListener && channel.isWritable();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    protected final ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public final ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public final EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public final Object attachment() {
        return attachment;
    }

    @Override
    public final void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public final SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public final io.peregrine.policy.Principal principal() {
        // Looked up without attr(), which would add an empty attribute to every channel that has none.
        return channel.hasAttr(PRINCIPAL) ? channel.attr(PRINCIPAL).get() : null;
    }

    @Override
    public final Transport transport() {
        return transport;
    }

    @Override
    public final boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public final String toString() {
        return transport + ":" + channel.remoteAddress();
    }
}
