package io.peregrine.mcp;

import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.ToolResult;
import io.peregrine.transport.Outcome;
import io.peregrine.transport.Transport;

import io.peregrine.policy.Principal;
import io.peregrine.policy.Refusal;
import io.peregrine.transport.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code tools/list} and {@code tools/call}. A call is authorized, looked up, rate-limited, checked
 * against its input schema, planned as a task when asked, served from the result cache when the
 * tool allows, and then run: on the event loop for a non-blocking tool, on the bounded executor
 * otherwise. What happens once it runs (its answer, whatever ends it) is {@link ToolCallAnswers}'s.
 */
final class ToolMethods {

    private static final Logger log = LoggerFactory.getLogger(ToolMethods.class);
    private static final String CURSOR_PREFIX = "after:";

    private final McpServer server;
    private final Json json;
    private final ToolRegistry tools;
    private final SchemaValidator validator;
    private final Tasks tasks;
    private final ToolCallAnswers answers;
    private final McpServer.Settings settings;

    ToolMethods(McpServer server, Json json, ToolRegistry tools, SchemaValidator validator, Tasks tasks,
                ToolCallAnswers answers, McpServer.Settings settings) {
        this.server = server;
        this.json = json;
        this.tools = tools;
        this.validator = validator;
        this.tasks = tasks;
        this.answers = answers;
        this.settings = settings;
    }

    void register(Map<String, McpServer.Method> methods) {
        methods.put("tools/list", this::list);
        methods.put("tools/call", this::call);
    }

    private boolean list(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String cursor = p.string("tools/list", "cursor");
        String after = cursor == null ? null : decodeCursor(cursor);
        List<ToolRegistry.Entry> page = tools.page(after, server.pageSize());
        String next = page.size() == server.pageSize() && tools.hasAfter(page.get(page.size() - 1).tool.name())
                ? encodeCursor(page.get(page.size() - 1).tool.name()) : null;
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> {
            g.writeStartObject();
            McpServer.writeResultPrelude(g, s, true);
            g.writeArrayFieldStart("tools");
            for (ToolRegistry.Entry e : page) {
                if (server.mayList(c, io.peregrine.policy.Grants.TOOL, e.tool.name())) {
                    g.writeRawValue(e.tool.definitionJson());
                }
            }
            g.writeEndArray();
            if (next != null) {
                g.writeStringField("nextCursor", next);
            }
            if (s.isStateless()) {
                server.writeServerInfoMeta(g, null);
            }
            g.writeEndObject();
        }));
        return false;
    }

    private static String encodeCursor(String lastName) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + lastName).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) throws RpcException {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(CURSOR_PREFIX)) {
                return decoded.substring(CURSOR_PREFIX.length());
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw new RpcException(JsonRpcError.INVALID_PARAMS,
                "Invalid cursor: \"" + cursor + "\" is not a cursor this server issued; list again without one");
    }

    private boolean call(Connection c, RpcMessage m, Params p, RequestScope s, Reply r) throws RpcException {
        String name = p.requireString("tools/call", "name");
        ByteBuf args = p.object("tools/call", "arguments");
        PolicyGate gate = server.policyGate();
        if (gate != null) {
            // Before the lookup, so that a principal cannot learn which tools exist beyond its grants.
            gate.authorize(c, name);
        }
        ToolRegistry.Entry entry = tools.get(name);
        if (entry == null) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name);
        }
        if (gate != null) {
            if (c.isAdmitting(m.id())) {
                throw duplicate(m.id()); // before its tokens are taken
            }
            CompletableFuture<Refusal> admission = gate.acquire(c, name);
            if (!admission.isDone()) {
                continueWhenAdmitted(c, m, p, s, r, name, entry, args, admission);
                return true;
            }
            Refusal refusal = admission.join();
            if (refusal != null) {
                throw PolicyGate.toRpc(refusal);
            }
        }
        return admitted(c, m, p, s, r, name, entry, args);
    }

    /**
     * A call whose rate limits are decided elsewhere (shared through Redis): the event loop goes
     * on serving other requests and connections while the decision is made, and the call goes on
     * from the decision, back on the event loop it arrived on, with that request's origin and
     * principal. The decision comes within the store's timeout, whatever the store does (a hung
     * Redis included), so the call waits no longer. Meanwhile it counts against the connection's
     * in-flight bound like a running call.
     */
    private void continueWhenAdmitted(Connection c, RpcMessage m, Params p, RequestScope s, Reply r, String name,
                                      ToolRegistry.Entry entry, ByteBuf args, CompletableFuture<Refusal> admission) {
        continueWhenDone(c, m, r, entry, admission, "its rate-limit decision", null, () -> {
            Refusal refusal = admission.join();
            if (refusal != null) {
                throw PolicyGate.toRpc(refusal);
            }
            return admitted(c, m, p, s, r, name, entry, args);
        });
    }

    /** What a call does once what it waited for is there; true when the request is kept beyond the return. */
    private interface Continuation {
        boolean run() throws RpcException;
    }

    /**
     * Suspends a call until {@code pending} completes, then runs {@code next} back on the event loop
     * it arrived on, with that request's origin and principal. Meanwhile the call counts against
     * the connection's in-flight bound like a running call. {@code gone} (may be null) runs
     * instead of {@code next} when the client left meanwhile or the server stopped.
     */
    private void continueWhenDone(Connection c, RpcMessage m, Reply r, ToolRegistry.Entry entry,
                                  CompletableFuture<?> pending, String after, Runnable gone, Continuation next) {
        Peer origin = c.origin != null ? c.origin : c.peer;
        Principal principal = c.principal;
        RequestId id = m.id();
        c.admitting().add(id);
        if (c.callsCounted() >= settings.maxInFlight) {
            c.peer.pauseReading(true);
        }
        Runnable resume = ObservedReply.inContext(r, () -> {
            c.origin = origin;
            c.principal = principal;
            c.admitting().remove(id);
            if (c.callsCounted() < settings.maxInFlight) {
                c.peer.pauseReading(false);
            }
            boolean taken = false;
            try {
                if (!origin.isOpen()) {
                    if (gone != null) {
                        gone.run();
                    }
                    r.respondNothing(); // the client left while its call waited: nobody to answer, nothing to run
                    return;
                }
                taken = next.run();
            } catch (RpcException e) {
                server.answerError(c, m, r, e);
            } catch (RuntimeException e) {
                log.warn("tools/call {} failed after {} on {}", entry.tool.name(), after, c, e);
                server.answerError(c, m, r, new RpcException(JsonRpcError.INTERNAL_ERROR, "Internal error: tools/call "
                        + entry.tool.name() + " failed after " + after + ": " + e));
            } finally {
                if (!taken) {
                    m.release();
                }
            }
        });
        pending.whenComplete((value, failure) -> {
            try {
                origin.executor().execute(resume);
            } catch (RejectedExecutionException e) {
                // The event loops are gone: the server stopped, and the connection with it.
                c.admitting().remove(id);
                if (gone != null) {
                    gone.run();
                }
                m.release();
            }
        });
    }

    private static RpcException duplicate(RequestId id) {
        return new RpcException(JsonRpcError.INVALID_REQUEST,
                "Duplicate request id " + id + ": a request with this id is still in flight");
    }

    /** The rest of a call, once its rate limits admitted it; true when {@code m} is kept beyond the return. */
    private boolean admitted(Connection c, RpcMessage m, Params p, RequestScope s, Reply r, String name,
                             ToolRegistry.Entry entry, ByteBuf args) throws RpcException {
        PolicyGate gate = server.policyGate();
        if (entry.paramHeaders != null && s.isStateless() && c.peer.transport() == Transport.HTTP) {
            entry.paramHeaders.check(argumentTree(args), c.peer::requestHeader);
        }
        if (settings.validateArguments && entry.tool.validatesArguments()) {
            List<String> problems;
            try {
                problems = validator.validate(entry.fastInput, p.vouchedBy(), entry.inputSchema, args);
            } catch (IOException e) {
                problems = List.of("arguments could not be read: " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                return invalidArguments(c, m, s, r, name, String.join("; ", problems));
            }
        }
        if (entry.tool.taskSupport() != TaskSupport.FORBIDDEN || (!s.isStateless() && p.has("task"))) {
            Task task = tasks.plan(c, s, p, entry);
            if (task != null) {
                return startTask(c, m, s, entry, args, r, task);
            }
        }
        io.peregrine.policy.ResultCache.Lookup cached = null;
        if (gate != null && entry.tool.isCacheable() && !(s.isStateless() && InputRequests.carriesInput(p))) {
            cached = gate.lookup(c, entry.tool, args);
            if (cached != null) {
                server.observer().cacheLookup("result", !cached.isLeader());
            }
            if (cached != null && !cached.isLeader()) {
                answerShared(c, m, s, r, entry, cached);
                return true;
            }
            if (cached != null) {
                io.peregrine.policy.ResultCache cache = gate.chain().cache();
                long flight = entry.tool.timeout() != null ? entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
                CompletableFuture<ToolResult> remote = cache.remote(cached, flight);
                if (remote != null) {
                    io.peregrine.policy.ResultCache.Lookup lead = cached;
                    continueWhenDone(c, m, r, entry, remote, "its shared cache lookup", () -> cache.abandon(lead), () -> {
                        ToolResult found = remote.join();
                        server.observer().cacheLookup("result-shared", found != null);
                        if (found == null) {
                            return run(c, m, p, s, r, name, entry, args, lead);
                        }
                        cache.completeFromShared(lead, found);
                        answerShared(c, m, s, r, entry, lead);
                        return true;
                    });
                    return true;
                }
                if (cache.isShared()) {
                    server.observer().cacheLookup("result-shared", false);
                }
            }
        }
        return run(c, m, p, s, r, name, entry, args, cached);
    }

    /** The call's arguments, with what validation read of them when it was this tool's schema that read them. */
    private ByteBufToolArguments arguments(Params p, ToolRegistry.Entry entry, ByteBuf args) {
        // Only this tool's schema read them (argumentStrings is null whenever no schema did).
        TopStrings seen = p.vouchedBy() == entry.fastInput ? p.argumentStrings() : null;
        return new ByteBufToolArguments(json, args, seen);
    }

    /**
     * Runs the call, a leader of the result cache's {@code cached} entry if not null (which it
     * completes, or abandons should the call not start); true when {@code m} is kept beyond the return.
     */
    private boolean run(Connection c, RpcMessage m, Params p, RequestScope s, Reply r, String name,
                        ToolRegistry.Entry entry, ByteBuf args, io.peregrine.policy.ResultCache.Lookup cached)
            throws RpcException {
        // A call that may take its time (blocking, or answered later) is tracked in flight: timed, cancellable.
        boolean tracked = entry.tool.isBlocking() || entry.tool.asyncHandler() != null;
        if (cached != null && tracked
                && (c.isAdmitting(m.id()) || c.inFlight(m.id()) != null)) {
            server.policyGate().chain().cache().abandon(cached);
            throw duplicate(m.id());
        }
        ToolCall call = new ToolCall(answers, c, m, s, entry, arguments(p, entry, args), r);
        call.cacheFill = cached;
        if (s.isStateless() && InputRequests.carriesInput(p)) {
            call.inputs(server.asking().inputsOf(c, p, s, "tools/call", name, args));
        }
        if (!tracked) {
            answers.callStarted();
            ObservedReply.inContext(r, call).run();
            return true;
        }
        if (c.isAdmitting(m.id()) || c.inFlight().putIfAbsent(m.id(), call) != null) {
            throw duplicate(m.id());
        }
        answers.callStarted();
        if (c.callsCounted() >= settings.maxInFlight) {
            c.peer.pauseReading(true);
        }
        long timeout = entry.tool.timeout() != null ? entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
        if (p.timeoutMillis() > 0) {
            // The client's own deadline, when shorter: nobody waits for an answer after it.
            timeout = Math.min(timeout, p.timeoutMillis());
        }
        call.scheduleDeadline(timeout);
        if (!entry.tool.isBlocking()) {
            // Asynchronous: started here, on the I/O thread, and answered when its stage completes.
            ObservedReply.inContext(r, call).run();
            return true;
        }
        if (!server.executor().tryExecute(ObservedReply.inContext(r, call))) {
            call.drop();
            call.abortOverloaded();
        }
        return true;
    }

    /** Answers {@code m} with the result of the identical call it coalesced with, once there is one. */
    private void answerShared(Connection c, RpcMessage m, RequestScope s, Reply r, ToolRegistry.Entry entry,
                              io.peregrine.policy.ResultCache.Lookup shared) {
        shared.future().whenComplete((result, failure) -> {
            try {
                ToolResult answer = result != null ? result : ToolResult.error("Tool " + entry.tool.name()
                        + ": the identical call this one waited on ended without a result; retry");
                r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> answers.writeToolResult(g, s, answer)),
                        answer.isError() ? Reply.TOOL_ERROR : Outcome.RESULT);
            } finally {
                m.release();
            }
        });
    }

    /** Runs the call as {@code task}: answered at once with the task, the call's own answer kept for later. */
    private boolean startTask(Connection c, RpcMessage m, RequestScope s, ToolRegistry.Entry entry, ByteBuf args,
                              Reply r, Task task) {
        ToolCall call = new ToolCall(answers, c, m, s, entry, new ByteBufToolArguments(json, args), new TaskReply(json, task));
        call.task(task);
        task.attach(call);
        // Not in the connection's in-flight map: a task outlives its request, and in 2026-07-28 its connection.
        answers.callStarted();
        long timeout = entry.tool.timeout() != null ? entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
        call.scheduleDeadline(timeout);
        if (!server.executor().tryExecute(ObservedReply.inContext(r, call))) {
            tasks.forget(task);
            call.drop();
            call.abandon();
            server.rejected(c.peer, McpObserver.Rejection.OVERLOADED);
            r.respond(answers.overloaded(c, m.id()), ToolCallAnswers.OVERLOADED);
            return true;
        }
        // Answered once other replicas can read the task (at once when tasks are not shared), so that
        // a tasks/get right after the answer finds it wherever it lands; a store that fails only delays it.
        io.peregrine.rpc.RequestId id = m.id();
        Runnable created = () -> r.respond(server.writer().result(c.peer.alloc(), id, g -> tasks.writeCreated(g, task)));
        if (task.shared.isDone()) {
            created.run();
        } else {
            task.shared.whenComplete((ignored, failure) -> created.run());
        }
        return true;
    }

    private boolean invalidArguments(Connection c, RpcMessage m, RequestScope s, Reply r, String tool, String problems)
            throws RpcException {
        String message = "Invalid arguments for tool " + tool + ": " + problems;
        if (!s.version().reportsArgumentErrorsInResult()) {
            throw new RpcException(JsonRpcError.INVALID_PARAMS, message);
        }
        ToolResult result = ToolResult.error(message);
        r.respond(server.writer().result(c.peer.alloc(), m.id(), g -> answers.writeToolResult(g, s, result)), Reply.TOOL_ERROR);
        return false;
    }

    // ---------------------------------------------------------------- call outcomes (any thread)

    @SuppressWarnings("unchecked")
    private Map<String, Object> argumentTree(ByteBuf args) throws RpcException {
        Object tree = args == null ? null : server.tree(args);
        return tree instanceof Map ? (Map<String, Object>) tree : Map.of();
    }
}
