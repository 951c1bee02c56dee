package io.peregrine.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.peregrine.client.PromptInfo;
import io.peregrine.client.ResourceInfo;
import io.peregrine.client.ResourceTemplateInfo;
import io.peregrine.client.ToolInfo;
import io.peregrine.config.ConfigException;
import io.peregrine.mcp.PromptRegistry;
import io.peregrine.mcp.ResourceRegistry;
import io.peregrine.mcp.ToolRegistry;
import io.peregrine.prompt.Prompt;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.Tool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway: upstream MCP servers federated into a server's registries.
 *
 * <p>The gateway is a tool source, not a second server. Each upstream's tools, resources, resource
 * templates and prompts become entries of the same {@link ToolRegistry}, {@link ResourceRegistry}
 * and {@link PromptRegistry} the local ones live in, whose handlers forward through the Java client
 * ({@link Upstream}). So the method table, the policy chain (scopes, limits, the cache apply to
 * federated names), metrics, every transport and both protocol eras serve them unchanged, and the
 * gateway's clients hear {@code list_changed} (2025 sessions) or their subscriptions (2026-07-28)
 * whenever the registries change.
 *
 * <p><b>The catalog.</b> What the registries hold of the upstreams is recomputed whenever one of
 * them changes (a list changed, a replica came or went): names are given by each upstream's prefix
 * mode ({@link Naming}), and each registry gets at most one change per recomputation, holding only
 * what differs, so clients are told once and see no half-made change. Lists are served from the
 * registries without asking the upstreams. Recomputations run one at a time on a thread of the
 * gateway's own, never on an I/O thread.
 *
 * <p><b>Faults.</b> An upstream that is down at start or goes away has no part in the catalog
 * until it is back; the gateway keeps trying with backoff. Start-up waits for each upstream's first
 * attempt (at most its connect timeout) so that the first clients see a full catalog when
 * everything is up, and so that a name collision with prefixing off, or two sources of one
 * resource URI, is found then: it stops start-up with a {@link ConfigException} naming both.
 *
 * <p>Over 400 lines: the catalog's recomputation, the upstreams' lifecycle and the forwarding of
 * each kind of call share one state (which upstream holds which name); naming lives in
 * {@link Naming} and the keys in {@code UpstreamSettings}.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    /** How many URIs pointed at by upstreams that keep their URIs are remembered, unless configured ({@code gateway.linked-resources}). */
    public static final int DEFAULT_LINKED_RESOURCES = 10_000;

    private final List<Upstream> upstreams = new ArrayList<>();
    private final ToolRegistry tools;
    private final ResourceRegistry resources;
    private final PromptRegistry prompts;
    private final EventLoopGroup loops;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final ExecutorService reconciler;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private final AtomicLong catalogVersion = new AtomicLong();
    private volatile boolean started;
    private volatile boolean closed;

    // What the registries hold of the upstreams; touched by the reconciler only.
    private Map<String, Naming.Owned<ToolInfo>> servedTools = Map.of();
    private Map<String, Naming.Owned<ResourceInfo>> servedResources = Map.of();
    private Map<String, Naming.Owned<ResourceTemplateInfo>> servedTemplates = Map.of();
    private Map<String, Naming.Owned<PromptInfo>> servedPrompts = Map.of();
    private final Set<String> warned = new HashSet<>();
    /** The very objects put in the registries, by name or URI: a local entry put over one of them is then not removed. */
    private final Map<String, Object> toolObjects = new HashMap<>();
    private final Map<String, Object> promptObjects = new HashMap<>();
    private final Map<String, Object> resourceObjects = new HashMap<>();
    private final Map<String, Object> templateObjects = new HashMap<>();

    /**
     * @throws ConfigException when two upstreams share a name, a prefix that is in use, or the mark of rewritten URIs
     */
    public Gateway(List<UpstreamSpec> specs, ToolRegistry tools, ResourceRegistry resources, PromptRegistry prompts) {
        this(specs, tools, resources, prompts, DEFAULT_LINKED_RESOURCES);
    }

    /**
     * @param linkedResources how many URIs that upstreams keeping their URIs point at (links,
     *                        embedded resources, contents) are remembered, so that clients can read
     *                        them through the gateway although the upstream does not list them
     *                        ({@code gateway.linked-resources}); 0 for none
     * @throws ConfigException when two upstreams share a name, a prefix that is in use, or the mark of rewritten URIs
     */
    public Gateway(List<UpstreamSpec> specs, ToolRegistry tools, ResourceRegistry resources, PromptRegistry prompts,
                   int linkedResources) {
        this.tools = Objects.requireNonNull(tools, "tools");
        this.resources = Objects.requireNonNull(resources, "resources");
        this.prompts = Objects.requireNonNull(prompts, "prompts");
        checkDistinct(specs);
        this.loops = new MultiThreadIoEventLoopGroup(Math.min(2, Math.max(1, specs.size())),
                new DefaultThreadFactory("peregrine-gateway-io", true), NioIoHandler.newFactory());
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                new DefaultThreadFactory("peregrine-gateway-timer", true));
        // Every forwarded call arms a deadline that its answer cancels: cancelled ones leave the queue at once.
        timer.setRemoveOnCancelPolicy(true);
        this.timer = timer;
        this.workers = Executors.newCachedThreadPool(new DefaultThreadFactory("peregrine-gateway", true));
        this.reconciler = Executors.newSingleThreadExecutor(new DefaultThreadFactory("peregrine-gateway-catalog", true));
        LinkedResources links = new LinkedResources(linkedResources, uri -> resources.resource(uri) != null);
        for (UpstreamSpec s : specs) {
            upstreams.add(new Upstream(s, this::changed, resources::updated, links, loops, timer, workers));
        }
        links.marks(upstreams);
        resources.addUnlisted(links::resolve);
        for (Upstream u : upstreams) {
            u.peers(this::upstream);
        }
    }

    /**
     * Makes a CLIENT span for every attempt on an upstream with {@code tracer}, a child of the
     * span of the request being served, and passes its context upstream in {@code _meta}
     * ({@code traceparent}); null stops it. The standalone server does this when tracing is on.
     */
    public void tracer(io.opentelemetry.api.trace.Tracer tracer) {
        for (Upstream u : upstreams) {
            u.tracer(tracer);
        }
    }

    /** Where the upstreams' circuit breakers, retries, hedges and fallbacks report to (the server's metrics). */
    public void events(ResilienceEvents events) {
        java.util.Objects.requireNonNull(events, "events");
        for (Upstream u : upstreams) {
            u.events(events);
        }
    }

    /**
     * The state of each circuit breaker of the upstream {@code name}, by scope and name
     * ({@code endpoint tcp://...}, {@code tool get_forecast}): 0 closed, 1 open, 2 half-open.
     */
    public Map<String, Integer> circuitStates(String name) {
        Upstream u = upstream(name);
        return u == null ? Map.of() : u.forwarder().breakers().states();
    }

    private static void checkDistinct(List<UpstreamSpec> specs) {
        Map<String, String> prefixes = new HashMap<>();
        Map<String, String> marks = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (UpstreamSpec s : specs) {
            if (!names.add(s.name())) {
                throw new ConfigException("two upstreams are named " + s.name() + " (expected: one group of keys per name)");
            }
            if (s.resourceUris() == ResourceUriMode.REWRITE) {
                String other = marks.putIfAbsent(ResourceUris.mark(s.name()), s.name());
                if (other != null) {
                    throw new ConfigException("upstreams " + other + " and " + s.name() + " would both mark their resource "
                            + "URIs' scheme with +" + ResourceUris.mark(s.name()) + " (resource-uris: rewrite; the mark is the "
                            + "name in lower case, _ as .); expected: names that differ otherwise, or resource-uris: keep for one)");
                }
            }
            if (s.prefixMode() == PrefixMode.NEVER) {
                continue;
            }
            String key = s.prefix() + s.separator();
            String other = prefixes.putIfAbsent(key, s.name());
            if (other != null) {
                throw new ConfigException("upstreams " + other + " and " + s.name() + " both prefix their names with \""
                        + key + "\" (expected: a gateway.upstreams.<name>.prefix of its own for each)");
            }
        }
    }

    /**
     * Serves forwarded calls on the I/O loops of {@code group} (the server's, once it listens):
     * each network endpoint of every upstream opens one more link on each loop (unless its
     * {@code link-per-io-thread} is off), and a call forwarded from a loop goes out and comes back
     * on that loop's link, crossing no thread. Returns at once; the links connect on the gateway's
     * worker threads, and until a loop's link is ready its calls go out on the endpoint's first link.
     */
    public void serveOn(EventLoopGroup group) {
        List<io.netty.channel.EventLoop> loops = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : group) {
            if (e instanceof io.netty.channel.EventLoop) {
                loops.add((io.netty.channel.EventLoop) e);
            }
        }
        for (Upstream u : upstreams) {
            u.serveOn(loops, workers);
        }
    }

    /**
     * Connects to every upstream and waits until each was reached or failed once (at most its
     * connect timeout, plus its first listing), then federates what they offer.
     *
     * @throws ConfigException when names collide with prefixing off, or resource URIs collide; the gateway is closed then
     */
    public void start() throws InterruptedException {
        for (Upstream u : upstreams) {
            if (u.spec().tls() != null && !u.spec().tls().verify()) {
                log.warn("upstream {}: TLS verification is OFF (tls.verify: false): any certificate and any host name "
                        + "are accepted; for development only", u.name());
            }
        }
        upstreams.forEach(Upstream::start);
        long waitMillis = 0;
        for (Upstream u : upstreams) {
            waitMillis = Math.max(waitMillis, u.spec().connectTimeout().toMillis() + u.spec().callTimeout().toMillis());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        synchronized (this) {
            while (!allTried() && System.nanoTime() < deadline) {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        }
        try {
            reconciler.submit(() -> reconcile(true)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause);
        }
        started = true;
        // Anything that changed while start-up settled is federated now.
        changed(null);
        for (Upstream u : upstreams) {
            if (u.isReady()) {
                log.info("upstream {} federated from {}", u.name(), u.spec().target());
            } else {
                log.warn("upstream {} is not reachable yet ({}); its part of the catalog comes when it is", u.name(), u.failure());
            }
        }
    }

    private boolean allTried() {
        for (Upstream u : upstreams) {
            if (!u.triedAll()) {
                return false;
            }
        }
        return true;
    }

    private void changed(Upstream u) {
        synchronized (this) {
            notifyAll();
        }
        if (!started || closed) {
            return;
        }
        if (reconcileQueued.compareAndSet(false, true)) {
            try {
                reconciler.execute(() -> {
                    reconcileQueued.set(false);
                    try {
                        reconcile(false);
                    } catch (RuntimeException e) {
                        log.error("federating the upstreams' catalog failed", e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                reconcileQueued.set(false);
            }
        }
    }

    /** Brings the registries in line with what the upstreams offer now. */
    private void reconcile(boolean strict) {
        if (closed) {
            return;
        }
        List<Naming.Offer> offers = new ArrayList<>();
        for (Upstream u : upstreams) {
            offers.add(new Naming.Offer(u, u.isReady() ? u.lists() : Replica.Lists.EMPTY));
        }
        Naming naming = new Naming(offers, this::leftOut);
        // An entry someone else replaced or removed in the registries is theirs now.
        servedTools = prune(servedTools, toolObjects, tools::tool);
        servedPrompts = prune(servedPrompts, promptObjects, prompts::prompt);
        servedResources = prune(servedResources, resourceObjects, resources::resource);
        servedTemplates = prune(servedTemplates, templateObjects, resources::template);
        List<String> collisions = new ArrayList<>();

        Set<String> localTools = new HashSet<>();
        for (Tool t : tools.tools()) {
            if (!servedTools.containsKey(t.name())) {
                localTools.add(t.name());
            }
        }
        Map<String, Naming.Owned<ToolInfo>> wantTools = naming.named(localTools, o -> o.lists().tools(), ToolInfo::name,
                s -> s.tools(), "tool", strict ? collisions : null);
        Set<String> localPrompts = new HashSet<>();
        for (Prompt p : prompts.prompts()) {
            if (!servedPrompts.containsKey(p.name())) {
                localPrompts.add(p.name());
            }
        }
        Map<String, Naming.Owned<PromptInfo>> wantPrompts = naming.named(localPrompts, o -> o.lists().prompts(),
                PromptInfo::name, s -> s.prompts(), "prompt", strict ? collisions : null);
        Set<String> localUris = new HashSet<>();
        for (Resource r : resources.resources()) {
            if (!servedResources.containsKey(r.uri())) {
                localUris.add(r.uri());
            }
        }
        Map<String, Naming.Owned<ResourceInfo>> wantResources = naming.served(localUris, o -> o.lists().resources(),
                ResourceInfo::uri, "resource", strict ? collisions : null);
        Set<String> localTemplates = new HashSet<>();
        for (ResourceTemplate t : resources.templates()) {
            if (!servedTemplates.containsKey(t.uriTemplate().template())) {
                localTemplates.add(t.uriTemplate().template());
            }
        }
        Map<String, Naming.Owned<ResourceTemplateInfo>> wantTemplates = naming.served(localTemplates,
                o -> o.lists().templates(), ResourceTemplateInfo::uriTemplate, "resource template", strict ? collisions : null);
        if (!collisions.isEmpty()) {
            throw new ConfigException(String.join("; ", collisions));
        }

        boolean changed = applyTools(wantTools);
        changed |= applyPrompts(wantPrompts);
        changed |= applyResources(wantResources, wantTemplates);
        if (changed) {
            long v = catalogVersion.incrementAndGet();
            log.info("federated catalog version {}: {} tools, {} resources, {} resource templates, {} prompts from {} of {} upstreams",
                    v, servedTools.size(), servedResources.size(), servedTemplates.size(), servedPrompts.size(),
                    upstreams.stream().filter(Upstream::isReady).count(), upstreams.size());
        }
    }

    private static <T> Map<String, Naming.Owned<T>> prune(Map<String, Naming.Owned<T>> served, Map<String, Object> objects,
                                                           java.util.function.Function<String, Object> current) {
        Map<String, Naming.Owned<T>> out = new LinkedHashMap<>(served);
        out.keySet().removeIf(k -> current.apply(k) != objects.get(k));
        objects.keySet().retainAll(out.keySet());
        return out;
    }

    /** Logs why an entry is left out, once for each reason (the catalog is recomputed often). */
    private void leftOut(String why) {
        if (warned.size() > 10_000) {
            warned.clear();
        }
        if (warned.add(why)) {
            log.warn(why);
        }
    }

    private boolean applyTools(Map<String, Naming.Owned<ToolInfo>> want) {
        List<String> removed = new ArrayList<>();
        List<Tool> added = new ArrayList<>();
        Map<String, Naming.Owned<ToolInfo>> kept = new LinkedHashMap<>(want);
        servedTools.forEach((name, owned) -> {
            if (!owned.equals(want.get(name))) {
                removed.add(name);
            }
        });
        want.forEach((name, owned) -> {
            if (!owned.equals(servedTools.get(name))) {
                Upstream u = owned.upstream();
                String original = owned.original();
                boolean onlyAsTask = Definitions.taskSupport(owned.item().definition()) == TaskSupport.REQUIRED;
                added.add(Definitions.tool(name, owned.item(),
                        u.spec().callTimeout().plus(Duration.ofSeconds(1)),
                        (args, ctx) -> u.callTool(original, args, ctx, onlyAsTask)));
            }
        });
        if (removed.isEmpty() && added.isEmpty()) {
            return false;
        }
        tools.replace(removed, added, (tool, why) -> {
            log.warn("tool {} of upstream {} is not federated: {}", tool.name(), want.get(tool.name()).upstream().name(), why);
            kept.remove(tool.name());
        });
        removed.forEach(toolObjects::remove);
        for (Tool t : added) {
            if (kept.containsKey(t.name())) {
                toolObjects.put(t.name(), t);
            }
        }
        servedTools = kept;
        return true;
    }

    private boolean applyPrompts(Map<String, Naming.Owned<PromptInfo>> want) {
        List<String> removed = new ArrayList<>();
        List<Prompt> added = new ArrayList<>();
        servedPrompts.forEach((name, owned) -> {
            if (!owned.equals(want.get(name))) {
                removed.add(name);
            }
        });
        Map<String, Naming.Owned<PromptInfo>> kept = new LinkedHashMap<>(want);
        want.forEach((name, owned) -> {
            if (!owned.equals(servedPrompts.get(name))) {
                Upstream u = owned.upstream();
                String original = owned.original();
                try {
                    io.peregrine.client.CompletionRef ref = io.peregrine.client.CompletionRef.prompt(original);
                    added.add(Definitions.prompt(name, owned.item(), (arguments, questions) -> u.prompt(original, arguments, questions),
                            u.completes() ? argument -> (value, context) -> u.complete(ref, argument, value, context) : null));
                } catch (IllegalArgumentException e) {
                    log.warn("prompt {} of upstream {} is not federated: {}", original, u.name(), e.getMessage());
                    kept.remove(name);
                }
            }
        });
        if (removed.isEmpty() && added.isEmpty()) {
            return false;
        }
        prompts.replace(removed, added);
        removed.forEach(promptObjects::remove);
        added.forEach(p -> promptObjects.put(p.name(), p));
        servedPrompts = kept;
        return true;
    }

    private boolean applyResources(Map<String, Naming.Owned<ResourceInfo>> wantResources,
                                   Map<String, Naming.Owned<ResourceTemplateInfo>> wantTemplates) {
        List<String> removedUris = new ArrayList<>();
        List<String> removedTemplates = new ArrayList<>();
        List<Resource> added = new ArrayList<>();
        List<ResourceTemplate> addedTemplates = new ArrayList<>();
        servedResources.forEach((uri, owned) -> {
            if (!owned.equals(wantResources.get(uri))) {
                removedUris.add(uri);
            }
        });
        servedTemplates.forEach((t, owned) -> {
            if (!owned.equals(wantTemplates.get(t))) {
                removedTemplates.add(t);
            }
        });
        Map<String, Naming.Owned<ResourceInfo>> keptResources = new LinkedHashMap<>(wantResources);
        Map<String, Naming.Owned<ResourceTemplateInfo>> keptTemplates = new LinkedHashMap<>(wantTemplates);
        wantResources.forEach((uri, owned) -> {
            if (!owned.equals(servedResources.get(uri))) {
                Upstream u = owned.upstream();
                try {
                    added.add(Definitions.resource(uri, owned.item(), request -> u.read(request.uri()), u.subscriptions()));
                } catch (IllegalArgumentException e) {
                    log.warn("resource {} of upstream {} is not federated: {}", uri, u.name(), e.getMessage());
                    keptResources.remove(uri);
                }
            }
        });
        wantTemplates.forEach((t, owned) -> {
            if (!owned.equals(servedTemplates.get(t))) {
                Upstream u = owned.upstream();
                try {
                    io.peregrine.client.CompletionRef ref = io.peregrine.client.CompletionRef.resourceTemplate(owned.original());
                    addedTemplates.add(Definitions.template(t, owned.item(), request -> u.read(request.uri()), u.subscriptions(),
                            u.completes() ? variable -> (value, context) -> u.complete(ref, variable, value, context) : null));
                } catch (IllegalArgumentException e) {
                    log.warn("resource template {} of upstream {} is not federated: {}", t, u.name(), e.getMessage());
                    keptTemplates.remove(t);
                }
            }
        });
        if (removedUris.isEmpty() && removedTemplates.isEmpty() && added.isEmpty() && addedTemplates.isEmpty()) {
            return false;
        }
        resources.replace(removedUris, removedTemplates, added, addedTemplates);
        removedUris.forEach(resourceObjects::remove);
        removedTemplates.forEach(templateObjects::remove);
        added.forEach(r -> resourceObjects.put(r.uri(), r));
        addedTemplates.forEach(t -> templateObjects.put(t.uriTemplate().template(), t));
        servedResources = keptResources;
        servedTemplates = keptTemplates;
        return true;
    }

    /** How many times the federated catalog changed since start. */
    public long catalogVersion() {
        return catalogVersion.get();
    }

    /** The configured upstreams' names, each with whether it is reachable now. */
    public Map<String, Boolean> upstreams() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Upstream u : upstreams) {
            out.put(u.name(), u.isReady());
        }
        return out;
    }

    /**
     * Each upstream's endpoints with their state (ready, connecting, unhealthy, ejected until when,
     * draining), calls in flight and ejections, in the order the upstreams were configured.
     */
    public List<UpstreamStatus> endpoints() {
        List<UpstreamStatus> out = new ArrayList<>();
        for (Upstream u : upstreams) {
            out.add(u.status());
        }
        return out;
    }

    /**
     * The upstream {@code name}'s endpoints as {@code /ready} shows them, one per {@code ;}, e.g.
     * {@code tcp://10.0.0.7:9001 ready (in flight 2); tcp://10.0.0.8:9001 unhealthy (in flight 0)};
     * null when there is no such upstream.
     */
    public String endpointStates(String name) {
        for (Upstream u : upstreams) {
            if (u.name().equals(name)) {
                StringBuilder out = new StringBuilder();
                for (EndpointStatus e : u.status().endpoints()) {
                    out.append(out.length() == 0 ? "" : "; ").append(e);
                }
                return out.toString();
            }
        }
        return null;
    }

    /** The upstream {@code name}, or null. */
    Upstream upstream(String name) {
        for (Upstream u : upstreams) {
            if (u.name().equals(name)) {
                return u;
            }
        }
        return null;
    }

    /** Why the upstream {@code name} is not reachable, or null when it is (or there is no such upstream). */
    public String failure(String name) {
        for (Upstream u : upstreams) {
            if (u.name().equals(name)) {
                return u.isReady() ? null : u.failure();
            }
        }
        return null;
    }

    /** Closes every upstream link (stdio children are asked to exit); federated entries are left as they are. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reconciler.shutdownNow();
        timer.shutdownNow();
        upstreams.forEach(Upstream::close);
        workers.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
