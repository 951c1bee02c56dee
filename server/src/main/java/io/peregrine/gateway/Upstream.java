package io.peregrine.gateway;

import io.peregrine.client.CallToolResult;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.PendingCall;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.ResourceContents;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.RpcException;
import io.peregrine.tool.ToolArguments;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;
import io.netty.channel.EventLoopGroup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One configured upstream: its replicas, the bulkhead in front of them, and the forwarding of
 * calls. Calls go to the ready replicas in turn; the catalog is the first ready replica's (the
 * replicas of one service offer the same). Every failure a caller meets is a JSON-RPC error that
 * names the upstream: {@link JsonRpcError#UPSTREAM_UNAVAILABLE} when no replica is reachable or the
 * link broke, {@link JsonRpcError#UPSTREAM_TIMEOUT} when the call timeout passed (the upstream is
 * told to cancel), {@link JsonRpcError#SERVER_OVERLOADED} when the bulkhead stayed full; an error
 * the upstream answered is passed on as it came.
 */
final class Upstream implements AutoCloseable {

    /** Hears that the upstream's offer changed (a list, or a replica came or went). */
    interface Listener {
        void changed(Upstream upstream);
    }

    private final UpstreamSpec spec;
    private final List<Replica> replicas = new ArrayList<>();
    private final Semaphore bulkhead;
    private final AtomicInteger turn = new AtomicInteger();
    private final Listener listener;
    /** Connection attempts made, settled or failed: start-up waits until each replica made one. */
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger version = new AtomicInteger();

    Upstream(UpstreamSpec spec, Listener listener, EventLoopGroup loops, ScheduledExecutorService timer, Executor workers) {
        this.spec = spec;
        this.listener = listener;
        this.bulkhead = new Semaphore(spec.maxInFlight(), true);
        if (spec.command() != null) {
            replicas.add(new Replica(this, "stdio:" + spec.command(), loops, timer, workers));
        } else {
            for (String url : spec.urls()) {
                replicas.add(new Replica(this, url, loops, timer, workers));
            }
        }
    }

    UpstreamSpec spec() {
        return spec;
    }

    String name() {
        return spec.name();
    }

    void start() {
        replicas.forEach(Replica::start);
    }

    /** Whether some replica is ready. */
    boolean isReady() {
        for (Replica r : replicas) {
            if (r.isReady()) {
                return true;
            }
        }
        return false;
    }

    /** Whether every replica has been tried at least once (connected and listed, or failed). */
    boolean triedAll() {
        int settled = 0;
        for (Replica r : replicas) {
            if (r.isReady()) {
                settled++;
            }
        }
        return settled + attempts.get() >= replicas.size();
    }

    /** What the upstream offers now: the first ready replica's lists, or nothing. */
    Replica.Lists lists() {
        for (Replica r : replicas) {
            if (r.isReady()) {
                return r.lists();
            }
        }
        return Replica.Lists.EMPTY;
    }

    /** How many times its offer changed. */
    int version() {
        return version.get();
    }

    void attempted() {
        attempts.incrementAndGet();
        listener.changed(this);
    }

    void changed() {
        version.incrementAndGet();
        listener.changed(this);
    }

    /** Why no replica is ready. */
    String failure() {
        List<String> why = new ArrayList<>();
        for (Replica r : replicas) {
            if (!r.isReady() && r.failure() != null) {
                why.add(r.failure());
            }
        }
        return why.isEmpty() ? "not connected" : String.join("; ", why);
    }

    // ------------------------------------------------------------------ forwarding

    ToolResult callTool(String original, ToolArguments arguments, ToolContext context) throws Exception {
        Map<String, Object> args = arguments.asMap();
        String what = "tools/call " + original;
        PeregrineClient client = pick(what);
        enter(what);
        try {
            PendingCall call = client.callToolAsync(original, args, context::progress);
            CallToolResult result = await(call.result(), () -> call.cancel("cancelled by the gateway's client"), what);
            return Definitions.toolResult(result);
        } finally {
            bulkhead.release();
        }
    }

    List<ResourceContents> read(String uri) throws Exception {
        String what = "resources/read " + uri;
        PeregrineClient client = pick(what);
        enter(what);
        try {
            CompletableFuture<List<io.peregrine.client.ResourceContents>> read = client.readResourceAsync(uri);
            return Definitions.contents(await(read, () -> read.cancel(true), what));
        } finally {
            bulkhead.release();
        }
    }

    PromptResult prompt(String original, Map<String, String> arguments) throws Exception {
        String what = "prompts/get " + original;
        PeregrineClient client = pick(what);
        enter(what);
        try {
            CompletableFuture<io.peregrine.client.PromptResult> got = client.getPromptAsync(original, arguments);
            return Definitions.promptResult(await(got, () -> got.cancel(true), what));
        } finally {
            bulkhead.release();
        }
    }

    /** Whether a ready replica's server declared {@code completions}. */
    boolean completes() {
        for (Replica r : replicas) {
            if (r.isReady()) {
                return r.client().serverCapabilities().containsKey("completions");
            }
        }
        return false;
    }

    /** Forwards {@code completion/complete} for an argument of {@code ref} ({@code ref/prompt} or {@code ref/resource}). */
    io.peregrine.completion.Completion complete(io.peregrine.client.CompletionRef ref, String argument, String value,
                                               Map<String, String> context) throws Exception {
        String what = "completion/complete " + ref.name() + " " + argument;
        PeregrineClient client = pick(what);
        enter(what);
        try {
            Map<String, Object> params = new java.util.LinkedHashMap<>();
            params.put("ref", ref.tree());
            params.put("argument", Map.of("name", argument, "value", value));
            if (context != null && !context.isEmpty()) {
                params.put("context", Map.of("arguments", context));
            }
            CompletableFuture<Map<String, Object>> answer = client.request("completion/complete", params);
            return Definitions.completion(await(answer, () -> answer.cancel(true), what));
        } finally {
            bulkhead.release();
        }
    }

    /** A ready replica's client, in turn. */
    private PeregrineClient pick(String what) throws RpcException {
        int n = replicas.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Replica r = replicas.get((start + i) % n);
            if (r.isReady()) {
                return r.client();
            }
        }
        throw error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name() + " is unavailable for " + what + ": "
                + failure());
    }

    private void enter(String what) throws RpcException, InterruptedException {
        if (!bulkhead.tryAcquire(spec.maxInFlightWait().toMillis(), TimeUnit.MILLISECONDS)) {
            throw new RpcException(JsonRpcError.SERVER_OVERLOADED, "Upstream " + name() + " already has " + spec.maxInFlight()
                    + " calls in flight (gateway.upstreams." + name() + ".max-in-flight); " + what + " was not sent, retry shortly",
                    null, Map.of("upstream", name(), "retryAfterMs", 100));
        }
    }

    private <T> T await(CompletableFuture<T> answer, Runnable cancel, String what) throws Exception {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            // The gateway's client cancelled, or the server's own deadline passed: the upstream stops too.
            cancel.run();
            throw e;
        } catch (ExecutionException | CompletionException e) {
            throw translate(e.getCause() != null ? e.getCause() : e, what);
        } catch (CancellationException e) {
            throw error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name() + ": " + what + " was cancelled");
        }
    }

    private Exception translate(Throwable t, String what) {
        if (t instanceof McpClientException) {
            McpClientException e = (McpClientException) t;
            if (e.code() != McpClientException.LOCAL) {
                // The upstream answered with an error: the client sees it as the upstream said it.
                return new RpcException(e.code(), e.getMessage(), null, e.data());
            }
            if (e.getCause() instanceof TimeoutException) {
                return error(JsonRpcError.UPSTREAM_TIMEOUT, "Upstream " + name() + " did not answer " + what + " within "
                        + spec.callTimeout().toMillis() + " ms (gateway.upstreams." + name()
                        + ".call-timeout); it was told to cancel");
            }
            return error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name() + " failed " + what + ": " + e.getMessage());
        }
        return error(JsonRpcError.UPSTREAM_UNAVAILABLE, "Upstream " + name() + " failed " + what + ": " + t);
    }

    private RpcException error(int code, String message) {
        return new RpcException(code, message, null, Map.of("upstream", name()));
    }

    @Override
    public void close() {
        replicas.forEach(Replica::close);
    }

    @Override
    public String toString() {
        return spec.toString();
    }
}
