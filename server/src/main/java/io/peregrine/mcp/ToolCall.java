package io.peregrine.mcp;

import io.peregrine.exec.ToolExecutor;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.ToolArguments;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One running {@code tools/call}, and the {@link ToolContext} its handler sees.
 *
 * <p>A call ends exactly once, by whichever comes first: the handler returns or throws, the
 * deadline passes, the client cancels, the connection closes, or the server shuts down. The
 * {@code ended} flag decides the race; only the winner answers. The request's bytes are released
 * only when both the answer is settled and the handler has stopped touching its arguments, counted
 * by {@link #holders}, so an abandoned handler that is still running never reads freed memory.
 */
final class ToolCall implements ToolContext, Runnable {

    private final ToolCallAnswers answers;
    private final McpServer server;
    final Connection connection;
    final RpcMessage message;
    final RequestScope scope;
    final ToolRegistry.Entry entry;
    final ToolArguments arguments;
    /** Where the call's messages go; replaced once, when the call continues as a task. */
    volatile Reply reply;

    private static final AtomicIntegerFieldUpdater<ToolCall> ENDED =
            AtomicIntegerFieldUpdater.newUpdater(ToolCall.class, "ended");
    private static final AtomicIntegerFieldUpdater<ToolCall> HOLDERS =
            AtomicIntegerFieldUpdater.newUpdater(ToolCall.class, "holders");

    /** How long an interrupted handler may take to return before its call counts as stray. */
    static final long STRAY_GRACE_MILLIS = 1_000;

    private volatile int ended;
    private volatile int holders = 2;
    private volatile boolean cancelled;
    private Thread runner;
    /** The executor slot the handler runs in; null for a non-blocking tool, which runs on the event loop. */
    private ToolExecutor.Slot slot;
    private io.peregrine.exec.Deadlines.Timer deadline;
    /** An asynchronous handler's stage while it runs; cancelled should the call end first. */
    private volatile CompletableFuture<ToolResult> pending;
    /** When the deadline passes ({@link System#nanoTime()}); 0 until armed. */
    private volatile long deadlineNanos;
    /** Set by policy before the call runs: the cache entry this call fills, or null. */
    io.peregrine.policy.ResultCache.Lookup cacheFill;
    /** Who the call is for, as policy admitted it on the event loop before the call was made; null when anonymous. */
    private final io.peregrine.policy.Principal principal;
    /** Null for the many calls that neither ask the client nor run as tasks, so they carry nothing more. */
    private Asking asking;
    /** The client's capabilities as this request sees them, once asked: a gateway asks for every forwarded call. */
    private volatile Map<String, Object> capabilities;

    ToolCall(ToolCallAnswers answers, Connection connection, RpcMessage message, RequestScope scope,
             ToolRegistry.Entry entry, ToolArguments arguments, Reply reply) {
        this.answers = answers;
        this.server = answers.server();
        this.connection = connection;
        this.message = message;
        this.scope = scope;
        this.entry = entry;
        this.arguments = arguments;
        this.reply = reply;
        this.principal = connection.principal;
    }

    @Override
    public String principal() {
        io.peregrine.policy.Principal p = principal;
        return p == null || p == io.peregrine.policy.Principal.ANONYMOUS ? null : p.method() + ":" + p.name();
    }

    @Override
    public String sessionKey() {
        if (scope.isStateless()) {
            return null;
        }
        String id = connection.peer.sessionId();
        return id != null ? id : connection.peer.transport().label() + ":" + connection.peer.remoteAddress();
    }

    RequestId id() {
        return message.id();
    }

    /** Arms the deadline on the connection's event loop. */
    void scheduleDeadline(long timeoutMillis) {
        deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        deadline = io.peregrine.exec.Deadlines.arm(connection.peer.executor(), this::expire,
                TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    @Override
    public long remainingMillis() {
        long at = deadlineNanos;
        return at == 0 ? Long.MAX_VALUE : Math.max(0, TimeUnit.NANOSECONDS.toMillis(at - System.nanoTime()));
    }

    /**
     * Runs the handler on the current thread and answers with its outcome, unless the call already
     * ended; an asynchronous handler is only started here, and answered when its stage completes.
     */
    @Override
    public void run() {
        boolean handedOn = false;
        try {
            if (!enter()) {
                return;
            }
            if (entry.tool.asyncHandler() != null) {
                handedOn = start();
                return;
            }
            ToolResult result;
            try {
                result = entry.tool.handler().call(arguments, this);
            } catch (Throwable t) {
                leave();
                finish(null, t);
                return;
            }
            leave();
            finish(result, null);
        } finally {
            if (!handedOn) {
                drop();
            }
        }
    }

    /**
     * Starts the asynchronous handler; true when its stage holds the request's bytes from now on
     * (released as it completes, since the handler may read its arguments until then).
     */
    private boolean start() {
        CompletableFuture<ToolResult> stage;
        try {
            CompletionStage<ToolResult> started = entry.tool.asyncHandler().call(arguments, this);
            if (started == null) {
                throw new IllegalStateException("the asynchronous handler of tool " + entry.tool.name()
                        + " returned no stage");
            }
            stage = started.toCompletableFuture();
        } catch (Throwable t) {
            leave();
            finish(null, t);
            return false;
        }
        leave();
        pending = stage;
        io.peregrine.exec.EndHookFuture.whenEnded(stage, (result, failure) -> {
            try {
                finish(result, unwrap(failure));
            } finally {
                drop();
            }
        });
        if (cancelled) {
            stage.cancel(false); // the call ended while its handler started
        }
        return true;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Answers with the handler's outcome ({@code failure} null: {@code result}), unless the call already ended. */
    private void finish(ToolResult result, Throwable failure) {
        if (end()) {
            // A handler that swallowed InputRequiredException still owes the client its questions.
            if (inputs() != null && inputs().hasMissing()) {
                answers.answerInputRequired(this);
            } else if (failure != null) {
                answers.answerFailure(this, failure);
            } else {
                answers.answerResult(this, result);
            }
            drop();
        }
    }

    /** The client cancelled: stop the handler, answer nothing (as the spec asks). */
    void cancel() {
        if (end()) {
            interrupt();
            watchForStray();
            answers.callDropped(this);
            reply.respondNothing();
            drop();
        }
    }

    /** The deadline passed: stop the handler and answer with an error result. */
    private void expire() {
        if (end()) {
            interrupt();
            watchForStray();
            answers.answerTimeout(this);
            drop();
        }
    }

    /** The server is closing before the call finished: stop it and say so. */
    void abort() {
        if (end()) {
            interrupt();
            watchForStray();
            answers.answerShutdown(this);
            drop();
        }
    }

    /** The executor was full: the handler never ran; answer with an overload error. */
    void abortOverloaded() {
        if (end()) {
            answers.answerOverloaded(this);
            drop();
        }
    }

    /** The connection is gone: nobody to answer. */
    void abandon() {
        if (end()) {
            interrupt();
            watchForStray();
            answers.callDropped(this);
            reply.dropped();
            drop();
        }
    }

    // Synchronized with continueAsTask: a call is either ended or detached into a task, never both.
    private synchronized boolean end() {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return false;
        }
        cancelled = true;
        if (deadline != null) {
            deadline.cancel();
        }
        answers.callEnded(this);
        return true;
    }

    private synchronized boolean enter() {
        if (cancelled) {
            return false;
        }
        // An asynchronous handler returns at once: its thread (an I/O thread, often) is never interrupted.
        runner = entry.tool.asyncHandler() == null ? Thread.currentThread() : null;
        slot = ToolExecutor.currentSlot();
        return true;
    }

    /** The handler returned: its thread only answers from here, so its slot can take the next call. */
    private synchronized void leave() {
        runner = null;
        Thread.interrupted();
        if (slot != null) {
            slot.done();
        }
    }

    /**
     * The call has ended and its handler was interrupted. One that has not returned after
     * {@link #STRAY_GRACE_MILLIS} ignores the interrupt: the executor is told, so that the slot
     * it holds can serve other calls (up to {@code exec.max-stray-calls}).
     */
    private void watchForStray() {
        ToolExecutor.Slot s;
        synchronized (this) {
            s = runner != null ? slot : null;
        }
        if (s == null) {
            return;
        }
        String what = "tools/call " + entry.tool.name() + " (id " + message.id() + ") on " + connection.peer.transport();
        try {
            connection.peer.executor().schedule(() -> {
                boolean running;
                synchronized (ToolCall.this) {
                    running = runner != null;
                }
                if (running) {
                    s.stray(what);
                }
            }, STRAY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            s.stray(what); // the event loop is shutting down: say so now
        }
    }

    /** Stops the handler: interrupts its thread, or cancels its stage. */
    private void interrupt() {
        CompletableFuture<ToolResult> stage;
        synchronized (this) {
            if (runner != null) {
                runner.interrupt();
            }
            stage = pending;
        }
        if (stage != null) {
            stage.cancel(false);
        }
    }

    /** Drops one of the two holds on the request's bytes: the runner's, or the answer's. */
    void drop() {
        if (HOLDERS.decrementAndGet(this) == 0) {
            message.release();
        }
    }

    @Override
    public String requestId() {
        return message.id().toString();
    }

    @Override
    public String protocolVersion() {
        return scope.version().id();
    }

    @Override
    public Map<String, Object> clientInfo() {
        return scope.clientInfo();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean wantsProgress() {
        return scope.progressToken() != null;
    }

    @Override
    public void progress(double progress, Double total, String text) {
        RequestId token = scope.progressToken();
        if (token != null && !cancelled) {
            server.asking().sendProgress(connection, reply, token, progress, total, text);
        }
    }

    @Override
    public boolean isLoggable(LogLevel level) {
        return !cancelled && level.reaches(LoggingMethods.threshold(connection, scope));
    }

    @Override
    public void log(LogLevel level, String logger, Object data) {
        if (isLoggable(level)) {
            server.logging().send(connection, reply, level, logger, data);
        }
    }

    @Override
    public boolean clientSupports(ClientFeature feature) {
        return feature.isDeclaredIn(capabilities());
    }

    private Map<String, Object> capabilities() {
        Map<String, Object> c = capabilities;
        if (c == null) {
            // Read once: a stateless request's declaration is read from its _meta. Two threads may
            // both read it; either result is the same.
            c = scope.clientCapabilities();
            capabilities = c;
        }
        return c;
    }

    @Override
    public List<Object> ask(ClientRequest... requests) throws ClientRequestException, InterruptedException {
        RequestQuestions.checkDeclared(capabilities(), requests, "Tool " + entry.tool.name());
        if (requests.length == 0) {
            return List.of();
        }
        if (task() != null) {
            return askForTask(requests);
        }
        if (scope.isStateless()) {
            return answerInRounds(requests);
        }
        return server.asking().askClient(this, requests);
    }

    /**
     * 2026-07-28: the answers the request brought, or the question recorded for the round. A
     * gateway's relay may ask from several threads at once (questions its upstream sent together).
     */
    private synchronized List<Object> answerInRounds(ClientRequest[] requests) {
        Asking a = asking();
        if (a.inputs == null) {
            a.inputs = InputRequests.none("tools/call", entry.tool.name(),
                    ((ByteBufToolArguments) arguments).raw(), scope.version().id(), ClientAsking.principalOf(connection));
        }
        return a.inputs.answer(requests);
    }

    /** A task waits for its answers: through tasks/update (2026-07-28), or requests to its session (2025). */
    private List<Object> askForTask(ClientRequest[] requests) throws ClientRequestException, InterruptedException {
        Task task = task();
        if (!scope.isStateless()) {
            task.waitingForClient(true);
            try {
                return server.asking().askClient(this, requests);
            } finally {
                task.waitingForClient(false);
            }
        }
        List<Object> trees = task.awaitInput(requests);
        List<Object> answers = new java.util.ArrayList<>(trees.size());
        for (int i = 0; i < requests.length; i++) {
            answers.add(ClientAnswers.convert(requests[i], trees.get(i)));
        }
        return answers;
    }

    /** What a call that asks the client or runs as a task carries. */
    private static final class Asking {
        /** 2026-07-28: the answers the request brought and the questions this run asked. */
        InputRequests inputs;
        /** Set when the call runs as a task. */
        volatile Task task;
    }

    // Synchronized: a gateway's relay may ask from several threads at once, and one Asking must win.
    private synchronized Asking asking() {
        Asking a = asking;
        if (a == null) {
            a = new Asking();
            asking = a;
        }
        return a;
    }

    /** The MRTR answers and questions of this run, or null. */
    InputRequests inputs() {
        Asking a = asking;
        return a == null ? null : a.inputs;
    }

    void inputs(InputRequests inputs) {
        asking().inputs = inputs;
    }

    /** The task this call runs as, or null. */
    Task task() {
        Asking a = asking;
        return a == null ? null : a.task;
    }

    void task(Task task) {
        asking().task = task;
    }

    boolean hasEnded() {
        return ended != 0;
    }

    @Override
    public boolean continueAsTask() {
        if (task() != null || !scope.isStateless() || !entry.tool.startsTaskItself()
                || !Tasks.declaresExtension(capabilities())) {
            return false;
        }
        return answers.continueAsTask(this);
    }

    @Override
    public Runnable elicitationCompletion(String elicitationId) {
        Objects.requireNonNull(elicitationId, "elicitationId");
        if (scope.version() != ProtocolVersion.V2025_11_25) {
            return () -> { };
        }
        java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (sent.compareAndSet(false, true)) {
                server.asking().sendElicitationComplete(connection, reply, elicitationId);
            }
        };
    }

    @Override
    public String toString() {
        return "tools/call " + entry.tool.name() + " id=" + message.id() + " on " + connection;
    }
}
