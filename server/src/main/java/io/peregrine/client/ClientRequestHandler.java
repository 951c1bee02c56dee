package io.peregrine.client;

import java.util.Map;

/**
 * Answers one kind of request the server makes of the client: {@code elicitation/create},
 * {@code sampling/createMessage} or {@code roots/list}.
 *
 * <p>It runs on a thread of the client's own (never the I/O thread), so it may block, for
 * instance while a person answers. The same handler serves both protocol eras: a request from the
 * server in the 2025 era, an entry of an {@code input_required} result's {@code inputRequests}
 * in 2026-07-28, after which the client retries the call with the answers.
 */
@FunctionalInterface
public interface ClientRequestHandler {

    /**
     * @param params the request's {@code params} as a JSON tree (empty when absent)
     * @return the result as a JSON tree: an {@code ElicitResult} ({@code action}, {@code content}),
     *         a {@code CreateMessageResult} ({@code role}, {@code content}, {@code model}) or a
     *         {@code ListRootsResult} ({@code roots})
     * @throws McpClientException to answer with its {@link McpClientException#code() code} and message;
     *                            any other exception is answered as an internal error
     */
    Map<String, Object> handle(Map<String, Object> params) throws Exception;
}
