package io.peregrine.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.PlatformDependent;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The last handler of a newline-framed connection, and that connection's {@link Peer}: hands each
 * line to the {@link MessageListener} and writes each outgoing message followed by a newline.
 *
 * <p>Writes are batched. Those made while a read is being delivered are flushed once, in
 * {@link #channelReadComplete}, so a burst of pipelined requests costs one syscall for all of
 * their responses. Those made from other threads (blocking tools finishing) go through a
 * multi-producer queue drained by a single event-loop task, which writes everything queued and
 * flushes once. Reading pauses while the listener asks for it or while the socket is not
 * writable, so a client that does not read its responses cannot make the server buffer them
 * without bound.
 */
public final class TcpServerHandler extends ChannelInboundHandlerAdapter implements Peer {

    private static final Logger log = LoggerFactory.getLogger(TcpServerHandler.class);

    private final MessageListener listener;
    private final String transport;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private volatile Object attachment;
    private boolean inRead;
    private boolean flushPending;
    private final Queue<ByteBuf> fromOtherThreads = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drain = this::drainOtherThreads;
    private volatile boolean pausedByListener;

    public TcpServerHandler(MessageListener listener, String transport) {
        this.listener = listener;
        this.transport = transport;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        listener.onOpen(this);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (msg instanceof ByteBuf) {
            listener.onMessage(this, (ByteBuf) msg);
        } else if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
            listener.onMessageTooLong(this, ((NdjsonFrameDecoder.TooLongFrame) msg).limit());
        } else {
            ReferenceCountUtil.release(msg);
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
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ByteBuf orphan;
        while ((orphan = fromOtherThreads.poll()) != null) {
            orphan.release();
        }
        listener.onClose(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{} connection {} failed: {}", transport, channel.remoteAddress(), cause.toString());
        } else {
            log.warn("{} connection {} failed; closing it", transport, channel.remoteAddress(), cause);
        }
        ctx.close();
    }

    @Override
    public void send(ByteBuf message) {
        message.writeByte('\n');
        if (!ctx.executor().inEventLoop()) {
            fromOtherThreads.offer(message);
            if (drainScheduled.compareAndSet(false, true)) {
                ctx.executor().execute(drain);
            }
        } else if (inRead) {
            ctx.write(message, ctx.voidPromise());
            flushPending = true;
        } else {
            ctx.writeAndFlush(message, ctx.voidPromise());
        }
    }

    private void drainOtherThreads() {
        // Cleared before polling: a message offered after the last poll schedules another drain.
        drainScheduled.set(false);
        ByteBuf message;
        boolean wrote = false;
        while ((message = fromOtherThreads.poll()) != null) {
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
    public void pauseReading(boolean paused) {
        pausedByListener = paused;
        updateAutoRead();
    }

    private void updateAutoRead() {
        boolean read = !pausedByListener && channel.isWritable();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
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
        return channel.remoteAddress();
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public Future<?> close() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
        return channel.closeFuture();
    }

    @Override
    public String toString() {
        return transport + ":" + channel.remoteAddress();
    }
}
