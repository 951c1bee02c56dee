package io.peregrine.client;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.peregrine.rpc.JsonRpcError;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The client's answers to what a server may ask of it, and the capabilities that declares. The
 * handlers run on a thread pool of their own, created when first needed, so that a handler that
 * waits for a person never holds up the I/O thread.
 */
final class ServerRequestHandlers {

    static final String ELICITATION = "elicitation/create";
    static final String SAMPLING = "sampling/createMessage";
    static final String ROOTS = "roots/list";

    private final Map<String, ClientRequestHandler> handlers;
    private final Map<String, Object> capabilities;
    private volatile ExecutorService executor;

    ServerRequestHandlers(Map<String, ClientRequestHandler> handlers, Map<String, Object> capabilities) {
        this.handlers = Map.copyOf(handlers);
        this.capabilities = Map.copyOf(capabilities);
    }

    /** The {@code capabilities} to declare: one entry per kind of request answered. */
    Map<String, Object> capabilities() {
        return capabilities;
    }

    boolean handles(String method) {
        return handlers.containsKey(method);
    }

    /** Runs the handler for {@code method} off the I/O thread; fails with an McpClientException. */
    CompletableFuture<Map<String, Object>> handle(String method, Map<String, Object> params) {
        ClientRequestHandler handler = handlers.get(method);
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        if (handler == null) {
            answer.completeExceptionally(new McpClientException(JsonRpcError.METHOD_NOT_FOUND,
                    "Method not found: " + method + " (this client declares no such capability)", null));
            return answer;
        }
        try {
            executor().execute(() -> run(handler, method, params, answer));
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new McpClientException(JsonRpcError.INTERNAL_ERROR,
                    "the client is closing", null));
        }
        return answer;
    }

    /** Runs {@code handler} on the current thread and completes {@code answer} with its result or its failure. */
    static void run(ClientRequestHandler handler, String method, Map<String, Object> params,
                    CompletableFuture<Map<String, Object>> answer) {
        try {
            Map<String, Object> result = handler.handle(params);
            if (result == null) {
                throw new McpClientException(JsonRpcError.INTERNAL_ERROR,
                        "the client's " + method + " handler returned no result", null);
            }
            answer.complete(result);
        } catch (McpClientException e) {
            answer.completeExceptionally(e);
        } catch (Exception | Error e) {
            answer.completeExceptionally(new McpClientException(JsonRpcError.INTERNAL_ERROR,
                    "the client's " + method + " handler failed: " + e, null));
        }
    }

    /** The handlers' threads, for the handlers of single calls too. */
    java.util.concurrent.Executor pool() {
        return executor();
    }

    private ExecutorService executor() {
        ExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                e = executor;
                if (e == null) {
                    e = Executors.newCachedThreadPool(new DefaultThreadFactory("peregrine-client-handler", true));
                    executor = e;
                }
            }
        }
        return e;
    }

    void close() {
        ExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }

    /** Collects handlers and the capabilities they imply. */
    static final class Builder {
        private final Map<String, ClientRequestHandler> handlers = new LinkedHashMap<>();
        private final Map<String, Object> capabilities = new LinkedHashMap<>();

        void elicitation(ClientRequestHandler handler, boolean form, boolean url) {
            handlers.put(ELICITATION, handler);
            Map<String, Object> modes = new LinkedHashMap<>();
            if (form) {
                modes.put("form", Map.of());
            }
            if (url) {
                modes.put("url", Map.of());
            }
            capabilities.put("elicitation", modes);
        }

        void sampling(ClientRequestHandler handler) {
            handlers.put(SAMPLING, handler);
            capabilities.put("sampling", Map.of());
        }

        void roots(ClientRequestHandler handler) {
            handlers.put(ROOTS, handler);
            capabilities.put("roots", Map.of());
        }

        /** Declares the 2026-07-28 tasks extension, so that a server may answer a call of a task tool with a task. */
        void tasksExtension() {
            capabilities.put("extensions", Map.of("io.modelcontextprotocol/tasks", Map.of()));
        }

        ServerRequestHandlers build() {
            return new ServerRequestHandlers(handlers, capabilities);
        }
    }
}
