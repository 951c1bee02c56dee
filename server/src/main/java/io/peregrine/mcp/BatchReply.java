package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Peer;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the responses to the requests of one JSON-RPC batch and sends them as one array once
 * the last arrives (2025-03-26). Responses may arrive from several threads, in any order.
 *
 * <p>The array says "result" to the transport as soon as one member is a result (Streamable HTTP
 * answers it 200 whatever errors sit beside it); only a batch whose every answer is an error says
 * the first of those errors, as a single message would.
 */
final class BatchReply implements Reply {

    private static final ByteBuf OPEN = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'['}));
    private static final ByteBuf COMMA = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {','}));
    private static final ByteBuf CLOSE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {']'}));

    private final Peer peer;
    private final List<ByteBuf> responses = new ArrayList<>();
    private int expected;
    private boolean sealed;
    private boolean anyResult;
    private Outcome firstError;
    /** The connection is gone: responses that arrive now have nobody to go to. */
    private boolean abandoned;

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
        Outcome said;
        synchronized (this) {
            sealed = true;
            out = takeIfComplete();
            said = said();
        }
        if (out != null) {
            peer.respond(out, said);
        }
    }

    @Override
    public void respondNothing() {
        ByteBuf out;
        Outcome said;
        synchronized (this) {
            expected--;
            out = takeIfComplete();
            said = said();
        }
        if (out != null) {
            peer.respond(out, said);
        }
    }

    @Override
    public void send(ByteBuf message) {
        peer.send(message);
    }

    /**
     * A member's call was dropped because the connection is gone: the array will never be sent,
     * so the responses gathered so far, and any that arrive later, are released here.
     */
    @Override
    public void dropped() {
        List<ByteBuf> gathered;
        synchronized (this) {
            abandoned = true;
            gathered = new ArrayList<>(responses);
            responses.clear();
        }
        gathered.forEach(ReferenceCountUtil::release);
    }

    @Override
    public void respond(ByteBuf response, Outcome outcome) {
        ByteBuf out;
        Outcome said;
        synchronized (this) {
            if (abandoned) {
                ReferenceCountUtil.release(response);
                return;
            }
            responses.add(response);
            if (outcome.isError()) {
                if (firstError == null) {
                    firstError = outcome;
                }
            } else {
                anyResult = true;
            }
            out = takeIfComplete();
            said = said();
        }
        if (out != null) {
            peer.respond(out, said);
        }
    }

    /** What the array says: a result when any member is one, else its first error. */
    private Outcome said() {
        return anyResult || firstError == null ? Outcome.RESULT : firstError;
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
