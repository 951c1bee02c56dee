package io.peregrine.client;

import io.peregrine.rpc.JsonRpcError;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The requests in flight that a server may answer with questions of its own ({@code tools/call},
 * {@code prompts/get}, {@code resources/read}), each with the {@link CallHandlers} given for it,
 * and which of them a message from the server belongs to (see {@link CallHandlers} for the rules).
 */
final class CallScopes {

    static final String RELATED_TASK = "io.modelcontextprotocol/related-task";

    /** The turn of the question whose handler runs on this thread, for {@link CallHandlers#letNextQuestionStart()}. */
    static final ThreadLocal<CompletableFuture<Void>> TURN = new ThreadLocal<>();

    /** The turn before a call's first question: over already (shared: a completed future never changes). */
    private static final CompletableFuture<Void> NO_TURN = CompletableFuture.completedFuture(null);

    /** One request, over all its rounds. */
    static final class Scope {
        private final CallScopes owner;
        private final CallHandlers handlers;
        /** The tasks the call created (most create none), guarded by this; null for none. */
        private java.util.List<String> tasks;
        /**
         * The last question's turn, over when its handler returns or lets the next one start
         * ({@link CallHandlers#letNextQuestionStart()}): so one call's questions start in order.
         */
        private CompletableFuture<Void> tail = NO_TURN;

        private Scope(CallScopes owner, CallHandlers handlers) {
            this.owner = owner;
            this.handlers = handlers != null ? handlers : CallHandlers.create();
        }

        /**
         * Ties {@code round}, the request of one round of this call, to it: the request is how a
         * message on its response stream finds the call, while it is in flight.
         */
        void bind(PendingRequest round) {
            round.scope(this);
        }

        /** Ties the server's task {@code taskId}, which this call created, to it: requests that name it as their related task. */
        void bindTask(String taskId) {
            synchronized (this) {
                if (tasks == null) {
                    tasks = new java.util.ArrayList<>(1);
                }
                tasks.add(taskId);
            }
            owner.byTask.put(taskId, this);
        }

        boolean handles(String method) {
            return handlers.handles(method);
        }

        java.util.function.BiConsumer<String, Map<String, Object>> log() {
            return handlers.log();
        }

        /** Runs the call's handler for {@code method} on {@code pool}, once the call's earlier questions let it. */
        CompletableFuture<Map<String, Object>> handle(String method, Map<String, Object> params, Executor pool) {
            ClientRequestHandler handler = handlers.handler(method);
            CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
            CompletableFuture<Void> turn = new CompletableFuture<>();
            CompletableFuture<Void> previous;
            synchronized (this) {
                previous = tail;
                tail = turn;
            }
            previous.thenRunAsync(() -> {
                TURN.set(turn);
                try {
                    ServerRequestHandlers.run(handler, method, params, answer);
                } finally {
                    TURN.remove();
                    turn.complete(null);
                }
            }, pool).exceptionally(t -> {
                answer.completeExceptionally(new McpClientException(JsonRpcError.INTERNAL_ERROR,
                        "the client is closing", null));
                turn.complete(null);
                return null;
            });
            return answer;
        }

        void close() {
            owner.live.remove(this);
            java.util.List<String> created;
            synchronized (this) {
                if (tasks == null) {
                    return;
                }
                created = java.util.List.copyOf(tasks);
            }
            for (String task : created) {
                owner.byTask.remove(task, this);
            }
        }

        @Override
        public String toString() {
            return "Scope" + handlers;
        }
    }

    private final Set<Scope> live = ConcurrentHashMap.newKeySet();
    private final Map<String, Scope> byTask = new ConcurrentHashMap<>();
    /** The requests in flight, each with the scope of the call it is a round of, if any. */
    private final PendingRequests pending;

    CallScopes(PendingRequests pending) {
        this.pending = pending;
    }

    /** A request about to be sent; {@link Scope#close() closed} once it ended. */
    Scope open(CallHandlers handlers) {
        Scope s = new Scope(this, handlers);
        live.add(s);
        return s;
    }

    /**
     * The request a message from the server belongs to, or null for none: the call that created
     * the task the message names as its related task, the call on whose response stream it came,
     * or the one call in flight.
     *
     * @param stream the id of the request on whose response stream it came (Streamable HTTP), or 0
     *               when it came on no request's stream
     */
    Scope find(long stream, Map<String, Object> params) {
        // A request about a task (2025-11-25 related-task) belongs to the call that created it, never to
        // whichever call happens to be alone in flight.
        Object meta = params != null ? params.get("_meta") : null;
        Object related = meta instanceof Map ? ((Map<?, ?>) meta).get(RELATED_TASK) : null;
        if (related instanceof Map && ((Map<?, ?>) related).get("taskId") instanceof String) {
            Scope creator = byTask.get((String) ((Map<?, ?>) related).get("taskId"));
            // A task no call here created: only the stream it came on can say whose it is.
            return creator != null || stream == 0 ? creator : ofRequest(stream);
        }
        return find(stream);
    }

    /** As {@link #find(long, Map)}, for a message that names no task. */
    Scope find(long stream) {
        if (stream != 0) {
            return ofRequest(stream);
        }
        // No stream says which: only a request that is alone in flight can be the one.
        if (live.size() != 1) {
            return null;
        }
        for (Scope s : live) {
            return s;
        }
        return null;
    }

    /** The scope of the call whose round is the request {@code id}, while it is in flight; else null. */
    private Scope ofRequest(long id) {
        PendingRequest request = pending.get(id);
        return request != null ? request.scope() : null;
    }

    /** How many requests that may be asked questions are in flight. */
    int inFlight() {
        return live.size();
    }
}
