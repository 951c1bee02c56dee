package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.ClientRequest;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One task: a {@code tools/call} that runs on after its request was answered with a
 * {@code CreateTaskResult}, and whose outcome the client fetches later.
 *
 * <p>Status moves {@code working} ⇄ {@code input_required} → {@code completed} | {@code failed}
 * | {@code cancelled}, and never leaves a terminal status. The call's thread, the event loop
 * serving {@code tasks/*} requests and the cache's eviction all touch a task, so its state is
 * guarded by its monitor; threads waiting for input wait on it too.
 */
final class Task {

    enum Status {
        WORKING("working"), INPUT_REQUIRED("input_required"), COMPLETED("completed"), FAILED("failed"),
        CANCELLED("cancelled");

        final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        boolean isTerminal() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }
    }

    final String id;
    final long sequence;
    /** The 2025 session the task belongs to; null for a 2026-07-28 task, which any holder of its id may reach. */
    final Connection owner;
    final boolean stateless;
    final Instant createdAt;
    final long ttlMillis;
    final long pollIntervalMillis;
    private final ServerClock clock;
    private final Consumer<Task> onChange;

    private Status status = Status.WORKING;
    private String statusMessage;
    private Instant lastUpdatedAt;
    /** The JSON-RPC response the call would have had: its {@code result} or {@code error} tree. */
    private Map<String, Object> result;
    private Map<String, Object> error;
    private ToolCall call;
    /** 2026-07-28: questions waiting for tasks/update, by key, and the answers received. */
    private final Map<String, ClientRequest> pendingInputs = new LinkedHashMap<>();
    private final Map<String, Object> answers = new LinkedHashMap<>();
    private final java.util.Set<String> usedKeys = new java.util.HashSet<>();
    private int keys;
    private final CompletableFuture<Task> terminal = new CompletableFuture<>();
    /** Completes once the task's first state is written where other replicas read it (at once when unshared). */
    volatile CompletableFuture<?> shared = CompletableFuture.completedFuture(null);

    Task(String id, long sequence, Connection owner, boolean stateless, long ttlMillis, long pollIntervalMillis,
         ServerClock clock, Consumer<Task> onChange) {
        this.id = id;
        this.sequence = sequence;
        this.owner = owner;
        this.stateless = stateless;
        this.clock = clock;
        this.createdAt = clock.instant();
        this.lastUpdatedAt = createdAt;
        this.ttlMillis = ttlMillis;
        this.pollIntervalMillis = pollIntervalMillis;
        this.onChange = onChange;
    }

    synchronized void attach(ToolCall call) {
        this.call = call;
    }

    synchronized Status status() {
        return status;
    }

    /** Completes once the task reaches a terminal status. */
    CompletableFuture<Task> terminal() {
        return terminal;
    }

    /** The call ended: {@code response} is the JSON-RPC response it would have sent. */
    @SuppressWarnings("unchecked")
    void finish(Map<String, Object> response) {
        synchronized (this) {
            if (status.isTerminal()) {
                return;
            }
            if (response.get("error") instanceof Map) {
                error = (Map<String, Object>) response.get("error");
                status = Status.FAILED;
                statusMessage = String.valueOf(error.get("message"));
            } else {
                result = response.get("result") instanceof Map ? (Map<String, Object>) response.get("result") : Map.of();
                boolean isError = Boolean.TRUE.equals(result.get("isError"));
                // 2025-11-25 reports a tool's isError as failed; the 2026 extension keeps failed for JSON-RPC errors.
                status = isError && !stateless ? Status.FAILED : Status.COMPLETED;
                statusMessage = isError ? "the tool reported an error" : null;
            }
            touch();
        }
        changed();
    }

    /**
     * Cancels the task unless it already ended; the call is stopped.
     *
     * @return false when it had already ended
     */
    boolean cancel(String why) {
        ToolCall running;
        synchronized (this) {
            if (status.isTerminal()) {
                return false;
            }
            status = Status.CANCELLED;
            statusMessage = why;
            running = call;
            touch();
            notifyAll();
        }
        if (running != null) {
            running.cancel();
        }
        changed();
        return true;
    }

    /** 2025 era: the call is waiting on requests to the client (or no longer is). */
    void waitingForClient(boolean waiting) {
        synchronized (this) {
            if (status.isTerminal()) {
                return;
            }
            Status next = waiting ? Status.INPUT_REQUIRED : Status.WORKING;
            if (status == next) {
                return;
            }
            status = next;
            touch();
        }
        changed();
    }

    /**
     * 2026-07-28: parks the call's thread until {@code tasks/update} has answered every one of
     * {@code requests}; meanwhile the task is {@code input_required} and {@code tasks/get} lists
     * them. Keys are unique over the task's life.
     *
     * @return the answers as JSON trees, in order
     */
    List<Object> awaitInput(ClientRequest[] requests) throws InterruptedException {
        List<String> mine = new ArrayList<>(requests.length);
        synchronized (this) {
            for (ClientRequest r : requests) {
                String key = r.key();
                if (key == null || !usedKeys.add(key)) {
                    do {
                        key = (r.key() != null ? r.key() : ClientRequest.keyPrefixOf(r)) + "-" + (++keys);
                    } while (!usedKeys.add(key));
                }
                pendingInputs.put(key, r);
                mine.add(key);
            }
            if (!status.isTerminal()) {
                status = Status.INPUT_REQUIRED;
                touch();
            }
        }
        changed();
        List<Object> got = new ArrayList<>(requests.length);
        synchronized (this) {
            try {
                while (!status.isTerminal() && !answers.keySet().containsAll(mine)) {
                    wait();
                }
            } finally {
                for (String key : mine) {
                    pendingInputs.remove(key);
                }
            }
            if (status.isTerminal()) {
                throw new InterruptedException("task " + id + " ended while waiting for input");
            }
            for (String key : mine) {
                got.add(answers.remove(key));
            }
        }
        return got;
    }

    /**
     * {@code tasks/update}: takes the answers to questions now outstanding, ignoring every other
     * key, and wakes the call once all of a question batch is answered.
     */
    void supply(Map<String, Object> responses) {
        boolean resumed = false;
        synchronized (this) {
            for (Map.Entry<String, Object> e : responses.entrySet()) {
                ClientRequest r = pendingInputs.get(e.getKey());
                if (r == null || answers.containsKey(e.getKey())) {
                    continue;
                }
                try {
                    ClientAnswers.convert(r, e.getValue());
                } catch (IllegalArgumentException unfit) {
                    continue; // stays outstanding: the client may try again
                }
                answers.put(e.getKey(), e.getValue());
            }
            if (status == Status.INPUT_REQUIRED && answers.keySet().containsAll(pendingInputs.keySet())) {
                status = Status.WORKING;
                resumed = true;
                touch();
            }
            notifyAll();
        }
        if (resumed) {
            changed();
        }
    }

    private void touch() {
        lastUpdatedAt = clock.instant();
    }

    private void changed() {
        // Announced before tasks/result is answered, so that the status is never news after the result.
        onChange.accept(this);
        if (status().isTerminal()) {
            terminal.complete(this);
        }
    }

    /** The stored outcome, for {@code tasks/result}: the result tree, or null when it failed. */
    synchronized Map<String, Object> result() {
        return result;
    }

    synchronized Map<String, Object> error() {
        return error;
    }

    /**
     * Writes the task's fields into the object the generator is in: the 2025-11-25 {@code Task}
     * ({@code ttl}, {@code pollInterval}), or the 2026-07-28 shape ({@code ttlMs},
     * {@code pollIntervalMs}) and, when {@code detailed}, what {@code tasks/get} inlines: the
     * result, the error or the outstanding input requests.
     */
    synchronized void writeFields(JsonGenerator g, boolean detailed, String protocolVersion) throws IOException {
        g.writeStringField("taskId", id);
        g.writeStringField("status", status.wire);
        if (statusMessage != null) {
            g.writeStringField("statusMessage", statusMessage);
        }
        g.writeStringField("createdAt", createdAt.toString());
        g.writeStringField("lastUpdatedAt", lastUpdatedAt.toString());
        g.writeNumberField(stateless ? "ttlMs" : "ttl", ttlMillis);
        g.writeNumberField(stateless ? "pollIntervalMs" : "pollInterval", pollIntervalMillis);
        if (!detailed) {
            return;
        }
        if (status == Status.COMPLETED && result != null) {
            g.writeFieldName("result");
            JsonTree.write(g, result);
        } else if (status == Status.FAILED && error != null) {
            g.writeFieldName("error");
            JsonTree.write(g, error);
        } else if (status == Status.INPUT_REQUIRED && !pendingInputs.isEmpty()) {
            g.writeObjectFieldStart("inputRequests");
            for (Map.Entry<String, ClientRequest> e : pendingInputs.entrySet()) {
                if (answers.containsKey(e.getKey())) {
                    continue;
                }
                g.writeObjectFieldStart(e.getKey());
                g.writeStringField("method", e.getValue().method());
                g.writeFieldName("params");
                JsonTree.write(g, e.getValue().params(protocolVersion));
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    @Override
    public String toString() {
        return "task " + id;
    }
}
