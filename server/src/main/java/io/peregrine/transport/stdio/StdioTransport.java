package io.peregrine.transport.stdio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.Peer;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * MCP over a process's standard streams: one JSON-RPC message per line on stdin, one per line on
 * stdout, nothing else on stdout (logs go to stderr).
 *
 * <p>Standard streams cannot be registered with a selector, so a daemon thread reads stdin with
 * blocking reads and hands each chunk to a single-threaded event loop, where the same
 * {@link NdjsonFrameDecoder} as on TCP cuts lines and the protocol layer sees an ordinary
 * {@link Peer}. Writes are buffered and flushed once per chunk read, or at once when they come from
 * another thread. End of input ends the session.
 */
public final class StdioTransport implements Peer {

    private static final Logger log = LoggerFactory.getLogger(StdioTransport.class);

    private final InputStream in;
    private final OutputStream out;
    private final MessageListener listener;
    private final EventLoop loop = new DefaultEventLoop(r -> {
        Thread t = new Thread(r, "peregrine-stdio");
        t.setDaemon(true);
        return t;
    });
    private final EmbeddedChannel framing;
    private final Promise<Void> closed = new DefaultPromise<>(loop);
    private volatile Object attachment;
    private volatile boolean paused;
    private boolean inRead;

    private StdioTransport(InputStream in, OutputStream out, int maxLineLength, MessageListener listener) {
        this.in = in;
        this.out = out;
        this.listener = listener;
        this.framing = new EmbeddedChannel(new NdjsonFrameDecoder(maxLineLength), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf) {
                    listener.onMessage(StdioTransport.this, (ByteBuf) msg);
                } else if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
                    listener.onMessageTooLong(StdioTransport.this, ((NdjsonFrameDecoder.TooLongFrame) msg).limit());
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }
        });
    }

    /** Starts serving {@code in}/{@code out}; the returned transport's {@link #closeFuture()} completes at end of input. */
    public static StdioTransport start(InputStream in, OutputStream out, int maxLineLength, MessageListener listener) {
        StdioTransport t = new StdioTransport(in, out, maxLineLength, listener);
        t.loop.execute(() -> listener.onOpen(t));
        Thread reader = new Thread(t::readLoop, "peregrine-stdin");
        reader.setDaemon(true);
        reader.start();
        return t;
    }

    private void readLoop() {
        byte[] chunk = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(n);
                buf.writeBytes(chunk, 0, n);
                if (!handOver(buf)) {
                    return;
                }
                while (paused) {
                    Thread.sleep(1);
                }
            }
        } catch (IOException e) {
            log.debug("stdin failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!loop.isShuttingDown()) {
            loop.execute(this::endOfInput);
        }
    }

    /**
     * Delivers one chunk on the event loop and waits until it is handled, so that a pause asked
     * for while handling it takes effect before any more input is taken in. False once the
     * transport is shut down (the chunk is released).
     */
    private boolean handOver(ByteBuf chunk) throws InterruptedException {
        try {
            loop.submit(() -> deliver(chunk)).await();
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            chunk.release();
            return false;
        }
    }

    private void deliver(ByteBuf chunk) {
        inRead = true;
        try {
            framing.writeInbound(chunk);
        } finally {
            inRead = false;
            flushQuietly();
        }
    }

    private void endOfInput() {
        framing.finishAndReleaseAll();
        listener.onClose(this);
        flushQuietly();
        closed.trySuccess(null);
    }

    /** Completes when stdin has ended and the session is over. */
    public Future<Void> closeFuture() {
        return closed;
    }

    @Override
    public void send(ByteBuf message) {
        message.writeByte('\n');
        if (!loop.inEventLoop()) {
            loop.execute(() -> send0(message, true));
        } else {
            send0(message, !inRead);
        }
    }

    private void send0(ByteBuf message, boolean flush) {
        try {
            message.readBytes(out, message.readableBytes());
            if (flush) {
                out.flush();
            }
        } catch (IOException e) {
            log.debug("stdout failed", e);
        } finally {
            message.release();
        }
    }

    private void flushQuietly() {
        try {
            out.flush();
        } catch (IOException e) {
            log.debug("stdout failed", e);
        }
    }

    @Override
    public void pauseReading(boolean paused) {
        this.paused = paused;
    }

    @Override
    public ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public EventExecutor executor() {
        return loop;
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
        return null;
    }

    @Override
    public io.peregrine.transport.Transport transport() {
        return io.peregrine.transport.Transport.STDIO;
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone();
    }

    /** Flushes what was written; the standard streams themselves stay open for the process. */
    @Override
    public Future<?> close() {
        return loop.submit(this::flushQuietly);
    }

    /** Stops the transport's thread. */
    public void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "stdio";
    }
}
