package io.peregrine.client;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One request as the application sees it, however many round trips it takes. In the 2026-07-28
 * era a {@code tools/call}, {@code prompts/get} or {@code resources/read} may be answered
 * {@code input_required}: the client's handlers answer its {@code inputRequests} and the request
 * is sent again, with a new id, carrying the answers and the server's {@code requestState},
 * until the server gives the result.
 *
 * <p>Cancelling, whether with {@link #cancel(String)} or by cancelling {@link #result()}, tells
 * the server to stop and completes the result with a {@link CancellationException} at once; a
 * response that arrives later is dropped.
 *
 * @param <T> what the final result is read as
 */
final class Rounds<T> {

    private static final int HEADER_MISMATCH = -32020;

    /** Answers a round's {@code inputRequests}: a future map of the same keys to the results. */
    interface InputResolver {
        CompletableFuture<Map<String, Object>> resolve(Map<String, Object> inputRequests);
    }

    /** Sends the request again with one round's answers and the state the server asked to have echoed. */
    interface Retry {
        PendingRequest send(Map<String, Object> inputResponses, String requestState);
    }

    /**
     * Sends the request once more after the server refused its {@code Mcp-Param-*} headers
     * ({@code HeaderMismatch}, -32020): the tool's schema changed, so the list is fetched again
     * and the headers rebuilt, as the transport rules advise.
     */
    interface HeaderRetry {
        CompletableFuture<PendingRequest> resend();
    }

    /**
     * Cancelling it tells the server to stop the round in flight. The scope is closed as the call
     * ends here ({@link #succeed}, {@link #fail}), and by the hook when the caller ends it.
     */
    private final CompletableFuture<T> result = new io.peregrine.exec.EndHookFuture<>() {
        @Override
        protected void ended(T value, Throwable failure) {
            if (failure instanceof CancellationException) {
                request.cancel(null);
            }
            closeScope();
        }
    };
    private volatile HeaderRetry headerRetry;
    private final Function<Map<String, Object>, T> reader;
    private final InputResolver resolver;
    private final Retry retry;
    private final int maxRounds;
    private volatile PendingRequest request;

    /** @param resolver null when {@code input_required} is not expected (2025 era) */
    Rounds(PendingRequest first, Function<Map<String, Object>, T> reader, InputResolver resolver, Retry retry,
           int maxRounds) {
        this.reader = reader;
        this.resolver = resolver;
        this.retry = retry;
        this.maxRounds = maxRounds;
        attach(first, 1);
    }

    /** The call's scope: each later round's request is tied to it too, and it is closed when the call ends. */
    private volatile CallScopes.Scope scope;

    void scope(CallScopes.Scope scope) {
        this.scope = scope;
        if (result.isDone()) {
            closeScope(); // the first round ended before the scope was given
        }
    }

    /** Ends the call with its result; the scope is closed first, so whoever hears of the end finds it closed. */
    private void succeed(T value) {
        closeScope();
        result.complete(value);
    }

    /** Ends the call with a failure, the scope closed first; false when it had ended already. */
    private boolean fail(Throwable failure) {
        closeScope();
        return result.completeExceptionally(failure);
    }

    /** Closing twice does no harm: the call's end and {@link #scope} may both see the other's part. */
    private void closeScope() {
        CallScopes.Scope s = scope;
        if (s != null) {
            s.close();
        }
    }

    private void attach(PendingRequest next, int round) {
        request = next;
        CallScopes.Scope s = scope;
        if (s != null) {
            s.bind(next);
        }
        io.peregrine.exec.EndHookFuture.whenEnded(next.future(), (tree, failure) -> {
            HeaderRetry retryHeaders = headerRetry;
            if (failure instanceof McpClientException && ((McpClientException) failure).code() == HEADER_MISMATCH
                    && retryHeaders != null && !result.isDone()) {
                headerRetry = null;
                retryHeaders.resend().whenComplete((again, f) -> {
                    if (f != null) {
                        fail(failure);
                    } else if (!result.isDone()) {
                        attach(again, round);
                    } else {
                        again.cancel(null);
                    }
                });
            } else if (failure != null) {
                // Not wrapped, so that result().get() throws a CancellationException itself.
                fail(failure);
            } else if (resolver != null && "input_required".equals(tree.get("resultType"))) {
                inputRequired(tree, round);
            } else {
                try {
                    succeed(reader.apply(tree));
                } catch (RuntimeException e) {
                    fail(new McpClientException(McpClientException.LOCAL,
                            "the result of " + next + " could not be read: " + e, null));
                }
            }
        });
    }

    private void inputRequired(Map<String, Object> tree, int round) {
        if (round >= maxRounds) {
            fail(new McpClientException(McpClientException.LOCAL, "the server asked for input "
                    + round + " times in a row for " + request + "; giving up", null));
            return;
        }
        Object state = tree.get("requestState");
        resolver.resolve(Trees.objectOrEmpty(tree.get("inputRequests")))
                .whenComplete((responses, failure) -> {
                    if (result.isDone()) {
                        return; // cancelled while the answers were being gathered
                    }
                    if (failure != null) {
                        fail(failure);
                        return;
                    }
                    try {
                        attach(retry.send(responses, state instanceof String ? (String) state : null), round + 1);
                    } catch (RuntimeException e) {
                        fail(e);
                    }
                });
    }

    /** Allows one resend after a HeaderMismatch; see {@link HeaderRetry}. */
    Rounds<T> retryOnHeaderMismatch(HeaderRetry retry) {
        this.headerRetry = retry;
        return this;
    }

    long id() {
        return request.id();
    }

    CompletableFuture<T> result() {
        return result;
    }

    boolean cancel(String reason) {
        if (request.cancel(reason)) {
            fail(new CancellationException(request + " cancelled"
                    + (reason != null ? ": " + reason : "")));
            return true;
        }
        // Between rounds no request is in flight: only this side has anything to stop.
        return fail(new CancellationException("cancelled: " + reason));
    }

    @Override
    public String toString() {
        return request + (result.isDone() ? ", done" : "");
    }
}
