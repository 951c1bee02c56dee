package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.peregrine.transport.Peer;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the responses to the requests of one JSON-RPC batch and sends them as one array once
 * the last arrives (2025-03-26). Responses may arrive from several threads, in any order.
 */
final class BatchReply implements Reply {

    private static final ByteBuf OPEN = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'['}));
    private static final ByteBuf COMMA = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {','}));
    private static final ByteBuf CLOSE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {']'}));

    private final Peer peer;
    private final List<ByteBuf> responses = new ArrayList<>();
    private int expected;
    private boolean sealed;

    BatchReply(Peer peer) {
        this.peer = peer;
    }

    /** One more response is owed. */
    synchronized void expect() {
        expected++;
    }

    /** No more requests will be added; sends at once if every response is already in. */
    void seal() {
        ByteBuf out;
        synchronized (this) {
            sealed = true;
            out = takeIfComplete();
        }
        if (out != null) {
            peer.respond(out);
        }
    }

    @Override
    public void skip() {
        ByteBuf out;
        synchronized (this) {
            expected--;
            out = takeIfComplete();
        }
        if (out != null) {
            peer.respond(out);
        }
    }

    @Override
    public void sendRelated(ByteBuf message) {
        peer.send(message);
    }

    @Override
    public void send(ByteBuf response) {
        ByteBuf out;
        synchronized (this) {
            responses.add(response);
            out = takeIfComplete();
        }
        if (out != null) {
            peer.respond(out);
        }
    }

    /** The assembled array when complete; a batch of only notifications sends nothing. */
    private ByteBuf takeIfComplete() {
        if (!sealed || responses.size() < expected) {
            return null;
        }
        if (responses.isEmpty()) {
            peer.respondNothing();
            return null;
        }
        CompositeByteBuf array = peer.alloc().compositeBuffer(responses.size() * 2 + 1);
        array.addComponent(true, OPEN.duplicate());
        for (int i = 0; i < responses.size(); i++) {
            if (i > 0) {
                array.addComponent(true, COMMA.duplicate());
            }
            array.addComponent(true, responses.get(i));
        }
        array.addComponent(true, CLOSE.duplicate());
        responses.clear();
        // One contiguous buffer, so that the transport can append its delimiter.
        ByteBuf flat = peer.alloc().buffer(array.readableBytes() + 1);
        flat.writeBytes(array);
        array.release();
        return flat;
    }
}
