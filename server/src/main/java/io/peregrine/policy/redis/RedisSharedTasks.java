package io.peregrine.policy.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.peregrine.policy.SharedTasks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * 2026-07-28 task state in Redis: each task's state is a string key ({@code task:<id>} below the
 * key prefix) that expires with the task, written by the replica that runs it on each change;
 * cancels and updates go to every replica on one channel ({@code tasks} below the prefix), where
 * the replica that runs the task acts on them and writes the new state. Lettuce subscribes again
 * by itself after a reconnection; a message sent while a replica was disconnected is lost to it,
 * and the client, which polls {@code tasks/get}, sees the task go on and may send it again. On a
 * Redis Cluster the tasks' keys spread over the nodes, and the channel is heard on every node.
 */
public final class RedisSharedTasks implements SharedTasks, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSharedTasks.class);
    private static final byte CANCEL = 'c';
    private static final byte UPDATE = 'u';

    private final RedisStore store;
    private final byte[] channel;
    private final StatefulRedisPubSubConnection<byte[], byte[]> messages;
    private volatile Listener listener;

    public RedisSharedTasks(RedisStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.channel = store.key("tasks");
        this.messages = store.subscriber();
        messages.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] from, byte[] message) {
                if (Arrays.equals(from, channel)) {
                    deliver(message);
                }
            }
        });
        try {
            messages.async().subscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            messages.close();
            throw new IllegalStateException("cannot subscribe to " + new String(channel, StandardCharsets.UTF_8)
                    + " on Redis at " + store.where() + " (" + e + ")", e);
        }
    }

    private void deliver(byte[] message) {
        Listener l = listener;
        if (l == null || message.length < 3 || message[1] != '\n') {
            return;
        }
        String rest = new String(message, 2, message.length - 2, StandardCharsets.UTF_8);
        try {
            if (message[0] == CANCEL) {
                l.cancelled(rest);
            } else if (message[0] == UPDATE) {
                int nl = rest.indexOf('\n');
                if (nl > 0) {
                    l.updated(rest.substring(0, nl), rest.substring(nl + 1));
                }
            }
        } catch (RuntimeException e) {
            log.warn("a task message from Redis could not be handled", e);
        }
    }

    @Override
    public CompletableFuture<Void> put(String taskId, String stateJson, long ttlMillis) {
        return bounded(store.async().set(taskKey(taskId), stateJson.getBytes(StandardCharsets.UTF_8),
                SetArgs.Builder.px(Math.max(1, ttlMillis))).toCompletableFuture()).thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<String> get(String taskId) {
        return bounded(store.async().get(taskKey(taskId)).toCompletableFuture())
                .thenApply(v -> v == null ? null : new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public CompletableFuture<Void> cancel(String taskId) {
        return publish(CANCEL, taskId);
    }

    @Override
    public CompletableFuture<Void> update(String taskId, String inputResponsesJson) {
        return publish(UPDATE, taskId + "\n" + inputResponsesJson);
    }

    private CompletableFuture<Void> publish(byte kind, String body) {
        byte[] text = body.getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[text.length + 2];
        message[0] = kind;
        message[1] = '\n';
        System.arraycopy(text, 0, message, 2, text.length);
        return bounded(store.async().publish(channel, message).toCompletableFuture()).thenApply(n -> null);
    }

    /** The future, failed with a TimeoutException after the store's timeout; failures told to the store. */
    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f) {
        return f.orTimeout(store.timeout().toNanos(), TimeUnit.NANOSECONDS).whenComplete((v, failure) -> {
            if (failure == null) {
                store.answered();
            } else {
                store.unreachable(failure);
            }
        });
    }

    private byte[] taskKey(String taskId) {
        return store.key("task:" + taskId);
    }

    @Override
    public void listen(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public Duration timeout() {
        return store.timeout();
    }

    @Override
    public void close() {
        messages.close();
    }
}
