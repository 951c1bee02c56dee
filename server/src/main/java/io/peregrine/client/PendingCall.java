package io.peregrine.client;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * A {@code tools/call} in flight: its future result, and the means to cancel it.
 *
 * <p>In the 2026-07-28 era one call may take several requests: when the server answers
 * {@code input_required}, the client's handlers answer its {@code inputRequests} and the call is
 * sent again, with a new id, carrying the answers and the server's {@code requestState}, until the
 * server gives the result. The whole exchange is this one call.
 *
 * <p>Cancelling, whether with {@link #cancel(String)} or by cancelling {@link #result()}, tells
 * the server to stop with {@code notifications/cancelled} and completes the result with a
 * {@link CancellationException} at once; a response that arrives later is dropped.
 */
public final class PendingCall {

    /** Answers a round's {@code inputRequests}: a future map of the same keys to the results. */
    interface InputResolver {
        CompletableFuture<Map<String, Object>> resolve(Map<String, Object> inputRequests);
    }

    /** Sends the call again with one round's answers and the state the server asked to have echoed. */
    interface Retry {
        PendingRequest send(Map<String, Object> inputResponses, String requestState);
    }

    private final CompletableFuture<CallToolResult> result = new CompletableFuture<>();
    private final InputResolver resolver;
    private final Retry retry;
    private final int maxRounds;
    private volatile PendingRequest request;

    PendingCall(PendingRequest request) {
        this(request, null, null, 0);
    }

    /** @param resolver null when {@code input_required} is not expected (2025 era) */
    PendingCall(PendingRequest request, InputResolver resolver, Retry retry, int maxRounds) {
        this.resolver = resolver;
        this.retry = retry;
        this.maxRounds = maxRounds;
        attach(request, 1);
        result.whenComplete((r, failure) -> {
            if (failure instanceof CancellationException) {
                this.request.cancel(null);
            }
        });
    }

    private void attach(PendingRequest next, int round) {
        request = next;
        next.future().whenComplete((tree, failure) -> {
            if (failure != null) {
                // Not wrapped, so that result().get() throws a CancellationException itself.
                result.completeExceptionally(failure);
            } else if (resolver != null && "input_required".equals(tree.get("resultType"))) {
                inputRequired(tree, round);
            } else {
                result.complete(new CallToolResult(tree));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private void inputRequired(Map<String, Object> tree, int round) {
        if (round >= maxRounds) {
            result.completeExceptionally(new McpClientException(McpClientException.LOCAL, "the server asked for input "
                    + round + " times in a row for " + request + "; giving up", null));
            return;
        }
        Object requests = tree.get("inputRequests");
        Object state = tree.get("requestState");
        resolver.resolve(requests instanceof Map ? (Map<String, Object>) requests : Map.of())
                .whenComplete((responses, failure) -> {
                    if (result.isDone()) {
                        return; // cancelled while the answers were being gathered
                    }
                    if (failure != null) {
                        result.completeExceptionally(failure);
                        return;
                    }
                    attach(retry.send(responses, state instanceof String ? (String) state : null), round + 1);
                });
    }

    /**
     * The JSON-RPC id of the request now in flight (it changes when a 2026-07-28 call is retried
     * with answers); the server's {@code ToolContext.requestId()} shows it too.
     */
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
        if (request.cancel(reason)) {
            return true;
        }
        // Between rounds no request is in flight: only this side has anything to stop.
        return result.completeExceptionally(new CancellationException("cancelled: " + reason));
    }

    @Override
    public String toString() {
        return "PendingCall(" + request + (result.isDone() ? ", done)" : ")");
    }
}
