package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.exec.ToolExecutor;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.transport.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Runs the handler behind a resource, prompt or completion request and answers with what it
 * produced: right here on the event loop when the author marked it non-blocking, else on the
 * bounded executor (refused at once with an overload error when that is full). Whatever the work
 * needs from the request must be read before: the request's bytes are released when its method
 * returns.
 */
final class Offload {

    private static final Logger log = LoggerFactory.getLogger(Offload.class);

    /** Produces the encoded result for {@code id}; fails with an {@link RpcException} to answer an error. */
    @FunctionalInterface
    interface Work {
        ByteBuf answer() throws Exception;
    }

    private final McpServer server;

    Offload(McpServer server) {
        this.server = server;
    }

    void run(Connection c, Reply r, RequestId id, boolean blocking, String what, Work work) {
        if (!blocking) {
            if (ObservedReply.runsInContext(r)) {
                ObservedReply.inContext(r, () -> answer(c, r, id, what, work)).run();
            } else {
                answer(c, r, id, what, work);
            }
            return;
        }
        if (!server.executor().tryExecute(ObservedReply.inContext(r, () -> answer(c, r, id, what, work)))) {
            server.rejected(c.peer, McpObserver.Rejection.OVERLOADED);
            Map<String, Object> data = new HashMap<>();
            data.put("retryAfterMs", 100);
            data.put("maxConcurrency", server.executor().maxConcurrency());
            r.respond(server.writer().error(c.peer.alloc(), id, JsonRpcError.SERVER_OVERLOADED, "Server overloaded: "
                    + server.executor().maxConcurrency() + " blocking calls are already running "
                    + "(exec.max-concurrency); retry shortly", data), Outcome.error(JsonRpcError.SERVER_OVERLOADED, null, 100));
        }
    }

    /** Sends what the work produced, or the error it failed with. */
    private void answer(Connection c, Reply r, RequestId id, String what, Work work) {
        JsonRpcWriter writer = server.writer();
        ByteBuf answer;
        Outcome failed = null;
        try {
            answer = work.answer();
        } catch (RpcException e) {
            answer = writer.error(c.peer.alloc(), id, e.code(), e.getMessage(), e.data());
            failed = Reply.outcomeOf(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = writer.error(c.peer.alloc(), id, JsonRpcError.INTERNAL_ERROR, what + " was interrupted", null);
            failed = Outcome.error(JsonRpcError.INTERNAL_ERROR);
        } catch (Throwable t) {
            log.warn("{} failed on {}", what, c, t);
            answer = writer.error(c.peer.alloc(), id, JsonRpcError.INTERNAL_ERROR, what + " failed: "
                    + (t.getMessage() != null ? t.getMessage() : t.toString()), null);
            failed = Outcome.error(JsonRpcError.INTERNAL_ERROR);
        }
        handBack();
        if (failed != null) {
            r.respond(answer, failed);
        } else {
            r.respond(answer);
        }
    }

    /** On the executor, the slot serves the next call before this one's answer leaves (see {@link ToolExecutor.Slot#done}). */
    private static void handBack() {
        ToolExecutor.Slot slot = ToolExecutor.currentSlot();
        if (slot != null) {
            slot.done();
        }
    }
}
