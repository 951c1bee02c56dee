package io.peregrine.ops.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The named dependencies of a running server and how each is checked. A <em>required</em>
 * dependency that is down makes the server not ready ({@code /ready} answers 503), so that a load
 * balancer sends its traffic to a replica that can serve it; an <em>optional</em> one is only
 * reported in {@code /health?verbose}. Dependencies can come and go while the server runs.
 */
public final class Dependencies {

    private static final Logger log = LoggerFactory.getLogger(Dependencies.class);

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** What is registered under one name. */
    private static final class Entry {
        final boolean required;
        final DependencyCheck check;

        Entry(boolean required, DependencyCheck check) {
            this.required = required;
            this.check = check;
        }
    }

    /** Registers a dependency the server cannot serve without: while it is down, the server is not ready. */
    public Dependencies required(String name, DependencyCheck check) {
        return add(name, true, check);
    }

    /** Registers a dependency the server can do without (it degrades): reported, never makes it unready. */
    public Dependencies optional(String name, DependencyCheck check) {
        return add(name, false, check);
    }

    private Dependencies add(String name, boolean required, DependencyCheck check) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(check, "check");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name : \"\" (expected: a name such as redis)");
        }
        if (entries.putIfAbsent(name, new Entry(required, check)) != null) {
            throw new IllegalArgumentException("name : " + name + " (expected: a name not registered yet)");
        }
        return this;
    }

    /** Forgets the dependency {@code name}; false when there was none. */
    public boolean remove(String name) {
        return entries.remove(name) != null;
    }

    /** Whether every required dependency is up. */
    public boolean requiredUp() {
        for (Entry e : entries.values()) {
            if (e.required && !status(e).isUp()) {
                return false;
            }
        }
        return true;
    }

    /** Calls {@code each} with every dependency's name and state, and whether it is required. */
    public void forEach(DependencyVisitor each) {
        entries.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> each.visit(e.getKey(), e.getValue().required, status(e.getValue())));
    }

    /** What {@link #forEach} hands over for one dependency. */
    @FunctionalInterface
    public interface DependencyVisitor {
        void visit(String name, boolean required, DependencyStatus status);
    }

    /**
     * A check that throws or answers null is a dependency whose state is unknown: down. Logged at
     * debug only, since probes ask every few seconds; the report shows the reason.
     */
    private static DependencyStatus status(Entry e) {
        try {
            DependencyStatus s = e.check.status();
            return s != null ? s : DependencyStatus.down("its check gave no answer");
        } catch (RuntimeException ex) {
            log.debug("a dependency check failed", ex);
            return DependencyStatus.down("its check failed: " + ex);
        }
    }

    /** The number of dependencies registered. */
    public int size() {
        return entries.size();
    }
}
