package io.peregrine.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The server's tools, resources, resource templates and prompts, listed once (every page) and
 * kept. A list is fetched again when it is asked for and is no longer fresh: the server said it
 * changed ({@code notifications/.../list_changed}, in either era), its {@code ttlMs} ran out
 * (2026-07-28; a list without one stays fresh until a change is announced), or the client
 * reconnected. Listeners hear every list that was fetched and differs from the one before.
 *
 * <p>Concurrency: a fetch in progress is shared by everyone who asks meanwhile; a change announced
 * during a fetch marks the result stale at once, so it is fetched again on the next ask, or at
 * once when listeners are waiting to hear of changes.
 */
final class DiscoveryCache {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryCache.class);

    /** Fetches every page of one list; the client provides it. */
    interface Lister {
        CompletableFuture<ListResult> listAll(String method, String key);
    }

    /** Every item of a list, and the shortest ttlMs of its pages (null: none given). */
    record ListResult(List<Map<String, Object>> items, Long ttlMs) {
    }

    private static final class Entry {
        volatile List<?> items;
        volatile long expiresAtMillis;
        volatile boolean stale = true;
        volatile int version;
        volatile CompletableFuture<List<?>> loading;
    }

    private final Map<CatalogListener.Kind, Entry> entries = new EnumMap<>(CatalogListener.Kind.class);
    private final List<CatalogListener> listeners = new CopyOnWriteArrayList<>();
    private final Lister lister;
    private final LongSupplier clock;

    DiscoveryCache(Lister lister, LongSupplier clockMillis) {
        this.lister = lister;
        this.clock = clockMillis;
        for (CatalogListener.Kind k : CatalogListener.Kind.values()) {
            entries.put(k, new Entry());
        }
    }

    void addListener(CatalogListener listener) {
        listeners.add(listener);
    }

    /** The list, from the cache when fresh. */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<List<T>> get(CatalogListener.Kind kind) {
        Entry e = entries.get(kind);
        List<?> items = e.items;
        if (items != null && !e.stale && clock.getAsLong() < e.expiresAtMillis) {
            return CompletableFuture.completedFuture((List<T>) items);
        }
        return (CompletableFuture<List<T>>) (CompletableFuture<?>) load(kind);
    }

    /** The list if it was fetched and is fresh, else null; never fetches. */
    @SuppressWarnings("unchecked")
    <T> List<T> peek(CatalogListener.Kind kind) {
        Entry e = entries.get(kind);
        return e.stale ? null : (List<T>) e.items;
    }

    private synchronized CompletableFuture<List<?>> load(CatalogListener.Kind kind) {
        Entry e = entries.get(kind);
        if (e.loading != null) {
            return e.loading;
        }
        int version = e.version;
        CompletableFuture<List<?>> loading = lister.listAll(method(kind), key(kind)).thenApply(result -> {
            List<Object> read = new ArrayList<>();
            Function<Map<String, Object>, ?> reader = reader(kind);
            for (Map<String, Object> item : result.items()) {
                read.add(reader.apply(item));
            }
            List<?> items = List.copyOf(read);
            List<?> before = e.items;
            e.items = items;
            long ttl = result.ttlMs() == null ? Long.MAX_VALUE : Math.max(0, result.ttlMs());
            long now = clock.getAsLong();
            e.expiresAtMillis = ttl == Long.MAX_VALUE || now + ttl < 0 ? Long.MAX_VALUE : now + ttl;
            synchronized (this) {
                e.loading = null;
                // A change announced while this was fetched may not be in it.
                e.stale = e.version != version;
            }
            if (!items.equals(before)) {
                for (CatalogListener l : listeners) {
                    try {
                        l.onChanged(kind, items);
                    } catch (RuntimeException ex) {
                        log.warn("a catalog listener failed on {}", kind, ex);
                    }
                }
            }
            return items;
        });
        // The answer may have come before the steps above were attached, and then they already ran
        // here: a finished fetch must not stay the one every later ask waits on.
        e.loading = loading.isDone() ? null : loading;
        loading.whenComplete((items, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    e.loading = null;
                }
            } else if (e.stale && !listeners.isEmpty()) {
                // A change announced during this fetch: listeners ask for nothing, so fetch again
                // for them now, or they would keep the list from before the change.
                load(kind);
            }
        });
        return loading;
    }

    /**
     * The server says {@code kind} changed: the cached list is stale; when {@code refresh} (someone
     * listens, or the list had been fetched), it is fetched again now.
     */
    void changed(CatalogListener.Kind kind) {
        Entry e = entries.get(kind);
        boolean wasLoaded;
        synchronized (this) {
            e.version++;
            e.stale = true;
            wasLoaded = e.items != null;
        }
        if (wasLoaded && !listeners.isEmpty()) {
            load(kind).whenComplete((items, failure) -> {
                if (failure != null) {
                    log.debug("refreshing the {} of the catalog failed: {}", kind, failure.toString());
                }
            });
        }
    }

    /** After a reconnection: everything fetched before is fetched again. */
    void reconnected() {
        for (CatalogListener.Kind kind : CatalogListener.Kind.values()) {
            changed(kind);
        }
    }

    /** The kind a notification announces a change of, or null. */
    static CatalogListener.Kind kindOf(String notification) {
        switch (notification) {
            case "notifications/tools/list_changed":
                return CatalogListener.Kind.TOOLS;
            case "notifications/prompts/list_changed":
                return CatalogListener.Kind.PROMPTS;
            case "notifications/resources/list_changed":
                return CatalogListener.Kind.RESOURCES;
            default:
                return null;
        }
    }

    /** The kinds that changing the resources list makes stale too. */
    static Set<CatalogListener.Kind> alsoStale(CatalogListener.Kind kind) {
        Set<CatalogListener.Kind> kinds = new HashSet<>();
        kinds.add(kind);
        if (kind == CatalogListener.Kind.RESOURCES) {
            kinds.add(CatalogListener.Kind.RESOURCE_TEMPLATES);
        }
        return kinds;
    }

    static String method(CatalogListener.Kind kind) {
        switch (kind) {
            case TOOLS:
                return "tools/list";
            case RESOURCES:
                return "resources/list";
            case RESOURCE_TEMPLATES:
                return "resources/templates/list";
            default:
                return "prompts/list";
        }
    }

    static String key(CatalogListener.Kind kind) {
        switch (kind) {
            case TOOLS:
                return "tools";
            case RESOURCES:
                return "resources";
            case RESOURCE_TEMPLATES:
                return "resourceTemplates";
            default:
                return "prompts";
        }
    }

    private static Function<Map<String, Object>, ?> reader(CatalogListener.Kind kind) {
        switch (kind) {
            case TOOLS:
                return ToolInfo::from;
            case RESOURCES:
                return ResourceInfo::from;
            case RESOURCE_TEMPLATES:
                return ResourceTemplateInfo::from;
            default:
                return PromptInfo::from;
        }
    }
}
