package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;

import java.util.List;

/**
 * What a request that asks the client something goes through, in either era: in 2025 a request
 * of this server's own on the connection, answered before the handler goes on; in 2026-07-28 an
 * {@code input_required} result whose questions come back answered in the client's next request,
 * with a signed request state. Also the notifications a running request sends its client
 * (progress, a finished URL elicitation).
 */
final class ClientAsking {

    private final McpServer server;
    private final Json json;
    private final JsonRpcWriter writer;
    private final RequestState requestStates;
    private final ClientRequestSettings clientRequests;

    ClientAsking(McpServer server, Json json, JsonRpcWriter writer, RequestState requestStates,
                 ClientRequestSettings clientRequests) {
        this.server = server;
        this.json = json;
        this.writer = writer;
        this.requestStates = requestStates;
        this.clientRequests = clientRequests;
    }

    /** An {@code input_required} result listing what {@code inputs} still waits for, with a fresh request state. */
    ByteBuf inputRequired(Connection c, RequestId id, InputRequests inputs) {
        return writer.result(c.peer.alloc(), id, g -> {
            g.writeStartObject();
            g.writeStringField("resultType", "input_required");
            inputs.writeFields(g, requestStates);
            server.writeServerInfoMeta(g, null);
            g.writeEndObject();
        });
    }

    /**
     * The answers a request brings (2026-07-28), verified, for {@code method} of {@code name}; a
     * request that brings none gets an empty set.
     */
    InputRequests inputsOf(Connection c, Params p, RequestScope s, String method, String name, ByteBuf arguments)
            throws RpcException {
        return InputRequests.carriesInput(p)
                ? InputRequests.open(json, requestStates, p, method, name, arguments, s.version().id(), principalOf(c))
                : InputRequests.none(method, name, arguments, s.version().id(), principalOf(c));
    }

    /** Who a request state is issued to: the connection's authenticated principal. */
    static String principalOf(Connection c) {
        io.peregrine.policy.Principal principal = PolicyGate.principal(c);
        return principal.method() + ":" + principal.name();
    }

    /** 2025 era: asks the client through requests of this server's own, waiting for the answers. */
    List<Object> askClient(ToolCall call, ClientRequest[] requests) throws ClientRequestException, InterruptedException {
        return askClient(call.connection, call.reply, call.scope.version(), "Tool " + call.entry.tool.name(),
                call.task() != null ? call.task().id : null, requests);
    }

    List<Object> askClient(Connection c, Reply reply, ProtocolVersion version, String asker, String relatedTask,
                           ClientRequest[] requests) throws ClientRequestException, InterruptedException {
        return c.serverRequests().ask(writer, c.peer, reply, version.id(), asker, relatedTask, requests,
                clientRequests);
    }

    /** Sent on the stream of the call that elicited, which is the client that asked, ahead of the call's answer. */
    void sendElicitationComplete(Connection c, Reply reply, String elicitationId) {
        if (!c.peer.isOpen()) {
            return;
        }
        reply.send(writer.notification(c.peer.alloc(), "notifications/elicitation/complete", g -> {
            g.writeStartObject();
            g.writeStringField("elicitationId", elicitationId);
            g.writeEndObject();
        }));
    }

    void sendProgress(Connection c, Reply reply, RequestId token, double progress, Double total, String message) {
        reply.send(writer.notification(c.peer.alloc(), "notifications/progress", g -> {
            g.writeStartObject();
            g.writeFieldName("progressToken");
            token.writeTo(g);
            g.writeNumberField("progress", progress);
            if (total != null) {
                g.writeNumberField("total", total);
            }
            if (message != null) {
                g.writeStringField("message", message);
            }
            g.writeEndObject();
        }));
    }
}
