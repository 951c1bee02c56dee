package io.peregrine.client;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code tools/call} in flight: its future result, and the means to cancel it.
 *
 * <p>Cancelling, whether with {@link #cancel(String)} or by cancelling {@link #result()}, tells
 * the server to stop with {@code notifications/cancelled} and completes the result with a
 * {@link CancellationException} at once; a response that arrives later is dropped.
 */
public final class PendingCall {

    private final PendingRequest request;
    private final CompletableFuture<CallToolResult> result = new CompletableFuture<>();

    PendingCall(PendingRequest request) {
        this.request = request;
        request.future().whenComplete((tree, failure) -> {
            if (failure == null) {
                result.complete(new CallToolResult(tree));
            } else {
                // Not wrapped, so that result().get() throws a CancellationException itself.
                result.completeExceptionally(failure);
            }
        });
        result.whenComplete((r, failure) -> {
            if (failure instanceof CancellationException) {
                request.cancel(null);
            }
        });
    }

    /** The JSON-RPC id of the request; the server's {@code ToolContext.requestId()} shows it too. */
    public long id() {
        return request.id();
    }

    /**
     * Completes with the tool's result (which may be an {@link CallToolResult#isError() error
     * result}); fails with a {@link McpClientException} on a protocol error, a timeout or a lost
     * connection, or with a {@link CancellationException} once cancelled. Completes on the client's
     * I/O thread: dependent stages that block must run on an executor of their own.
     */
    public CompletableFuture<CallToolResult> result() {
        return result;
    }

    /**
     * Cancels the call.
     *
     * @param reason sent to the server as the cancellation's {@code reason}; may be null
     * @return false when the call had already ended
     */
    public boolean cancel(String reason) {
        return request.cancel(reason);
    }

    @Override
    public String toString() {
        return "PendingCall(" + request + (result.isDone() ? ", done)" : ")");
    }
}
