package io.peregrine.gateway;

import io.peregrine.client.CatalogListener;
import io.peregrine.client.ConnectionListener;
import io.peregrine.client.McpClientException;
import io.peregrine.client.PeregrineClient;
import io.peregrine.client.PromptInfo;
import io.peregrine.client.ReconnectPolicy;
import io.peregrine.client.ResourceInfo;
import io.peregrine.client.ResourceTemplateInfo;
import io.peregrine.client.ToolInfo;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint of an upstream (a replica URL, or its stdio child) and the client linked to it.
 *
 * <p>Its life: connect, retrying with backoff while the endpoint is down (also at start); once
 * connected, list its catalog and keep it fresh through the client's discovery cache, which hears
 * {@code list_changed} (2025) or keeps a {@code subscriptions/listen} open (2026-07-28); when the
 * link is lost the client reconnects with the same backoff (a stdio child is started again), and
 * the catalog is listed anew. Every change is reported to the {@link Upstream}, which tells the
 * gateway. Blocking work (connecting, listing) runs on the gateway's worker threads, never on the
 * client's I/O thread.
 *
 * <p>Once ready, and once the gateway serves on its I/O loops ({@link Gateway#serveOn}), a network
 * endpoint gets one more link per I/O loop, on that loop ({@link #linkLoops}): a call forwarded
 * from a loop goes out and comes back on that loop's link ({@link #clientForCall}), so that the
 * forwarded request and its answer cross no thread. The first link keeps the catalog, the
 * subscriptions and every other request.
 */
final class Replica implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    /** What the replica offers, replaced whole. */
    record Lists(List<ToolInfo> tools, List<ResourceInfo> resources, List<ResourceTemplateInfo> templates,
                 List<PromptInfo> prompts) {
        static final Lists EMPTY = new Lists(List.of(), List.of(), List.of(), List.of());
    }

    private final Upstream upstream;
    private final String target;
    /** The target as logs and errors show it: a stdio command cut short (a class path can be kilobytes). */
    private final String shown;
    private final EventLoopGroup loops;
    private final ScheduledExecutorService timer;
    private final Executor workers;
    private volatile PeregrineClient client;
    /** The links on the serving I/O loops, once made (see {@link #linkLoops}); null before. */
    private volatile LoopLinks loopLinks;
    private volatile boolean ready;
    private volatile boolean closed;
    private volatile Lists lists = Lists.EMPTY;
    private volatile String failure = "not connected yet";
    private int attempts;
    /** How many times it became ready: a new upstream session each time, which knows no subscription of an earlier one. */
    private volatile int link;
    /** Attempts on this endpoint not yet ended. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Left the upstream's endpoints: takes no new call, closes once {@link #inFlight} reaches zero. */
    private volatile boolean draining;
    /** Its health: active checks, calls failed in a row, ejections. */
    private final EndpointHealth health = new EndpointHealth(System.nanoTime());

    Replica(Upstream upstream, String target, EventLoopGroup loops, ScheduledExecutorService timer, Executor workers) {
        this.upstream = upstream;
        this.target = target;
        this.shown = target.length() <= 96 ? target : target.substring(0, 93) + "...";
        this.loops = loops;
        this.timer = timer;
        this.workers = workers;
    }

    String target() {
        return target;
    }

    /** Connected, its catalog listed, and still one of the upstream's endpoints. */
    boolean isReady() {
        PeregrineClient c = client;
        return ready && !draining && c != null && c.isConnected();
    }

    /** How many attempts on this endpoint are in flight. */
    int inFlight() {
        return inFlight.get();
    }

    /** An attempt starts on this endpoint. */
    void enter() {
        inFlight.incrementAndGet();
    }

    /** An attempt on this endpoint ended; a draining endpoint closes after its last one. */
    void exit() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            close();
        }
    }

    /** Takes no new call from now on, and closes once the calls in flight ended. */
    void drain() {
        draining = true;
        if (inFlight.get() == 0) {
            close();
        }
    }

    boolean isDraining() {
        return draining;
    }

    /** Closed: drained, or the gateway closed. */
    boolean isClosed() {
        return closed;
    }

    EndpointHealth health() {
        return health;
    }

    /** Which connection of this endpoint is the current one (see {@link UpstreamSubscriptions}). */
    int link() {
        return link;
    }

    PeregrineClient client() {
        return client;
    }

    /**
     * The link a call made now should go out on: the link on the calling I/O loop when there is
     * one and it is connected, else the first link.
     */
    PeregrineClient clientForCall() {
        LoopLinks l = loopLinks;
        if (l != null) {
            for (int i = 0; i < l.loops.length; i++) {
                if (l.loops[i].inEventLoop()) {
                    PeregrineClient c = l.clients[i];
                    if (c != null && c.isConnected()) {
                        return c;
                    }
                    break;
                }
            }
        }
        return client;
    }

    /** Whether the links on the serving loops were made (each connected, or failed and left to the first link). */
    boolean loopLinksMade() {
        return loopLinks != null;
    }

    /** How many links on the serving loops are connected (for tests and status). */
    int loopLinksConnected() {
        LoopLinks l = loopLinks;
        int n = 0;
        if (l != null) {
            for (PeregrineClient c : l.clients) {
                if (c != null && c.isConnected()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The links on the serving loops: {@code clients[i]} runs on {@code loops[i]} (null where connecting failed). */
    private record LoopLinks(EventLoop[] loops, PeregrineClient[] clients) {
    }

    /**
     * Opens one link per serving I/O loop of the gateway, on that loop, unless there are no such
     * loops yet, the endpoint is a child process (one process, one link), the upstream says
     * {@code link-per-io-thread: false}, or it is done already. Runs on a worker thread.
     */
    void linkLoops() {
        List<EventLoop> serving = upstream.servingLoops();
        if (serving.isEmpty() || target.startsWith("stdio:") || !upstream.spec().linkPerIoThread()
                || loopLinks != null || closed || !ready) {
            return;
        }
        EventLoop[] loops = serving.toArray(new EventLoop[0]);
        PeregrineClient[] clients = new PeregrineClient[loops.length];
        for (int i = 0; i < loops.length && !closed; i++) {
            java.util.concurrent.atomic.AtomicReference<PeregrineClient> self = new java.util.concurrent.atomic.AtomicReference<>();
            PeregrineClient.Builder b = builder(loops[i]);
            Relay.declare(b, upstream.name(), self::get);
            try {
                PeregrineClient c = b.connect();
                self.set(c);
                Relay.linked(c);
                clients[i] = c;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    // Closing interrupted the connect: nothing failed.
                    log.debug("upstream {}: the link on I/O loop {} to {} was not made: closing", upstream.name(), i, shown);
                    break;
                }
                // Its loop's calls go out on the first link meanwhile.
                log.warn("upstream {}: a link on I/O loop {} to {} failed ({}); that loop's calls use the first link",
                        upstream.name(), i, shown, message(e));
            }
        }
        LoopLinks made = new LoopLinks(loops, clients);
        synchronized (this) {
            if (!closed && loopLinks == null) {
                loopLinks = made;
                return;
            }
        }
        closeLoopLinks(made);
    }

    Lists lists() {
        return lists;
    }

    /** Why it is not ready, for errors and logs. */
    String failure() {
        return failure;
    }

    /** Starts connecting; returns at once. */
    void start() {
        workers.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        PeregrineClient.Builder b = builder(loops)
                .onCatalogChange(this::catalogChanged)
                .onConnectionChange(new ConnectionListener() {
                    @Override
                    public void onReady(boolean again) {
                        if (again && !closed) {
                            log.info("upstream {} ({}) is back", upstream.name(), shown);
                            try {
                                workers.execute(Replica.this::list);
                            } catch (java.util.concurrent.RejectedExecutionException closing) {
                                // The gateway is closing.
                            }
                        }
                    }

                    @Override
                    public void onLost(String reason) {
                        lost(reason);
                    }
                });
        Relay.declare(b, upstream.name(), this::client);
        try {
            PeregrineClient c = b.connect();
            if (closed) {
                c.close();
                return;
            }
            client = c;
            Relay.linked(c);
            attempts = 0;
            log.info("upstream {} connected: {} speaking {}", upstream.name(), shown, c.negotiatedVersion());
            list();
        } catch (IOException | RuntimeException e) {
            String why = message(e);
            failure = why.startsWith("cannot connect") ? why : "cannot connect to " + shown + ": " + why;
            long delay = delayMillis(++attempts);
            if (attempts == 1 || log.isDebugEnabled()) {
                log.warn("upstream {}: {}; trying again in {} ms, then with backoff", upstream.name(), failure, delay);
            }
            upstream.attempted();
            try {
                timer.schedule(() -> workers.execute(this::connect), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // The gateway is closing.
            }
        }
    }

    /** A link to this endpoint as the upstream's settings say, its I/O on {@code group}. */
    private PeregrineClient.Builder builder(EventLoopGroup group) {
        UpstreamSpec spec = upstream.spec();
        PeregrineClient.Builder b = PeregrineClient.builder()
                .url(target)
                .clientInfo("peregrine-gateway", "0.1.0")
                .eventLoopGroup(group)
                .requestTimeout(spec.callTimeout())
                // Plain results go back to the gateway's clients as the upstream wrote them.
                .relayResults(true)
                .connectTimeout(spec.connectTimeout())
                // The gateway's bulkhead bounds the calls; the client's bound leaves room for catalog lists.
                .maxCallsInFlight(spec.maxInFlight() + 16, Duration.ZERO)
                .reconnect(new ReconnectPolicy(spec.reconnectBackoff(), spec.reconnectMaxBackoff(), Integer.MAX_VALUE));
        if (spec.protocolVersion() != null) {
            b.protocolVersion(spec.protocolVersion());
        } else {
            b.negotiateProtocolVersion();
        }
        spec.headers().forEach((name, value) -> {
            if (name.equalsIgnoreCase("Authorization")) {
                b.authorization(value);
            } else {
                b.header(name, value);
            }
        });
        if (spec.tls() != null) {
            b.tls(spec.tls().context());
        }
        b.h2c(spec.h2c());
        spec.environment().forEach(b::environment);
        if (spec.workingDirectory() != null) {
            b.workingDirectory(spec.workingDirectory());
        }
        return b;
    }

    private long delayMillis(int attempt) {
        long delay = upstream.spec().reconnectBackoff().toMillis();
        long cap = upstream.spec().reconnectMaxBackoff().toMillis();
        for (int i = 1; i < attempt && delay < cap; i++) {
            delay = Math.min(cap, delay * 2);
        }
        long jitter = delay / 4;
        return jitter > 0 ? delay - jitter + ThreadLocalRandom.current().nextLong(jitter + 1) : delay;
    }

    /** Lists the whole catalog (every page) of a freshly connected link; blocks. */
    private void list() {
        PeregrineClient c = client;
        if (c == null || closed) {
            return;
        }
        try {
            Map<String, Object> caps = c.serverCapabilities();
            boolean modern = c.negotiatedVersion() != null && c.negotiatedVersion().compareTo("2026") > 0;
            // A 2026-07-28 server need not send capabilities with every answer: ask for every list then.
            boolean all = modern && caps.isEmpty();
            Lists fresh = new Lists(
                    all || caps.containsKey("tools") ? c.tools() : List.of(),
                    all || caps.containsKey("resources") ? orEmpty(c::resources) : List.of(),
                    all || caps.containsKey("resources") ? orEmpty(c::resourceTemplates) : List.of(),
                    all || caps.containsKey("prompts") ? orEmpty(c::prompts) : List.of());
            lists = fresh;
            boolean was = ready;
            if (c.isConnected() && !was) {
                link++;
            }
            ready = c.isConnected();
            if (ready && !was) {
                // Connected anew: a fresh start for its health, and the start of its slow start.
                health.joined(System.nanoTime());
            }
            if (ready) {
                linkLoops();
            }
            failure = ready ? null : "the link to " + shown + " was lost while listing its catalog";
            upstream.changed();
        } catch (RuntimeException e) {
            failure = "listing the catalog of " + shown + " failed: " + message(e);
            log.warn("upstream {}: {}", upstream.name(), failure);
            if (c.isConnected() && !closed) {
                // Listed again shortly: a server that cannot list now may later.
                try {
                    timer.schedule(() -> workers.execute(this::list), upstream.spec().reconnectMaxBackoff().toMillis(),
                            TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // The gateway is closing.
                }
            }
        }
    }

    private static <T> List<T> orEmpty(java.util.function.Supplier<List<T>> lister) {
        try {
            return lister.get();
        } catch (McpClientException e) {
            if (e.code() == io.peregrine.rpc.JsonRpcError.METHOD_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private void catalogChanged(CatalogListener.Kind kind, List<?> items) {
        Lists l = lists;
        switch (kind) {
            case TOOLS:
                lists = new Lists((List<ToolInfo>) items, l.resources(), l.templates(), l.prompts());
                break;
            case RESOURCES:
                lists = new Lists(l.tools(), (List<ResourceInfo>) items, l.templates(), l.prompts());
                break;
            case RESOURCE_TEMPLATES:
                lists = new Lists(l.tools(), l.resources(), (List<ResourceTemplateInfo>) items, l.prompts());
                break;
            default:
                lists = new Lists(l.tools(), l.resources(), l.templates(), (List<PromptInfo>) items);
        }
        if (ready) {
            log.debug("upstream {} ({}): its {} changed", upstream.name(), shown, kind);
            upstream.changed();
        }
    }

    private void lost(String reason) {
        ready = false;
        failure = "the link to " + shown + " was lost" + (reason != null ? " (" + reason + ")" : "")
                + "; reconnecting";
        log.warn("upstream {}: {}", upstream.name(), failure);
        upstream.changed();
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    @Override
    public void close() {
        LoopLinks l;
        synchronized (this) {
            closed = true;
            ready = false;
            l = loopLinks;
        }
        PeregrineClient c = client;
        if (c != null) {
            c.close();
        }
        closeLoopLinks(l);
    }

    /** Closes the links on the serving loops, which are not opened again: every call takes the first link. */
    void closeLoopLinks() {
        closeLoopLinks(loopLinks);
    }

    private static void closeLoopLinks(LoopLinks l) {
        if (l != null) {
            for (PeregrineClient each : l.clients) {
                if (each != null) {
                    each.close();
                }
            }
        }
    }
}
