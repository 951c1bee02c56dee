package io.peregrine.transport.ws;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The two timers of a WebSocket session as one task: {@link IdleStateEvent#WRITER_IDLE_STATE_EVENT}
 * after the ping interval without anything written (the frame handler pings), and
 * {@link IdleStateEvent#READER_IDLE_STATE_EVENT} after the idle timeout without anything read (it
 * closes). Netty's {@code IdleStateHandler} keeps a scheduled task for each timer and a promise and
 * listener for every write; an idle session holds one task here, rescheduled for whichever timer
 * is due first. First in the pipeline, so that every byte read and every frame written counts.
 * One per connection; event loop only.
 */
final class WebSocketKeepAlive extends ChannelDuplexHandler implements Runnable {

    private final long idleNanos;
    private final long pingNanos;
    private ChannelHandlerContext ctx;
    private long lastRead;
    private long lastWrite;
    private ScheduledFuture<?> timer;

    /**
     * @param idleTimeoutMillis  after this long without anything read, reader idle (0: never)
     * @param pingIntervalMillis after this long without anything written, writer idle (0: never)
     */
    WebSocketKeepAlive(long idleTimeoutMillis, long pingIntervalMillis) {
        if (idleTimeoutMillis <= 0 && pingIntervalMillis <= 0 || idleTimeoutMillis < 0 || pingIntervalMillis < 0) {
            throw new IllegalArgumentException("idleTimeoutMillis, pingIntervalMillis : " + idleTimeoutMillis + ", "
                    + pingIntervalMillis + " (expected: >= 0, not both 0)");
        }
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        this.pingNanos = TimeUnit.MILLISECONDS.toNanos(pingIntervalMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lastRead = lastWrite = now();
        if (ctx.channel().isActive()) {
            schedule(lastRead);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastRead = now();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastWrite = now();
        ctx.write(msg, promise);
    }

    /** Fires what is due, then waits for whichever timer is due next. */
    @Override
    public void run() {
        timer = null;
        if (!ctx.channel().isOpen()) {
            return;
        }
        long now = now();
        if (idleNanos > 0 && now - lastRead >= idleNanos) {
            lastRead = now; // once per idle period, as long as the channel stays open
            ctx.fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        }
        if (pingNanos > 0 && now - lastWrite >= pingNanos) {
            lastWrite = now;
            ctx.fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
        }
        if (ctx.channel().isOpen() && timer == null) {
            schedule(now);
        }
    }

    private void schedule(long now) {
        long due = Long.MAX_VALUE;
        if (idleNanos > 0) {
            due = lastRead + idleNanos - now;
        }
        if (pingNanos > 0) {
            due = Math.min(due, lastWrite + pingNanos - now);
        }
        timer = ctx.executor().schedule(this, Math.max(due, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
    }

    /** The event loop's clock, which a test can move. */
    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
