package io.peregrine.mcp;

import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceTemplate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The resources and resource templates a server offers. Reads are lock-free lookups in an
 * immutable snapshot; changes build a new snapshot, as in {@link ToolRegistry}. Resources are
 * listed in URI order and templates in the order of their template text; a URI that is not a
 * resource's is resolved by the first template, in that order, that matches it.
 *
 * <p>A server may also read resources it does not list (a file below a listed directory, the
 * target of a link a tool returned): {@link #addUnlisted} adds a source of those, asked after the
 * resources and the templates.
 *
 * <p>{@link #updated(String)} tells subscribed clients that a resource's contents changed.
 */
public final class ResourceRegistry {

    /** What a URI resolved to: a resource, or a template with the variables it matched. */
    static final class Resolved {
        final Resource resource;
        final ResourceTemplate template;
        final Map<String, String> variables;

        Resolved(Resource resource, ResourceTemplate template, Map<String, String> variables) {
            this.resource = resource;
            this.template = template;
            this.variables = variables;
        }

        boolean blocking() {
            return resource != null ? resource.isBlocking() : template.isBlocking();
        }

        /** What subscribing to it does, or null: the server keeps the subscriptions. */
        io.peregrine.resource.SubscriptionHandler subscriptions() {
            return resource != null ? resource.subscriptions() : template.subscriptions();
        }
    }

    private static final class Snapshot {
        final Map<String, Resource> byUri;
        final Resource[] resources;
        final Map<String, ResourceTemplate> byTemplate;
        final ResourceTemplate[] templates;
        /** Whether some resource or template can be subscribed to. */
        final boolean subscribable;

        Snapshot(Map<String, Resource> byUri, Map<String, ResourceTemplate> byTemplate) {
            this.byUri = byUri;
            this.resources = byUri.values().toArray(new Resource[0]);
            Arrays.sort(resources, Comparator.comparing(Resource::uri));
            this.byTemplate = byTemplate;
            this.templates = byTemplate.values().toArray(new ResourceTemplate[0]);
            Arrays.sort(templates, Comparator.comparing(ResourceRegistry::key));
            boolean any = false;
            for (Resource r : resources) {
                any |= r.subscriptions() != io.peregrine.resource.SubscriptionHandler.UNSUPPORTED;
            }
            for (ResourceTemplate t : templates) {
                any |= t.subscriptions() != io.peregrine.resource.SubscriptionHandler.UNSUPPORTED;
            }
            this.subscribable = any;
        }
    }

    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> updateListeners = new CopyOnWriteArrayList<>();
    private final List<Function<String, Resource>> unlisted = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    ResourceRegistry() {
    }

    static String key(ResourceTemplate t) {
        return t.uriTemplate().template();
    }

    /** Adds a resource, or replaces the one with the same URI. */
    public synchronized void add(Resource resource) {
        Objects.requireNonNull(resource, "resource");
        Map<String, Resource> next = new HashMap<>(snapshot.byUri);
        next.put(resource.uri(), resource);
        snapshot = new Snapshot(next, snapshot.byTemplate);
        fireChanged();
    }

    /** Adds a template, or replaces the one with the same template text. */
    public synchronized void add(ResourceTemplate template) {
        Objects.requireNonNull(template, "template");
        Map<String, ResourceTemplate> next = new HashMap<>(snapshot.byTemplate);
        next.put(key(template), template);
        snapshot = new Snapshot(snapshot.byUri, next);
        fireChanged();
    }

    /**
     * Removes the resources at {@code removedUris} and the templates {@code removedTemplates}, and
     * adds (or replaces) {@code resources} and {@code templates}, as one change: listeners hear of
     * it once.
     */
    public synchronized void replace(java.util.Collection<String> removedUris, java.util.Collection<String> removedTemplates,
                                     java.util.Collection<Resource> resources, java.util.Collection<ResourceTemplate> templates) {
        Map<String, Resource> uris = new HashMap<>(snapshot.byUri);
        Map<String, ResourceTemplate> byTemplate = new HashMap<>(snapshot.byTemplate);
        boolean changed = false;
        for (String uri : removedUris) {
            changed |= uris.remove(uri) != null;
        }
        for (String t : removedTemplates) {
            changed |= byTemplate.remove(t) != null;
        }
        for (Resource r : resources) {
            uris.put(r.uri(), r);
            changed = true;
        }
        for (ResourceTemplate t : templates) {
            byTemplate.put(key(t), t);
            changed = true;
        }
        if (changed) {
            snapshot = new Snapshot(uris, byTemplate);
            fireChanged();
        }
    }

    /** Removes the resource at {@code uri}; returns whether there was one. */
    public synchronized boolean remove(String uri) {
        if (!snapshot.byUri.containsKey(uri)) {
            return false;
        }
        Map<String, Resource> next = new HashMap<>(snapshot.byUri);
        next.remove(uri);
        snapshot = new Snapshot(next, snapshot.byTemplate);
        fireChanged();
        return true;
    }

    /** Removes the template whose text is {@code uriTemplate}; returns whether there was one. */
    public synchronized boolean removeTemplate(String uriTemplate) {
        if (!snapshot.byTemplate.containsKey(uriTemplate)) {
            return false;
        }
        Map<String, ResourceTemplate> next = new HashMap<>(snapshot.byTemplate);
        next.remove(uriTemplate);
        snapshot = new Snapshot(snapshot.byUri, next);
        fireChanged();
        return true;
    }

    /**
     * Tells every client subscribed to {@code uri} that its contents changed
     * ({@code notifications/resources/updated}). Safe from any thread.
     */
    public void updated(String uri) {
        Objects.requireNonNull(uri, "uri");
        for (Consumer<String> l : updateListeners) {
            l.accept(uri);
        }
    }

    /** The resource at {@code uri}, or null. */
    public Resource resource(String uri) {
        return snapshot.byUri.get(uri);
    }

    /** The template whose text is {@code uriTemplate}, or null. */
    public ResourceTemplate template(String uriTemplate) {
        return snapshot.byTemplate.get(uriTemplate);
    }

    /** All resources in URI order. */
    public List<Resource> resources() {
        return List.of(snapshot.resources);
    }

    /** All templates in template order. */
    public List<ResourceTemplate> templates() {
        return List.of(snapshot.templates);
    }

    /** Whether there is any resource or template. */
    public boolean isEmpty() {
        Snapshot s = snapshot;
        return s.resources.length == 0 && s.templates.length == 0;
    }

    /** Runs {@code listener} after every change to the list of resources or templates. */
    public void onChange(Runnable listener) {
        changeListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    void onUpdated(Consumer<String> listener) {
        updateListeners.add(listener);
    }

    /** What {@code uri} names, or null. */
    Resolved resolve(String uri) {
        Snapshot s = snapshot;
        Resource r = s.byUri.get(uri);
        if (r != null) {
            return new Resolved(r, null, Map.of());
        }
        for (ResourceTemplate t : s.templates) {
            Map<String, String> vars = t.uriTemplate().match(uri);
            if (vars != null) {
                return new Resolved(null, t, vars);
            }
        }
        for (Function<String, Resource> source : unlisted) {
            Resource found = source.apply(uri);
            if (found != null) {
                return new Resolved(found, null, Map.of());
            }
        }
        return null;
    }

    /**
     * Adds a source of resources this server reads (and lets clients subscribe to) without listing
     * them: for a URI that is no listed resource's and that no template matches, {@code resolver}
     * gives the resource to read, or null when it has none. Sources are asked in the order they
     * were added; {@code resolver} runs on the thread that serves the request, so it must answer
     * at once (a lookup, not I/O: reading is the resource handler's part).
     */
    public void addUnlisted(Function<String, Resource> resolver) {
        unlisted.add(Objects.requireNonNull(resolver, "resolver"));
    }

    /** Whether some resource or template can be subscribed to (the {@code resources.subscribe} capability). */
    boolean isSubscribable() {
        return snapshot.subscribable;
    }

    boolean hasTemplates() {
        return snapshot.templates.length > 0;
    }

    Cursors.Page<Resource> resourcePage(String after, int limit) {
        return Cursors.page(snapshot.resources, Resource::uri, after, limit);
    }

    Cursors.Page<ResourceTemplate> templatePage(String after, int limit) {
        return Cursors.page(snapshot.templates, ResourceRegistry::key, after, limit);
    }

    private void fireChanged() {
        for (Runnable r : new ArrayList<>(changeListeners)) {
            r.run();
        }
    }
}
