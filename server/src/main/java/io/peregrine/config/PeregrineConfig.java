package io.peregrine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A validated configuration: a typed value for every {@link ConfigKey}. The values are immutable;
 * the configuration also remembers which keys were set explicitly (in a file to a value other than
 * the default, in the environment or with {@code --set}) and which ones something has read, so that a key set but never used can be
 * reported instead of silently doing nothing.
 */
public final class PeregrineConfig {

    private final Map<String, Object> values;
    private final Set<String> explicit;
    private final Set<String> read = ConcurrentHashMap.newKeySet();

    PeregrineConfig(Map<String, Object> values, Set<String> explicit) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.explicit = Collections.unmodifiableSet(new LinkedHashSet<>(explicit));
    }

    /** Every key at its default. */
    public static PeregrineConfig defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        ConfigKey.all().forEach((name, key) -> values.put(name, key.defaultValue()));
        return new PeregrineConfig(values, Set.of());
    }

    /** The value of {@code key}. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) get(key.name());
    }

    /** The value of {@code key}, typed as the key says: String, Boolean, Integer, Long (sizes), Duration or Path. */
    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("unknown configuration key: " + key);
        }
        read.add(key);
        return values.get(key);
    }

    public String string(String key) {
        return (String) get(key);
    }

    public boolean bool(String key) {
        return (Boolean) get(key);
    }

    public int integer(String key) {
        return (Integer) get(key);
    }

    /** A size in bytes. */
    public long size(String key) {
        return (Long) get(key);
    }

    public Duration duration(String key) {
        return (Duration) get(key);
    }

    public Path path(String key) {
        return (Path) get(key);
    }

    /**
     * The keys set under {@code prefix} (such as {@code gateway.upstreams.}) with their values, in
     * the order they were set; reading them marks them read.
     */
    public Map<String, Object> under(String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                read.add(k);
                out.put(k, v);
            }
        });
        return out;
    }

    /** Every key with its value. */
    public Map<String, Object> values() {
        return values;
    }

    /** The keys given a value in a file, the environment or {@code --set}, rather than left at their default. */
    public Set<String> explicitKeys() {
        return explicit;
    }

    /**
     * The keys nothing has read yet, in documentation order. After a server was built from this
     * configuration these are the keys it did not need: {@code auth.jwt.*} when no listener uses
     * jwt, {@code demo.fs.*} when the demo is off.
     */
    public Set<String> unreadKeys() {
        Set<String> unread = new LinkedHashSet<>(values.keySet());
        unread.removeAll(read);
        return unread;
    }
}
