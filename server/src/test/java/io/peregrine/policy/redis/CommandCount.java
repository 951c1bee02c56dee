package io.peregrine.policy.redis;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The commands a {@link RedisStore} sent, as its {@link RedisEvents} hear of them (each one round
 * trip), by name, leaving out the store's own background ones ({@code PING}, {@code TIME}).
 */
final class CommandCount implements RedisEvents {

    private final Map<String, LongAdder> byName = new ConcurrentHashMap<>();

    static CommandCount on(RedisStore store) {
        CommandCount c = new CommandCount();
        store.events(c);
        return c;
    }

    @Override
    public void answered(String command, long nanos, boolean error) {
        if (!command.equals("PING") && !command.equals("TIME")) {
            byName.computeIfAbsent(error ? command + " (error)" : command, k -> new LongAdder()).increment();
        }
    }

    /** The commands so far, by name ({@code EVALSHA}, {@code EVAL (error)}, ...). */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        byName.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    void reset() {
        byName.clear();
    }
}
