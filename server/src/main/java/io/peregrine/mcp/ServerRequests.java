package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RequestId;
import io.peregrine.rpc.RpcMessage;
import io.peregrine.rpc.JsonRpcWriter;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.transport.Peer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests this server sent to one client and is waiting for the answers to (2025 era:
 * {@code elicitation/create}, {@code sampling/createMessage}, {@code roots/list}).
 *
 * <p>Ids are strings, {@code "peregrine-1"}, {@code "peregrine-2"}, ..., from a per-connection
 * counter: requests in the two directions are separate id spaces, and string ids read plainly in a
 * trace beside a client's own numbers. A request leaves the table exactly once, by whichever comes
 * first: its answer arrives, its timeout passes, the asking call gives up (it was cancelled or hit
 * its own deadline), or the connection closes. Answers that match nothing are the caller's to
 * refuse. Correlation is per connection (for Streamable HTTP, per session), whatever exchange the
 * answer arrives on.
 *
 * <p>Responses arrive on the connection's event loop; requests are made from tool threads; the
 * table is concurrent, and each entry's future decides the race between its possible endings.
 */
final class ServerRequests {

    private static final String ID_PREFIX = "peregrine-";

    /** One question in flight. */
    static final class Pending {
        final RequestId id;
        final String method;
        final CompletableFuture<Object> answer = new CompletableFuture<>();
        private volatile Future<?> timeout;

        Pending(RequestId id, String method) {
            this.id = id;
            this.method = method;
        }

        @Override
        public String toString() {
            return method + " id=" + id;
        }
    }

    private final Map<RequestId, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();

    /**
     * Sends {@code requests} to the client, all at once, through {@code reply} (so that on
     * Streamable HTTP they travel on the stream of the call that asks), and waits for every answer.
     * Whatever is still pending when this returns or throws is forgotten, and the client is told
     * with {@code notifications/cancelled}. Each request waits for its answer as long as
     * {@code settings} say, by their clock.
     *
     * @throws IllegalStateException on an event loop, which must never wait
     */
    List<Object> ask(JsonRpcWriter writer, Peer peer, Reply reply, String protocolVersion, String asker,
                     String relatedTask, ClientRequest[] requests, ClientRequestSettings settings)
            throws ClientRequestException, InterruptedException {
        // Any event loop, not only the connection's: an HTTP session's requests arrive on many.
        if (io.netty.util.internal.ThreadExecutorMap.currentExecutor() != null) {
            throw new IllegalStateException(asker + " asked the client (" + requests[0].method() + ") from an I/O thread, "
                    + "which must not wait for the answer: make the tool blocking(true)");
        }
        Pending[] asked = new Pending[requests.length];
        try {
            for (int i = 0; i < requests.length; i++) {
                ClientRequest r = requests[i];
                Map<String, Object> params = withMeta(r.params(protocolVersion), r.key(), relatedTask);
                Pending p = register(r.method());
                asked[i] = p;
                ByteBuf message = writer.request(peer.alloc(), p.id, r.method(), g -> JsonTree.write(g, params));
                armTimeout(p, settings.clock, peer.executor(), settings.timeoutMillis,
                        () -> sendCancelled(writer, peer, reply, p, "timed out"));
                reply.send(message);
            }
            List<Object> answers = new ArrayList<>(requests.length);
            for (int i = 0; i < requests.length; i++) {
                answers.add(convert(requests[i], await(asked[i])));
            }
            return answers;
        } finally {
            for (Pending p : asked) {
                if (p != null && abandon(p)) {
                    sendCancelled(writer, peer, reply, p, "the tool call that asked ended");
                }
            }
        }
    }

    /**
     * What this server adds to a request's {@code _meta}, kept beside what the request already
     * carries there: the question's 2026-07-28 {@code inputRequests} key when the tool chose one
     * ({@link ClientRequest#META_INPUT_KEY}: a gateway in front of this server names its 2026-07-28
     * client's {@code input_required} round by it), and, for a request made by a task,
     * {@code io.modelcontextprotocol/related-task} (2025-11-25).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withMeta(Map<String, Object> params, String inputKey, String taskId) {
        if (inputKey == null && taskId == null) {
            return params;
        }
        Map<String, Object> meta = params.get("_meta") instanceof Map
                ? new LinkedHashMap<>((Map<String, Object>) params.get("_meta")) : new LinkedHashMap<>();
        if (inputKey != null) {
            meta.put(ClientRequest.META_INPUT_KEY, inputKey);
        }
        if (taskId != null) {
            meta.put("io.modelcontextprotocol/related-task", Map.of("taskId", taskId));
        }
        Map<String, Object> tagged = new LinkedHashMap<>(params);
        tagged.put("_meta", meta);
        return tagged;
    }

    private static Object await(Pending p) throws ClientRequestException, InterruptedException {
        try {
            return p.answer.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClientRequestException) {
                throw (ClientRequestException) e.getCause();
            }
            throw new ClientRequestException("Asking the client " + p.method + " failed: " + e.getCause(), 0);
        } catch (CancellationException e) {
            throw new ClientRequestException("Asking the client " + p.method + " was abandoned", 0);
        }
    }

    private static Object convert(ClientRequest request, Object tree) throws ClientRequestException {
        try {
            return ClientAnswers.convert(request, tree);
        } catch (IllegalArgumentException e) {
            throw new ClientRequestException("The client's answer to " + request.method() + " is not valid: "
                    + e.getMessage(), 0);
        }
    }

    private static void sendCancelled(JsonRpcWriter writer, Peer peer, Reply reply, Pending p, String reason) {
        if (!peer.isOpen()) {
            return;
        }
        reply.send(writer.notification(peer.alloc(), "notifications/cancelled", g -> {
            g.writeStartObject();
            g.writeFieldName("requestId");
            p.id.writeTo(g);
            g.writeStringField("reason", reason);
            g.writeEndObject();
        }));
    }

    /** Registers a request before it is sent, so that even an instant answer finds it. */
    Pending register(String method) {
        Pending p = new Pending(RequestId.of(ID_PREFIX + next.incrementAndGet()), method);
        pending.put(p.id, p);
        return p;
    }

    /** Arms the timeout on the connection's event loop; on expiry the entry fails and {@code onExpiry} runs. */
    void armTimeout(Pending p, ServerClock clock, ScheduledExecutorService loop, long millis, Runnable onExpiry) {
        p.timeout = clock.schedule(loop, () -> {
            if (pending.remove(p.id, p)) {
                // Told before the asker wakes, so the client hears of it ahead of the call's answer.
                onExpiry.run();
                p.answer.completeExceptionally(new ClientRequestException(
                        "The client did not answer " + p.method + " within " + millis + " ms", 0));
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** The asker gave up (cancelled, interrupted, past its deadline): forget the request; true if it was still pending. */
    boolean abandon(Pending p) {
        if (!pending.remove(p.id, p)) {
            return false;
        }
        cancelTimeout(p);
        return p.answer.cancel(false);
    }

    /**
     * Completes the request {@code response} answers.
     *
     * @return false when no request with that id is pending: it never existed, or it timed out
     */
    boolean complete(Json json, RpcMessage response) {
        Pending p = response.id() == null ? null : pending.remove(response.id());
        if (p == null) {
            return false;
        }
        cancelTimeout(p);
        RpcMessage.RpcErrorBody error = response.error();
        if (error != null) {
            p.answer.completeExceptionally(new ClientRequestException("The client answered " + p.method
                    + " with error " + error.code() + ": " + error.message(), error.code()));
            return true;
        }
        ByteBuf result = response.result();
        if (result == null) {
            p.answer.completeExceptionally(new ClientRequestException("The client answered " + p.method
                    + " with a result that is not an object", 0));
            return true;
        }
        try (JsonParser parser = json.parser(result)) {
            p.answer.complete(JsonTree.read(parser));
        } catch (IOException e) {
            p.answer.completeExceptionally(new ClientRequestException("The client's answer to " + p.method
                    + " could not be read: " + e.getMessage(), 0));
        }
        return true;
    }

    /** The connection is gone: fail whatever is still waiting. */
    void failAll() {
        for (Pending p : pending.values()) {
            if (pending.remove(p.id, p)) {
                cancelTimeout(p);
                p.answer.completeExceptionally(new ClientRequestException("The connection closed before the client answered "
                        + p.method, 0));
            }
        }
    }

    /** Requests waiting for an answer. */
    int size() {
        return pending.size();
    }

    private static void cancelTimeout(Pending p) {
        Future<?> t = p.timeout;
        if (t != null) {
            t.cancel(false);
        }
    }
}
