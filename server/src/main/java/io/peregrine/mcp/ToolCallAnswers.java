package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.MissingClientCapabilityException;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;
import io.peregrine.tool.internal.ToolJson;
import io.peregrine.transport.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a running {@code tools/call} is answered, from whichever thread ends it (see
 * {@link ToolCall}): with its result (checked against the tool's output schema), with an error
 * result for what its handler threw, on timeout, shutdown or overload, as a task it continues as,
 * or with the questions it still has for the client. Also the count of calls running, which drain
 * waits on, and the bookkeeping that frees a call's slot on its connection.
 */
final class ToolCallAnswers {

    private static final Logger log = LoggerFactory.getLogger(ToolCallAnswers.class);

    /** A call refused because the executor is full: retry after 100 ms. */
    static final Outcome OVERLOADED = Outcome.error(JsonRpcError.SERVER_OVERLOADED, null, 100);

    private final McpServer server;
    private final Json json;
    private final SchemaValidator validator;
    private final Tasks tasks;
    private final McpServer.Settings settings;
    private final AtomicInteger running = new AtomicInteger();

    ToolCallAnswers(McpServer server, Json json, SchemaValidator validator, Tasks tasks, McpServer.Settings settings) {
        this.server = server;
        this.json = json;
        this.validator = validator;
        this.tasks = tasks;
        this.settings = settings;
    }

    McpServer server() {
        return server;
    }

    /** A call starts running. */
    void callStarted() {
        running.incrementAndGet();
    }

    /** Calls running right now, over all connections. */
    int running() {
        return running.get();
    }

    void answerResult(ToolCall call, ToolResult result) {
        ToolRegistry.Entry entry = call.entry;
        if (entry.outputSchema != null && settings.validateArguments && !result.isError()) {
            String problem = checkOutput(entry, result);
            if (problem != null) {
                log.warn("tool {} returned a result that breaks its outputSchema: {}", entry.tool.name(), problem);
                settled(call, null);
                answerError(call, JsonRpcError.INTERNAL_ERROR, "Tool " + entry.tool.name()
                        + " returned structuredContent that does not match its outputSchema: " + problem);
                return;
            }
        }
        settled(call, result);
        call.reply.respond(server.writer().result(call.connection.peer.alloc(), call.id(),
                g -> writeToolResult(g, call.scope, result)), result.isError() ? Reply.TOOL_ERROR : Outcome.RESULT);
    }

    private String checkOutput(ToolRegistry.Entry entry, ToolResult result) {
        if (!result.hasStructuredContent()) {
            return "the tool declares an outputSchema but returned no structuredContent";
        }
        try {
            List<String> problems = validator.validateTree(entry.outputSchema, result.structuredContent());
            return problems.isEmpty() ? null : String.join("; ", problems);
        } catch (IOException | RuntimeException e) {
            return "structuredContent could not be checked: " + e.getMessage();
        }
    }

    void answerFailure(ToolCall call, Throwable t) {
        settled(call, null);
        String tool = call.entry.tool.name();
        if (t instanceof InvalidArgumentsException) {
            String message = "Invalid arguments for tool " + tool + ": " + t.getMessage();
            if (!call.scope.version().reportsArgumentErrorsInResult()) {
                answerError(call, JsonRpcError.INVALID_PARAMS, message);
                return;
            }
            answerToolError(call, message);
            return;
        }
        if (t instanceof MissingClientCapabilityException) {
            ClientFeature feature = ((MissingClientCapabilityException) t).feature();
            call.reply.respond(server.writer().error(call.connection.peer.alloc(), call.id(),
                    JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY, t.getMessage(),
                    Map.of("requiredCapabilities", feature.requiredCapabilities())),
                    Outcome.error(JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY));
            return;
        }
        if (t instanceof io.peregrine.rpc.RpcException) {
            // A handler that forwards the call (the gateway) answers with the error it met.
            io.peregrine.rpc.RpcException e = (io.peregrine.rpc.RpcException) t;
            call.reply.respond(server.writer().error(call.connection.peer.alloc(), call.id(), e.code(), e.getMessage(),
                    e.data()), Outcome.error(e.code()));
            return;
        }
        if (t instanceof ToolException) {
            answerToolError(call, t.getMessage());
            return;
        }
        if (t instanceof InterruptedException) {
            answerToolError(call, "Tool " + tool + " was interrupted");
            return;
        }
        log.warn("tool {} failed on {}", tool, call.connection, t);
        answerToolError(call, "Tool " + tool + " failed: " + (t.getMessage() != null ? t.getMessage() : t.toString()));
    }

    /**
     * The call goes on as a task: its request is answered with the task now, and its own answer
     * will be the task's. False when it already ended (its answer went to the request).
     */
    boolean continueAsTask(ToolCall call) {
        Task task = tasks.createDetached();
        Reply original;
        synchronized (call) {
            if (call.hasEnded()) {
                tasks.forget(task);
                return false;
            }
            original = call.reply;
            call.task(task);
            task.attach(call);
            call.reply = new TaskReply(json, task);
        }
        // The request is answered: its id and its slot on the connection are free again.
        Connection c = call.connection;
        if (c.removeInFlight(call) && c.callsCounted() < settings.maxInFlight) {
            c.peer.pauseReading(false);
        }
        original.respond(server.writer().result(c.peer.alloc(), call.id(), g -> tasks.writeCreated(g, task)));
        return true;
    }

    /** 2026-07-28: the call asked what the client has not answered yet. */
    void answerInputRequired(ToolCall call) {
        call.reply.respond(server.asking().inputRequired(call.connection, call.id(), call.inputs()));
    }

    void answerTimeout(ToolCall call) {
        settled(call, null);
        long ms = call.entry.tool.timeout() != null ? call.entry.tool.timeout().toMillis() : settings.defaultTimeoutMillis;
        answerToolError(call, "Tool " + call.entry.tool.name() + " timed out after " + ms + " ms and was cancelled");
    }

    void answerShutdown(ToolCall call) {
        settled(call, null);
        answerError(call, JsonRpcError.SHUTTING_DOWN,
                "Server shut down before tool " + call.entry.tool.name() + " finished; retry on another instance");
    }

    private void answerToolError(ToolCall call, String message) {
        ToolResult result = ToolResult.error(message);
        call.reply.respond(server.writer().result(call.connection.peer.alloc(), call.id(),
                g -> writeToolResult(g, call.scope, result)), Reply.TOOL_ERROR);
    }

    private void answerError(ToolCall call, int code, String message) {
        call.reply.respond(server.writer().error(call.connection.peer.alloc(), call.id(), code, message, null), Outcome.error(code));
    }

    void answerOverloaded(ToolCall call) {
        settled(call, null);
        server.rejected(call.connection.peer, McpObserver.Rejection.OVERLOADED);
        call.reply.respond(overloaded(call.connection, call.id()), OVERLOADED);
    }

    ByteBuf overloaded(Connection c, RequestId id) {
        Map<String, Object> data = new HashMap<>();
        data.put("retryAfterMs", OVERLOADED.retryAfterMillis());
        data.put("maxConcurrency", server.executor().maxConcurrency());
        return server.writer().error(c.peer.alloc(), id, JsonRpcError.SERVER_OVERLOADED,
                "Server overloaded: " + server.executor().maxConcurrency()
                        + " blocking tool calls are already running (exec.max-concurrency); retry shortly", data);
    }

    /** Bookkeeping once a call has ended, whoever ended it. */
    void callEnded(ToolCall call) {
        Connection c = call.connection;
        if (c.removeInFlight(call) && c.callsCounted() < settings.maxInFlight) {
            c.peer.pauseReading(false);
        }
        running.decrementAndGet();
    }

    void writeToolResult(JsonGenerator g, RequestScope s, ToolResult result) throws IOException {
        g.writeStartObject();
        McpServer.writeResultPrelude(g, s, false);
        ToolJson.writeResultFields(result, g);
        if (s.isStateless()) {
            server.writeServerInfoMeta(g, result.meta());
        } else if (result.meta() != null) {
            g.writeFieldName("_meta");
            JsonTree.write(g, result.meta());
        }
        g.writeEndObject();
    }

    /** A call ended with {@code result} (null: without one): fill or forget the cache entry it leads. */
    private void settled(ToolCall call, ToolResult result) {
        if (call.cacheFill == null) {
            return;
        }
        if (result != null) {
            server.policyGate().chain().cache().complete(call.cacheFill, result);
        } else {
            server.policyGate().chain().cache().abandon(call.cacheFill);
        }
    }

    /** The call was cancelled or its connection closed: no answer follows. */
    void callDropped(ToolCall call) {
        settled(call, null);
    }
}
