package io.peregrine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A validated configuration: a typed value for every {@link ConfigKey}. Immutable. */
public final class PeregrineConfig {

    private final Map<String, Object> values;

    PeregrineConfig(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Every key at its default. */
    public static PeregrineConfig defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        ConfigKey.all().forEach((name, key) -> values.put(name, key.defaultValue()));
        return new PeregrineConfig(values);
    }

    /** The value of {@code key}, typed as the key says: String, Boolean, Integer, Long (sizes), Duration or Path. */
    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("unknown configuration key: " + key);
        }
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

    /** Every key with its value. */
    public Map<String, Object> values() {
        return values;
    }
}
