package io.peregrine.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.PeerHandler;

/** A newline-framed connection: each line in is a message, each message out is a line. */
public final class TcpServerHandler extends PeerHandler {

    public TcpServerHandler(MessageListener listener) {
        super(listener, io.peregrine.transport.Transport.TCP);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        opened();
        ctx.fireChannelActive();
    }

    @Override
    protected void read(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            listener.onMessage(this, (ByteBuf) msg);
        } else if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
            listener.onMessageTooLong(this, ((NdjsonFrameDecoder.TooLongFrame) msg).limit());
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    protected Object wrap(ByteBuf message) {
        return message.writeByte('\n');
    }

    @Override
    public Future<?> close() {
        ChannelHandlerContext ctx = context();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return ctx.channel().closeFuture();
    }
}
