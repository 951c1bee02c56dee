package io.peregrine.mcp;

import io.peregrine.prompt.Prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The prompts a server offers, in name order. Reads are lock-free lookups in an immutable
 * snapshot; changes build a new one, as in {@link ToolRegistry}.
 */
public final class PromptRegistry {

    private static final class Snapshot {
        final Map<String, Prompt> byName;
        final Prompt[] sorted;

        Snapshot(Map<String, Prompt> byName) {
            this.byName = byName;
            this.sorted = byName.values().toArray(new Prompt[0]);
            Arrays.sort(sorted, Comparator.comparing(Prompt::name));
        }
    }

    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = new Snapshot(Map.of());

    PromptRegistry() {
    }

    /** Adds a prompt, or replaces the prompt of the same name. */
    public synchronized void add(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        Map<String, Prompt> next = new HashMap<>(snapshot.byName);
        next.put(prompt.name(), prompt);
        snapshot = new Snapshot(next);
        fireChanged();
    }

    /** Removes the prompts named in {@code removed} and adds (or replaces) {@code added}, as one change. */
    public synchronized void replace(java.util.Collection<String> removed, java.util.Collection<Prompt> added) {
        Map<String, Prompt> next = new HashMap<>(snapshot.byName);
        boolean changed = false;
        for (String name : removed) {
            changed |= next.remove(name) != null;
        }
        for (Prompt p : added) {
            next.put(p.name(), p);
            changed = true;
        }
        if (changed) {
            snapshot = new Snapshot(next);
            fireChanged();
        }
    }

    /** Removes the prompt {@code name}; returns whether there was one. */
    public synchronized boolean remove(String name) {
        if (!snapshot.byName.containsKey(name)) {
            return false;
        }
        Map<String, Prompt> next = new HashMap<>(snapshot.byName);
        next.remove(name);
        snapshot = new Snapshot(next);
        fireChanged();
        return true;
    }

    /** The prompt {@code name}, or null. */
    public Prompt prompt(String name) {
        return snapshot.byName.get(name);
    }

    /** All prompts in name order. */
    public List<Prompt> prompts() {
        return List.of(snapshot.sorted);
    }

    public int size() {
        return snapshot.sorted.length;
    }

    /** Runs {@code listener} after every change. */
    public void onChange(Runnable listener) {
        changeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    Cursors.Page<Prompt> page(String after, int limit) {
        return Cursors.page(snapshot.sorted, Prompt::name, after, limit);
    }

    private void fireChanged() {
        for (Runnable r : new ArrayList<>(changeListeners)) {
            r.run();
        }
    }
}
