package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
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

    /** Produces the encoded response for {@code id}. */
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
            r.send(answer(c, id, what, work));
            return;
        }
        if (!server.executor().tryExecute(() -> r.send(answer(c, id, what, work)))) {
            Map<String, Object> data = new HashMap<>();
            data.put("retryAfterMs", 100);
            data.put("maxConcurrency", server.executor().maxConcurrency());
            r.send(server.writer().error(c.peer.alloc(), id, JsonRpcError.SERVER_OVERLOADED, "Server overloaded: "
                    + server.executor().maxConcurrency() + " blocking calls are already running "
                    + "(exec.max-concurrency); retry shortly", data));
        }
    }

    private ByteBuf answer(Connection c, RequestId id, String what, Work work) {
        JsonRpcWriter writer = server.writer();
        try {
            return work.answer();
        } catch (RpcException e) {
            return writer.error(c.peer.alloc(), id, e.code(), e.getMessage(), e.data());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return writer.error(c.peer.alloc(), id, JsonRpcError.INTERNAL_ERROR, what + " was interrupted", null);
        } catch (Throwable t) {
            log.warn("{} failed on {}", what, c, t);
            return writer.error(c.peer.alloc(), id, JsonRpcError.INTERNAL_ERROR, what + " failed: "
                    + (t.getMessage() != null ? t.getMessage() : t.toString()), null);
        }
    }
}
