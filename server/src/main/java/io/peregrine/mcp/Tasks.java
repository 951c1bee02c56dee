package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.SerializableString;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.netty.buffer.ByteBuf;
import io.peregrine.policy.SharedTasks;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.tool.TaskSupport;
import io.peregrine.transport.Outcome;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks for long-running tool calls, in both shapes the protocol has given them.
 *
 * <ul>
 *   <li>2025-11-25 (core tasks): the client asks with {@code params.task} on {@code tools/call};
 *       the server answers {@code {"task":{...}}} and the client uses {@code tasks/get},
 *       {@code tasks/result} (which waits for the end), {@code tasks/list} and {@code tasks/cancel};
 *       status changes are announced with {@code notifications/tasks/status}. Tasks belong to the
 *       session that created them.</li>
 *   <li>2026-07-28 (extension {@code io.modelcontextprotocol/tasks}): a call of a task-supporting tool
 *       from a client that declared the extension in its request becomes a task without asking; the
 *       answer is a flat {@code CreateTaskResult} ({@code resultType: "task"}); {@code tasks/get}
 *       inlines the result, error or outstanding input requests, {@code tasks/update} answers those,
 *       {@code tasks/cancel} acknowledges with an empty result. There are no sessions: a task is
 *       reached by its id, 128 random bits.</li>
 * </ul>
 *
 * <p>Tasks live in a bounded Caffeine cache: each for its TTL after creation, at most
 * {@code maxTasks} at once. A task evicted while running is cancelled, so nothing outlives its
 * entry. The call itself runs as any blocking call does (executor, timeout, interruption), with a
 * {@link TaskReply} keeping its answer.
 *
 * <p>Over 400 lines on purpose: the two shapes share one store and one set of methods, and each
 * method reads best with both shapes side by side.
 */
final class Tasks {

    static final String EXTENSION = "io.modelcontextprotocol/tasks";
    private static final long POLL_INTERVAL_MILLIS = 500;
    private static final String CURSOR_PREFIX = "task:";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Tasks.class);
    /** Writes a task's state as text for the store; thread-safe. */
    private static final com.fasterxml.jackson.core.JsonFactory STATE_JSON = com.fasterxml.jackson.core.JsonFactory.builder().build();

    private final Json json;
    private final JsonRpcWriter writer;
    private final SerializableString serverInfoJson;
    private final long ttlMillis;
    private final ServerClock clock;
    private final int pageSize;
    private final Cache<String, Task> tasks;
    private final AtomicLong sequence = new AtomicLong();
    /** Where 2026-07-28 tasks are shared with other replicas; null when they stay here. */
    private volatile SharedTasks shared;
    private final SecureRandom random = new SecureRandom();

    Tasks(Json json, JsonRpcWriter writer, SerializableString serverInfoJson, ClientRequestSettings settings, int pageSize) {
        this.json = json;
        this.writer = writer;
        this.serverInfoJson = serverInfoJson;
        this.ttlMillis = settings.taskTtlMillis;
        this.clock = settings.clock;
        this.pageSize = pageSize;
        this.tasks = Caffeine.newBuilder()
                .maximumSize(settings.maxTasks)
                .ticker(clock::nanoTime)
                .expireAfter(Expiry.<String, Task>creating((id, task) -> Duration.ofMillis(task.ttlMillis)))
                .scheduler(Scheduler.systemScheduler())
                // Maintenance and the eviction listener run on the thread that notices the expiry, not
                // on the common pool: a task expired while running is cancelled before anyone is told
                // it is unknown, however busy the common pool is.
                .executor(Runnable::run)
                .evictionListener((String id, Task task, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (task != null) {
                        task.cancel("the task expired (" + cause + ") before it finished");
                        if (task.owner != null) {
                            task.owner.disownTask(task);
                        }
                    }
                })
                .build();
    }

    // ---------------------------------------------------------------- sharing (2026-07-28)

    /**
     * Shares 2026-07-28 tasks through {@code store}: each task's state is written there on every
     * change, so that {@code tasks/get} on another replica reads it, and {@code tasks/cancel} or
     * {@code tasks/update} there reach this replica, which runs the task, through the store's
     * messages. 2025-11-25 tasks belong to their session, which stays on its replica, and are not
     * shared. Call before serving.
     */
    void share(SharedTasks store) {
        store.listen(new SharedTasks.Listener() {
            @Override
            public void cancelled(String taskId) {
                Task task = tasks.getIfPresent(taskId);
                if (task != null && task.stateless) {
                    task.cancel("cancelled by the client");
                }
            }

            @Override
            @SuppressWarnings("unchecked")
            public void updated(String taskId, String inputResponsesJson) {
                Task task = tasks.getIfPresent(taskId);
                if (task == null || !task.stateless) {
                    return;
                }
                try {
                    Object responses = JsonTree.parse(inputResponsesJson);
                    if (responses instanceof Map) {
                        task.supply((Map<String, Object>) responses);
                    }
                } catch (IOException e) {
                    // Checked by the replica that sent it; nothing else to do with a message gone bad.
                }
            }
        });
        this.shared = store;
    }

    /** Writes {@code task}'s state where other replicas read it; in order of changes, each under the task's monitor. */
    private CompletableFuture<?> store(Task task) {
        SharedTasks store = shared;
        if (store == null || !task.stateless) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (task) {
            StringWriter out = new StringWriter(256);
            try (JsonGenerator g = STATE_JSON.createGenerator(out)) {
                g.writeStartObject();
                task.writeFields(g, true, ProtocolVersion.LATEST.id());
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // a StringWriter does not fail
            }
            long left = task.ttlMillis - (clock.instant().toEpochMilli() - task.createdAt.toEpochMilli());
            return store.put(task.id, out.toString(), Math.max(1, left)).exceptionally(failure -> {
                log.debug("{}: its state could not be shared ({}); other replicas read the last one written",
                        task, failure.toString());
                return null;
            });
        }
    }

    /** Whether a task unknown here may be known to another replica. */
    private boolean mayBeElsewhere(RequestScope s) {
        return shared != null && s.isStateless();
    }

    /**
     * {@code then} with the state another replica wrote for task {@code id}, or the error that
     * it is unknown, or that Redis did not answer; answered on the store client's thread.
     */
    private void withSharedState(Connection c, RequestId rid, Reply r, String id, String method,
                                 java.util.function.BiConsumer<String, Map<String, Object>> then) {
        SharedTasks store = shared;
        store.get(id).whenComplete((state, failure) -> {
            if (failure != null) {
                r.respond(writer.error(c.peer.alloc(), rid, JsonRpcError.INTERNAL_ERROR, unavailable(store, method,
                        failure), null), Outcome.error(JsonRpcError.INTERNAL_ERROR));
                return;
            }
            if (state == null) {
                r.respond(writer.error(c.peer.alloc(), rid, JsonRpcError.INVALID_PARAMS, unknown(id), null),
                        Outcome.error(JsonRpcError.INVALID_PARAMS));
                return;
            }
            Map<String, Object> fields;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = (Map<String, Object>) JsonTree.parse(state);
                fields = parsed;
            } catch (IOException | ClassCastException e) {
                r.respond(writer.error(c.peer.alloc(), rid, JsonRpcError.INTERNAL_ERROR, "Task " + id
                        + ": the state shared in Redis cannot be read (" + e.getMessage() + ")", null),
                        Outcome.error(JsonRpcError.INTERNAL_ERROR));
                return;
            }
            then.accept(state, fields);
        });
    }

    private static String unavailable(SharedTasks store, String method, Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String why = cause instanceof java.util.concurrent.TimeoutException
                ? "did not answer within " + store.timeout().toMillis() + " ms" : "failed (" + cause + ")";
        return method + " cannot be answered: tasks are shared through Redis, which " + why + "; retry";
    }

    private static String unknown(String id) {
        return "Unknown task: " + id + " (it never existed, expired, or belongs to another session)";
    }

    // ---------------------------------------------------------------- creation

    /**
     * Whether this {@code tools/call} runs as a task, creating it if so; null for a plain call.
     *
     * @throws RpcException when the tool and the request disagree: a task-only tool from a client
     *                      that cannot take one, or (2025-11-25) a task asked of a tool that forbids it
     */
    Task plan(Connection c, RequestScope s, Params p, ToolRegistry.Entry entry) throws RpcException {
        TaskSupport support = entry.tool.taskSupport();
        String tool = entry.tool.name();
        if (s.isStateless()) {
            if (support == TaskSupport.FORBIDDEN) {
                return null; // the 2025 params.task is ignored, as the extension asks
            }
            if (!declaresExtension(s.clientCapabilities())) {
                if (support == TaskSupport.REQUIRED) {
                    throw missingExtension("Tool " + tool + " runs only as a task; declare the " + EXTENSION
                            + " extension in _meta[\"io.modelcontextprotocol/clientCapabilities\"].extensions");
                }
                return null;
            }
            // A tool that starts its task itself arrives as a plain call: see ToolContext.continueAsTask().
            return entry.tool.startsTaskItself() ? null : create(null, true, ttlMillis);
        }
        boolean asked = p.has("task");
        if (s.version() != ProtocolVersion.V2025_11_25) {
            return null; // earlier revisions have no tasks
        }
        if (support == TaskSupport.FORBIDDEN) {
            if (asked) {
                throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Tool " + tool + " does not run as a task "
                        + "(execution.taskSupport is forbidden); call it without params.task");
            }
            return null;
        }
        if (!asked) {
            if (support == TaskSupport.REQUIRED) {
                throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Tool " + tool + " runs only as a task "
                        + "(execution.taskSupport is required); call it with params.task");
            }
            return null;
        }
        return create(c, false, requestedTtl(p));
    }

    private long requestedTtl(Params p) throws RpcException {
        ByteBuf raw = p.object("tools/call", "task");
        if (raw == null) {
            return ttlMillis;
        }
        Object ttl;
        try (JsonParser parser = json.parser(raw)) {
            ttl = ((Map<?, ?>) JsonTree.read(parser)).get("ttl");
        } catch (IOException e) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params.task: " + e.getMessage());
        }
        if (ttl == null) {
            return ttlMillis;
        }
        if (!(ttl instanceof Long) || (Long) ttl <= 0) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid params.task.ttl: " + ttl
                    + " (expected: a positive number of milliseconds)");
        }
        return Math.min((Long) ttl, ttlMillis);
    }

    private Task create(Connection owner, boolean stateless, long ttl) {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        Task task = new Task(id, sequence.incrementAndGet(), owner, stateless, ttl, POLL_INTERVAL_MILLIS, clock,
                this::announce);
        if (owner != null) {
            owner.ownTask(task);
        }
        // Stored before the CreateTaskResult is sent, so that a tasks/get right after it finds the task.
        tasks.put(id, task);
        task.shared = store(task);
        return task;
    }

    /** The call could not start (the executor was full): the task never existed. */
    void forget(Task task) {
        tasks.asMap().remove(task.id, task);
        if (task.owner != null) {
            task.owner.disownTask(task);
        }
    }

    /** The answer to the {@code tools/call} that created {@code task}. */
    void writeCreated(JsonGenerator g, Task task) throws IOException {
        g.writeStartObject();
        if (task.stateless) {
            g.writeStringField("resultType", "task");
            task.writeFields(g, false, ProtocolVersion.LATEST.id());
            writeServerInfo(g);
        } else {
            g.writeObjectFieldStart("task");
            task.writeFields(g, false, ProtocolVersion.V2025_11_25.id());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** 2025-11-25: {@code notifications/tasks/status} to the owning session on each change. */
    private void announce(Task task) {
        store(task);
        Connection owner = task.owner;
        if (owner == null || !owner.peer.isOpen()) {
            return;
        }
        owner.peer.send(writer.notification(owner.peer.alloc(), "notifications/tasks/status", g -> {
            g.writeStartObject();
            task.writeFields(g, false, ProtocolVersion.V2025_11_25.id());
            g.writeEndObject();
        }));
    }

    /** The capability entry for {@code initialize} (2025-11-25) or {@code server/discover} (2026-07-28). */
    static void writeCapability(JsonGenerator g, ProtocolVersion v) throws IOException {
        if (v.isStateless()) {
            g.writeObjectFieldStart("extensions");
            g.writeObjectFieldStart(EXTENSION);
            g.writeEndObject();
            g.writeEndObject();
        } else if (v == ProtocolVersion.V2025_11_25) {
            g.writeObjectFieldStart("tasks");
            g.writeObjectFieldStart("list");
            g.writeEndObject();
            g.writeObjectFieldStart("cancel");
            g.writeEndObject();
            g.writeObjectFieldStart("requests");
            g.writeObjectFieldStart("tools");
            g.writeObjectFieldStart("call");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    // ---------------------------------------------------------------- tasks/* methods

    boolean get(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        Task task = find(c, s, p, "tasks/get");
        if (task == null) {
            RequestId rid = m.id();
            withSharedState(c, rid, r, p.requireString("tasks/get", "taskId"), "tasks/get", (state, fields) ->
                    r.respond(writer.result(c.peer.alloc(), rid, g -> {
                        g.writeStartObject();
                        g.writeStringField("resultType", "complete");
                        for (Map.Entry<String, Object> e : fields.entrySet()) {
                            g.writeFieldName(e.getKey());
                            JsonTree.write(g, e.getValue());
                        }
                        writeServerInfo(g);
                        g.writeEndObject();
                    })));
            return false;
        }
        r.respond(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            if (s.isStateless()) {
                g.writeStringField("resultType", "complete");
                task.writeFields(g, true, s.version().id());
                writeServerInfo(g);
            } else {
                task.writeFields(g, false, s.version().id());
            }
            g.writeEndObject();
        }));
        return false;
    }

    /** 2025-11-25: the call's own answer, once the task has ended (the request waits until then). */
    boolean result(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        if (s.isStateless()) {
            throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: tasks/result was removed in "
                    + s.version().id() + "; tasks/get inlines a finished task's result");
        }
        Task task = find(c, s, p, "tasks/result");
        RequestId id = m.id();
        task.terminal().thenAccept(done -> r.respond(payload(c, id, done), outcome(done)));
        return false;
    }

    /** What {@link #payload} says about the ended {@code task}. */
    private static Outcome outcome(Task task) {
        if (task.status() == Task.Status.CANCELLED) {
            return Outcome.error(JsonRpcError.INVALID_PARAMS);
        }
        Map<String, Object> error = task.error();
        return error != null ? Outcome.error(errorCode(error)) : Outcome.RESULT;
    }

    private static int errorCode(Map<String, Object> error) {
        Object code = error.get("code");
        return code instanceof Long ? ((Long) code).intValue() : JsonRpcError.INTERNAL_ERROR;
    }

    private ByteBuf payload(Connection c, RequestId id, Task task) {
        Map<String, Object> error = task.error();
        if (task.status() == Task.Status.CANCELLED) {
            return writer.error(c.peer.alloc(), id, JsonRpcError.INVALID_PARAMS,
                    "Task " + task.id + " was cancelled before it finished; it has no result", null);
        }
        if (error != null) {
            return writer.error(c.peer.alloc(), id, errorCode(error), String.valueOf(error.get("message")), error.get("data"));
        }
        Map<String, Object> result = task.result();
        return writer.result(c.peer.alloc(), id, g -> {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : result.entrySet()) {
                if (!"_meta".equals(e.getKey())) {
                    g.writeFieldName(e.getKey());
                    JsonTree.write(g, e.getValue());
                }
            }
            g.writeObjectFieldStart("_meta");
            if (result.get("_meta") instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) result.get("_meta")).entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    JsonTree.write(g, e.getValue());
                }
            }
            g.writeObjectFieldStart("io.modelcontextprotocol/related-task");
            g.writeStringField("taskId", task.id);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** 2025-11-25: this session's tasks, oldest first, in pages. */
    boolean list(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        if (s.isStateless()) {
            throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: tasks/list was removed in "
                    + s.version().id());
        }
        String cursor = p.string("tasks/list", "cursor");
        long after = cursor == null ? 0 : decodeCursor(cursor);
        List<Task> mine = new ArrayList<>();
        for (Task t : c.ownedTasks()) {
            if (t.sequence > after) {
                mine.add(t);
            }
        }
        mine.sort(Comparator.comparingLong(t -> t.sequence));
        List<Task> page = mine.size() > pageSize ? mine.subList(0, pageSize) : mine;
        String next = mine.size() > pageSize ? encodeCursor(page.get(page.size() - 1).sequence) : null;
        r.respond(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("tasks");
            for (Task t : page) {
                g.writeStartObject();
                t.writeFields(g, false, s.version().id());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (next != null) {
                g.writeStringField("nextCursor", next);
            }
            g.writeEndObject();
        }));
        return false;
    }

    boolean cancel(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        Task task = find(c, s, p, "tasks/cancel");
        if (task == null) {
            // Another replica runs it: told through the store, acknowledged once the message is out.
            String id = p.requireString("tasks/cancel", "taskId");
            RequestId rid = m.id();
            SharedTasks store = shared;
            withSharedState(c, rid, r, id, "tasks/cancel", (state, fields) -> store.cancel(id).whenComplete((ok, failure) -> {
                if (failure != null) {
                    r.respond(writer.error(c.peer.alloc(), rid, JsonRpcError.INTERNAL_ERROR,
                            unavailable(store, "tasks/cancel", failure), null), Outcome.error(JsonRpcError.INTERNAL_ERROR));
                } else {
                    r.respond(writer.result(c.peer.alloc(), rid, this::writeEmptyAck));
                }
            }));
            return false;
        }
        boolean cancelled = task.cancel("cancelled by the client");
        if (s.isStateless()) {
            // Idempotent in the extension: a finished task is acknowledged the same way.
            r.respond(writer.result(c.peer.alloc(), m.id(), this::writeEmptyAck));
            return false;
        }
        if (!cancelled) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Task " + task.id + " is already "
                    + task.status().wire + " and cannot be cancelled");
        }
        r.respond(writer.result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            task.writeFields(g, false, s.version().id());
            g.writeEndObject();
        }));
        return false;
    }

    /** 2026-07-28: answers to a task's outstanding input requests. */
    @SuppressWarnings("unchecked")
    boolean update(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        if (!s.isStateless()) {
            throw new RpcException(JsonRpcError.METHOD_NOT_FOUND, "Method not found: tasks/update exists from "
                    + "2026-07-28 on; in " + s.version().id() + " the server asks the client directly");
        }
        Task task = find(c, s, p, "tasks/update");
        ByteBuf raw = p.object("tasks/update", "inputResponses");
        if (raw == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS,
                    "Invalid params for tasks/update: missing required object \"inputResponses\"");
        }
        Map<String, Object> responses;
        try (JsonParser parser = json.parser(raw.duplicate())) {
            responses = (Map<String, Object>) JsonTree.read(parser);
        } catch (IOException e) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Invalid inputResponses: " + e.getMessage());
        }
        if (task == null) {
            // Another replica runs it: the answers go to it through the store.
            String id = p.requireString("tasks/update", "taskId");
            String text = raw.toString(StandardCharsets.UTF_8);
            RequestId rid = m.id();
            SharedTasks store = shared;
            withSharedState(c, rid, r, id, "tasks/update", (state, fields) -> store.update(id, text).whenComplete((ok, failure) -> {
                if (failure != null) {
                    r.respond(writer.error(c.peer.alloc(), rid, JsonRpcError.INTERNAL_ERROR,
                            unavailable(store, "tasks/update", failure), null), Outcome.error(JsonRpcError.INTERNAL_ERROR));
                } else {
                    r.respond(writer.result(c.peer.alloc(), rid, this::writeEmptyAck));
                }
            }));
            return false;
        }
        task.supply(responses);
        r.respond(writer.result(c.peer.alloc(), m.id(), this::writeEmptyAck));
        return false;
    }

    private void writeEmptyAck(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("resultType", "complete");
        writeServerInfo(g);
        g.writeEndObject();
    }

    private void writeServerInfo(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("_meta");
        g.writeFieldName(Params.META_SERVER_INFO);
        g.writeRawValue(serverInfoJson);
        g.writeEndObject();
    }

    /**
     * The task a {@code tasks/*} request names, known here; null when it is not, but another
     * replica may run it ({@link #mayBeElsewhere}); otherwise an unknown task is an error.
     */
    private Task find(Connection c, RequestScope s, Params p, String method) throws RpcException {
        if (s.isStateless() && !declaresExtension(s.clientCapabilities())) {
            throw missingExtension(method + " needs the " + EXTENSION + " extension; declare it in "
                    + "_meta[\"io.modelcontextprotocol/clientCapabilities\"].extensions");
        }
        String id = p.requireString(method, "taskId");
        Task task = tasks.getIfPresent(id);
        if (task == null) {
            tasks.cleanUp(); // an expired task is evicted, and so cancelled, before it is reported unknown
        }
        if (task == null && mayBeElsewhere(s)) {
            return null; // another replica may run it: the caller asks the store
        }
        // A 2025 task belongs to its session; a 2026 one to whoever holds its id.
        if (task == null || task.stateless != s.isStateless() || (!task.stateless && task.owner != c)) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, unknown(id));
        }
        return task;
    }

    /** A call that started plain continues as a 2026-07-28 task. */
    Task createDetached() {
        return create(null, true, ttlMillis);
    }

    static boolean declaresExtension(Map<String, Object> capabilities) {
        Object extensions = capabilities.get("extensions");
        return extensions instanceof Map && ((Map<?, ?>) extensions).get(EXTENSION) instanceof Map;
    }

    private static RpcException missingExtension(String message) {
        return new RpcException(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, message, null,
                Map.of("requiredCapabilities", Map.of("extensions", Map.of(EXTENSION, Map.of()))));
    }

    private static String encodeCursor(long sequence) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + sequence).getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeCursor(String cursor) throws RpcException {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(CURSOR_PREFIX)) {
                return Long.parseLong(decoded.substring(CURSOR_PREFIX.length()));
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                "Invalid cursor: \"" + cursor + "\" is not a cursor this server issued; list again without one");
    }

    // ---------------------------------------------------------------- ending

    /** The 2025 session is gone: its tasks can no longer be reached, so they are cancelled and forgotten. */
    void connectionClosed(Connection c) {
        // Its own tasks only: a stateless request, or a session without tasks, looks at none.
        for (Task t : c.ownedTasks()) {
            t.cancel("the session that created the task closed");
            tasks.asMap().remove(t.id, t);
            c.disownTask(t);
        }
    }

    /** Shutdown: every running task is cancelled. */
    void cancelAll() {
        for (Task t : tasks.asMap().values()) {
            t.cancel("the server shut down");
        }
    }

    /** Tasks kept right now, running or finished. */
    long size() {
        tasks.cleanUp();
        return tasks.estimatedSize();
    }
}
