package io.peregrine.mcp;

import com.networknt.schema.Schema;
import io.peregrine.rpc.RawJson;
import io.peregrine.tool.Tool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tools a server offers. Reads ({@link #get}, {@link #page}) are lock-free lookups in an
 * immutable snapshot; changes build a new snapshot, so a listing in progress never sees a
 * half-made change. Tools are listed in name order, which keeps pages and client caches stable.
 */
public final class ToolRegistry {

    /** A tool with its compiled schemas. */
    static final class Entry {
        final Tool tool;
        final Schema inputSchema;
        /** The input schema for the streaming check, or null when it is outside that subset. */
        final FastSchema fastInput;
        final Schema outputSchema;
        /** The parameters mirrored into {@code Mcp-Param-*} headers, or null. */
        final ParamHeaders paramHeaders;

        Entry(Tool tool, Schema inputSchema, FastSchema fastInput, Schema outputSchema, ParamHeaders paramHeaders) {
            this.tool = tool;
            this.inputSchema = inputSchema;
            this.fastInput = fastInput;
            this.outputSchema = outputSchema;
            this.paramHeaders = paramHeaders;
        }
    }

    private static final class Snapshot {
        final Map<String, Entry> byName;
        final Entry[] sorted;

        Snapshot(Map<String, Entry> byName) {
            this.byName = byName;
            this.sorted = byName.values().toArray(new Entry[0]);
            Arrays.sort(sorted, (a, b) -> a.tool.name().compareTo(b.tool.name()));
        }
    }

    private final SchemaValidator validator;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<String>> toolListeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = new Snapshot(Map.of());

    ToolRegistry(SchemaValidator validator) {
        this.validator = validator;
    }

    /** Adds a tool, or replaces the tool of the same name. */
    public synchronized void add(Tool tool) {
        Objects.requireNonNull(tool, "tool");
        Entry entry = entry(tool);
        Map<String, Entry> next = new HashMap<>(snapshot.byName);
        next.put(tool.name(), entry);
        snapshot = new Snapshot(next);
        fireChanged(List.of(tool.name()));
    }

    /**
     * Removes the tools named in {@code removed} and adds (or replaces) {@code added} as one
     * change: listeners hear of it once, and no listing sees half of it. A tool whose schema does
     * not compile is left out and handed to {@code refused} with the reason.
     */
    public synchronized void replace(java.util.Collection<String> removed, java.util.Collection<Tool> added,
                                     java.util.function.BiConsumer<Tool, String> refused) {
        Map<String, Entry> next = new HashMap<>(snapshot.byName);
        List<String> changed = new ArrayList<>();
        for (String name : removed) {
            if (next.remove(name) != null) {
                changed.add(name);
            }
        }
        for (Tool tool : added) {
            try {
                next.put(tool.name(), entry(tool));
                changed.add(tool.name());
            } catch (IllegalArgumentException e) {
                refused.accept(tool, e.getMessage());
            }
        }
        if (!changed.isEmpty()) {
            snapshot = new Snapshot(next);
            fireChanged(changed);
        }
    }

    private Entry entry(Tool tool) {
        Schema input = validator.compile("inputSchema of tool \"" + tool.name() + "\"", RawJson.of(tool.inputSchemaJson()));
        Schema output = tool.outputSchemaJson() == null ? null
                : validator.compile("outputSchema of tool \"" + tool.name() + "\"", RawJson.of(tool.outputSchemaJson()));
        Object inputTree;
        try {
            inputTree = io.peregrine.rpc.JsonTree.parse(tool.inputSchemaJson());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("inputSchema of tool \"" + tool.name() + "\" : " + e.getMessage(), e);
        }
        return new Entry(tool, input, FastSchema.compile(inputTree), output, ParamHeaders.of(tool.name(), inputTree));
    }

    /** Removes the tool {@code name}; returns whether there was one. */
    public synchronized boolean remove(String name) {
        if (!snapshot.byName.containsKey(name)) {
            return false;
        }
        Map<String, Entry> next = new HashMap<>(snapshot.byName);
        next.remove(name);
        snapshot = new Snapshot(next);
        fireChanged(List.of(name));
        return true;
    }

    /** The tool {@code name}, or null. */
    public Tool tool(String name) {
        Entry e = snapshot.byName.get(name);
        return e == null ? null : e.tool;
    }

    public int size() {
        return snapshot.sorted.length;
    }

    /** All tools in name order. */
    public List<Tool> tools() {
        List<Tool> out = new ArrayList<>();
        for (Entry e : snapshot.sorted) {
            out.add(e.tool);
        }
        return out;
    }

    /** Runs {@code listener} with the name of the tool added, replaced or removed, after every change. */
    public void onToolChange(java.util.function.Consumer<String> listener) {
        toolListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Runs {@code listener} after every change. */
    public void onChange(Runnable listener) {
        changeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    Entry get(String name) {
        return snapshot.byName.get(name);
    }

    /**
     * Up to {@code limit} tools whose names sort after {@code after} (null: from the start). Keying
     * pages by the last name rather than an index keeps paging correct while tools come and go.
     */
    List<Entry> page(String after, int limit) {
        Entry[] sorted = snapshot.sorted;
        int from = 0;
        if (after != null) {
            int lo = 0;
            int hi = sorted.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid].tool.name().compareTo(after) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            from = lo;
        }
        int to = Math.min(sorted.length, from + limit);
        return Arrays.asList(sorted).subList(from, to);
    }

    /** Whether a tool sorts after {@code name}. */
    boolean hasAfter(String name) {
        Entry[] sorted = snapshot.sorted;
        return sorted.length > 0 && sorted[sorted.length - 1].tool.name().compareTo(name) > 0;
    }

    private void fireChanged(java.util.Collection<String> tools) {
        for (java.util.function.Consumer<String> l : toolListeners) {
            for (String tool : tools) {
                l.accept(tool);
            }
        }
        for (Runnable r : changeListeners) {
            r.run();
        }
    }
}
