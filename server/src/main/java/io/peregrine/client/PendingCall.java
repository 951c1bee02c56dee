package io.peregrine.client;

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
 * the server to stop ({@code notifications/cancelled}, or on Streamable HTTP in 2026-07-28 by
 * closing the request's stream) and completes the result with a {@link CancellationException} at
 * once; a response that arrives later is dropped.
 */
public final class PendingCall {

    private final Rounds<CallToolResult> rounds;

    PendingCall(Rounds<CallToolResult> rounds) {
        this.rounds = rounds;
    }

    /**
     * The JSON-RPC id of the request now in flight (it changes when a 2026-07-28 call is retried
     * with answers); the server's {@code ToolContext.requestId()} shows it too.
     */
    public long id() {
        return rounds.id();
    }

    /**
     * Completes with the tool's result (which may be an {@link CallToolResult#isError() error
     * result}); fails with a {@link McpClientException} on a protocol error, a timeout or a lost
     * connection, or with a {@link CancellationException} once cancelled. Completes on the client's
     * I/O thread: dependent stages that block must run on an executor of their own.
     */
    public CompletableFuture<CallToolResult> result() {
        return rounds.result();
    }

    /**
     * Cancels the call.
     *
     * @param reason sent to the server as the cancellation's {@code reason}; may be null
     * @return false when the call had already ended
     */
    public boolean cancel(String reason) {
        return rounds.cancel(reason);
    }

    @Override
    public String toString() {
        return "PendingCall(" + rounds + ")";
    }
}
