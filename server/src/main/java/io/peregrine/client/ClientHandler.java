package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.peregrine.rpc.EnvelopeDecoder;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.KnownStrings;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Hands each line the server sends to the client, decoded. */
final class ClientHandler extends SimpleChannelInboundHandler<Object> {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final PeregrineClient client;
    private final EnvelopeDecoder decoder = new EnvelopeDecoder(Json.DEFAULT,
            new KnownStrings(List.of("notifications/progress", "notifications/message", "ping")));

    ClientHandler(PeregrineClient client) {
        super(false);
        this.client = client;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
            log.warn("dropped a message from the server longer than {} bytes", ((NdjsonFrameDecoder.TooLongFrame) msg).limit());
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            Object decoded = decoder.decode(frame);
            if (decoded instanceof RpcMessage) {
                RpcMessage m = (RpcMessage) decoded;
                try {
                    client.receive(m);
                } finally {
                    m.release();
                }
            } else if (decoded instanceof EnvelopeDecoder.Batch) {
                EnvelopeDecoder.Batch batch = (EnvelopeDecoder.Batch) decoded;
                try {
                    for (Object item : batch.items()) {
                        if (item instanceof RpcMessage) {
                            client.receive((RpcMessage) item);
                        }
                    }
                } finally {
                    batch.release();
                }
            } else {
                log.warn("unreadable message from the server: {}", ((RpcException) decoded).getMessage());
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        client.connectionLost();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection failed", cause);
        ctx.close();
    }
}
