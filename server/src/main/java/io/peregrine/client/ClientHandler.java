package io.peregrine.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.peregrine.rpc.EnvelopeDecoder;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.KnownStrings;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.transport.tcp.NdjsonFrameDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads what the server sends: responses complete their pending requests, progress reaches the
 * request's listener, other notifications reach the client's listener, and requests from the
 * server are answered.
 *
 * <p>Runs on the connection's event loop, so the messages of the connection are handled one at a
 * time, in the order they arrived.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private static final String PROGRESS = "notifications/progress";

    private static final KnownStrings METHODS = new KnownStrings(List.of(PROGRESS, "notifications/message",
            "notifications/tools/list_changed", "notifications/cancelled", "ping", ServerRequestHandlers.ELICITATION,
            ServerRequestHandlers.SAMPLING, ServerRequestHandlers.ROOTS));

    private final EnvelopeDecoder decoder = new EnvelopeDecoder(Json.DEFAULT, METHODS);
    private final PendingRequests pending;
    private final ServerRequestHandlers handlers;
    private final BiConsumer<String, Map<String, Object>> notificationListener;
    private final Consumer<String> onClosed;
    private String closeReason;

    /**
     * @param notificationListener receives every notification; may be null
     * @param onClosed             told once the connection is gone, with why when this side knows
     */
    ClientHandler(PendingRequests pending, ServerRequestHandlers handlers,
                  BiConsumer<String, Map<String, Object>> notificationListener, Consumer<String> onClosed) {
        this.pending = pending;
        this.handlers = handlers;
        this.notificationListener = notificationListener;
        this.onClosed = onClosed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof NdjsonFrameDecoder.TooLongFrame) {
            // Some request just lost its answer, and nothing says which; failing them all at once
            // beats leaving one to wait for a timeout that would hide the cause.
            long limit = ((NdjsonFrameDecoder.TooLongFrame) msg).limit();
            close(ctx, "the server sent a message longer than maxLineLength (" + limit + " bytes)");
            return;
        }
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            dispatch(ctx, frame, decoder.decode(frame));
        } finally {
            frame.release();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, ByteBuf frame, Object decoded) {
        if (decoded instanceof RpcMessage) {
            RpcMessage message = (RpcMessage) decoded;
            try {
                handle(ctx, frame, message);
            } finally {
                message.release();
            }
        } else if (decoded instanceof EnvelopeDecoder.Batch) {
            EnvelopeDecoder.Batch batch = (EnvelopeDecoder.Batch) decoded;
            try {
                for (Object item : batch.items()) {
                    if (item instanceof RpcMessage) {
                        handle(ctx, frame, (RpcMessage) item);
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

    private void handle(ChannelHandlerContext ctx, ByteBuf frame, RpcMessage message) {
        switch (message.kind()) {
            case RESPONSE:
                response(frame, message);
                break;
            case NOTIFICATION:
                notification(message);
                break;
            default:
                answer(ctx, message);
                break;
        }
    }

    private void response(ByteBuf frame, RpcMessage message) {
        PendingRequest request = pending.get(Trees.clientId(message.id()));
        if (request == null) {
            log.debug("dropped the response to request {}: it is not pending (it timed out, was cancelled, "
                    + "or was never sent)", message.id());
            return;
        }
        RpcMessage.RpcErrorBody error = message.error();
        if (error != null) {
            request.fail(new McpClientException(error.code(), error.message(), Trees.errorData(frame, message.id())));
            return;
        }
        try {
            Map<String, Object> result = Trees.object(message.result());
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

    private void notification(RpcMessage message) {
        String method = message.method();
        Map<String, Object> params;
        try {
            params = Trees.object(message.params());
        } catch (IOException e) {
            log.warn("dropped an unreadable {} from the server: {}", method, e.getMessage());
            return;
        }
        if (PROGRESS.equals(method)) {
            progress(params);
        }
        if (notificationListener != null) {
            try {
                notificationListener.accept(method, params);
            } catch (RuntimeException e) {
                log.warn("the notification listener failed on {}", method, e);
            }
        }
    }

    private void progress(Map<String, Object> params) {
        // Progress tokens are the ids of the requests that asked for progress.
        Object token = params.get(RequestParams.PROGRESS_TOKEN);
        PendingRequest request = token instanceof Long ? pending.get((Long) token) : null;
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
     * roots); the handler runs on a thread of its own and its answer is written when ready.
     */
    private void answer(ChannelHandlerContext ctx, RpcMessage message) {
        String method = message.method();
        if ("ping".equals(method)) {
            ctx.writeAndFlush(ClientMessages.emptyResult(ctx.alloc(), message.id()), ctx.voidPromise());
            return;
        }
        if (!handlers.handles(method)) {
            ctx.writeAndFlush(ClientMessages.methodNotFound(ctx.alloc(), message.id(), method), ctx.voidPromise());
            return;
        }
        Map<String, Object> params;
        try {
            params = Trees.object(message.params());
        } catch (IOException e) {
            ctx.writeAndFlush(ClientMessages.error(ctx.alloc(), message.id(), JsonRpcError.INVALID_PARAMS,
                    "Invalid params: " + e.getMessage()), ctx.voidPromise());
            return;
        }
        RequestId id = message.id();
        handlers.handle(method, params).whenComplete((result, failure) -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            ByteBuf answer;
            if (failure == null) {
                try {
                    answer = ClientMessages.result(ctx.alloc(), id, result);
                } catch (RuntimeException e) {
                    answer = ClientMessages.error(ctx.alloc(), id, JsonRpcError.INTERNAL_ERROR,
                            "the client's " + method + " handler returned a result that is not JSON: " + e.getMessage());
                }
            } else {
                McpClientException e = (McpClientException) failure;
                answer = ClientMessages.error(ctx.alloc(), id, e.code() != 0 ? e.code() : JsonRpcError.INTERNAL_ERROR,
                        e.getMessage());
            }
            ctx.writeAndFlush(answer, ctx.voidPromise());
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

    private void close(ChannelHandlerContext ctx, String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        onClosed.accept(closeReason);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing the connection to {} after a failure", ctx.channel().remoteAddress(), cause);
        close(ctx, String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause));
    }
}
