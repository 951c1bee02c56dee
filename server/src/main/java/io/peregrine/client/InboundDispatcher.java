package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.peregrine.client.transport.Outbound;
import io.peregrine.rpc.EnvelopeDecoder;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.KnownStrings;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads what the server sends, whatever the transport: responses complete their pending requests,
 * progress reaches the request's listener, other notifications reach the client's listeners, and
 * requests from the server are answered.
 *
 * <p>Runs on the client's event loop, so messages are handled one at a time, in the order they
 * arrived.
 */
final class InboundDispatcher {

    private static final Logger log = LoggerFactory.getLogger(InboundDispatcher.class);

    private static final String PROGRESS = "notifications/progress";
    private static final String LOG = "notifications/message";

    private static final KnownStrings METHODS = new KnownStrings(List.of(PROGRESS, "notifications/message",
            "notifications/tools/list_changed", "notifications/prompts/list_changed",
            "notifications/resources/list_changed", "notifications/resources/updated",
            "notifications/subscriptions/acknowledged", "notifications/cancelled", "ping",
            ServerRequestHandlers.ELICITATION, ServerRequestHandlers.SAMPLING, ServerRequestHandlers.ROOTS));

    private final EnvelopeDecoder decoder = new EnvelopeDecoder(Json.DEFAULT, METHODS);
    private final ByteBufAllocator alloc;
    private final PendingRequests pending;
    private final ServerRequestHandlers handlers;
    private final CallScopes scopes;
    private final BiConsumer<String, Map<String, Object>> notifications;
    private final Consumer<Outbound> replies;
    /** Whether plain {@code tools/call} results are kept as bytes ({@link PlainToolResult}). */
    private final boolean relayResults;

    /**
     * @param notifications receives every notification, after progress went to its request
     * @param replies       sends the answers to the server's requests (hopping to the event loop if need be)
     * @param relayResults  whether plain {@code tools/call} results are kept as the server's bytes
     */
    InboundDispatcher(ByteBufAllocator alloc, PendingRequests pending, ServerRequestHandlers handlers,
                      CallScopes scopes, BiConsumer<String, Map<String, Object>> notifications,
                      Consumer<Outbound> replies, boolean relayResults) {
        this.alloc = alloc;
        this.relayResults = relayResults;
        this.pending = pending;
        this.handlers = handlers;
        this.scopes = scopes;
        this.notifications = notifications;
        this.replies = replies;
    }

    /** Handles one message (or batch) and releases it. */
    void onMessage(ByteBuf frame) {
        onMessage(frame, 0);
    }

    /**
     * Handles one message (or batch) and releases it.
     *
     * @param stream the id of the request on whose response stream it came (Streamable HTTP), or 0
     */
    void onMessage(ByteBuf frame, long stream) {
        try {
            // A client that relays results keeps them as bytes, so it copies each frame anyway: a
            // successful response is read by a scan of that copy, which leaves the result in it,
            // ready to keep, instead of parsing it first. Everything else is parsed.
            EnvelopeDecoder.ScannedResponse response = relayResults
                    ? decoder.scanResponse(io.netty.buffer.ByteBufUtil.getBytes(frame)) : null;
            if (response != null) {
                response(response);
                return;
            }
            dispatch(frame, decoder.decode(frame), stream);
        } finally {
            frame.release();
        }
    }

    private void dispatch(ByteBuf frame, Object decoded, long stream) {
        if (decoded instanceof RpcMessage) {
            RpcMessage message = (RpcMessage) decoded;
            try {
                handle(frame, message, stream);
            } finally {
                message.release();
            }
        } else if (decoded instanceof EnvelopeDecoder.Batch) {
            EnvelopeDecoder.Batch batch = (EnvelopeDecoder.Batch) decoded;
            try {
                for (Object item : batch.items()) {
                    if (item instanceof RpcMessage) {
                        handle(frame, (RpcMessage) item, stream);
                    } else {
                        malformed((RpcException) item);
                    }
                }
            } finally {
                batch.release();
            }
        } else {
            malformed((RpcException) decoded);
        }
    }

    private void handle(ByteBuf frame, RpcMessage message, long stream) {
        switch (message.kind()) {
            case RESPONSE:
                response(frame, message);
                break;
            case NOTIFICATION:
                notification(message, stream);
                break;
            default:
                answer(message, stream);
                break;
        }
    }

    private void response(ByteBuf frame, RpcMessage message) {
        PendingRequest request = pendingFor(message.id());
        if (request == null) {
            return;
        }
        RpcMessage.RpcErrorBody error = message.error();
        if (error != null) {
            request.fail(new McpClientException(error.code(), error.message(), Trees.errorData(frame, message.id())));
            return;
        }
        if (relayResults && "tools/call".equals(request.method()) && message.result() != null) {
            PlainToolResult plain = PlainToolResult.scan(io.netty.buffer.ByteBufUtil.getBytes(message.result()));
            if (plain != null) {
                request.complete(plain);
                return;
            }
        }
        complete(request, message.result());
    }

    /** A successful response read by the scan: a plain tool result stays in the scan's copy. */
    private void response(EnvelopeDecoder.ScannedResponse response) {
        PendingRequest request = pendingFor(response.id());
        if (request == null) {
            return;
        }
        if ("tools/call".equals(request.method())) {
            PlainToolResult plain = PlainToolResult.scan(response.bytes(), response.resultStart(), response.resultEnd());
            if (plain != null) {
                request.complete(plain);
                return;
            }
        }
        complete(request, response.result());
    }

    private PendingRequest pendingFor(RequestId id) {
        PendingRequest request = pending.get(Trees.clientId(id));
        if (request == null) {
            log.debug("dropped the response to request {}: it is not pending (it timed out, was cancelled, "
                    + "or was never sent)", id);
        }
        return request;
    }

    private static void complete(PendingRequest request, ByteBuf raw) {
        try {
            Map<String, Object> result = Trees.object(raw);
            if (result != null) {
                request.complete(result);
            } else {
                request.fail(new McpClientException(McpClientException.LOCAL,
                        "the server answered " + request + " with a result that is not an object", null));
            }
        } catch (IOException e) {
            request.fail(new McpClientException("the result of " + request + " could not be read", e));
        }
    }

    private void notification(RpcMessage message, long stream) {
        String method = message.method();
        Map<String, Object> params;
        try {
            params = Trees.object(message.params());
        } catch (IOException e) {
            log.warn("dropped an unreadable {} from the server: {}", method, e.getMessage());
            return;
        }
        if (params == null) {
            params = Map.of();
        }
        if (PROGRESS.equals(method)) {
            progress(params);
        } else if (LOG.equals(method)) {
            // A log message that belongs to a call with a log listener of its own goes there alone.
            CallScopes.Scope scope = scopes.find(stream, params);
            BiConsumer<String, Map<String, Object>> listener = scope != null ? scope.log() : null;
            if (listener != null) {
                try {
                    listener.accept(method, params);
                } catch (RuntimeException e) {
                    log.warn("a call's log listener failed", e);
                }
                return;
            }
        }
        try {
            notifications.accept(method, params);
        } catch (RuntimeException e) {
            log.warn("a notification listener failed on {}", method, e);
        }
    }

    private void progress(Map<String, Object> params) {
        // Progress tokens are the ids of the requests that asked for progress.
        Object token = params.get(RequestParams.PROGRESS_TOKEN);
        PendingRequest request = token instanceof Number ? pending.get(((Number) token).longValue()) : null;
        ProgressListener listener = request != null ? request.progressListener() : null;
        if (listener == null || !(params.get("progress") instanceof Number)) {
            return;
        }
        Object total = params.get("total");
        Object text = params.get("message");
        try {
            listener.onProgress(((Number) params.get("progress")).doubleValue(),
                    total instanceof Number ? ((Number) total).doubleValue() : null,
                    text instanceof String ? (String) text : null);
        } catch (RuntimeException e) {
            log.warn("the progress listener of {} failed", request, e);
        }
    }

    /**
     * Servers may ping, and ask what this client declared it answers (elicitation, sampling,
     * roots); the handler runs on a thread of its own and its answer is sent when ready.
     */
    private void answer(RpcMessage message, long stream) {
        String method = message.method();
        RequestId id = message.id();
        if ("ping".equals(method)) {
            replies.accept(Outbound.response(ClientMessages.emptyResult(alloc, id)));
            return;
        }
        Map<String, Object> params;
        try {
            params = Trees.object(message.params());
        } catch (IOException e) {
            replies.accept(Outbound.response(ClientMessages.error(alloc, id, JsonRpcError.INVALID_PARAMS,
                    "Invalid params: " + e.getMessage())));
            return;
        }
        Map<String, Object> p = params != null ? params : Map.of();
        // The handlers of the call the request belongs to come first, then the client's own.
        CallScopes.Scope scope = scopes.find(stream, p);
        boolean ofCall = scope != null && scope.handles(method);
        if (!ofCall && !handlers.handles(method)) {
            replies.accept(Outbound.response(ClientMessages.methodNotFound(alloc, id, method)));
            return;
        }
        (ofCall ? scope.handle(method, p, handlers.pool()) : handlers.handle(method, p)).whenComplete((result, failure) -> {
            ByteBuf answer;
            if (failure == null) {
                try {
                    answer = ClientMessages.result(alloc, id, result);
                } catch (RuntimeException e) {
                    answer = ClientMessages.error(alloc, id, JsonRpcError.INTERNAL_ERROR,
                            "the client's " + method + " handler returned a result that is not JSON: " + e.getMessage());
                }
            } else {
                McpClientException e = (McpClientException) failure;
                answer = ClientMessages.error(alloc, id, e.code() != 0 ? e.code() : JsonRpcError.INTERNAL_ERROR,
                        e.getMessage());
            }
            replies.accept(Outbound.response(answer));
        });
    }

    private void malformed(RpcException e) {
        PendingRequest request = pending.get(Trees.clientId(e.id()));
        if (request != null) {
            request.fail(new McpClientException(McpClientException.LOCAL,
                    "the server answered " + request + " with a malformed response: " + e.getMessage(), null));
        } else {
            log.warn("dropped a malformed message from the server: {}", e.getMessage());
        }
    }
}
