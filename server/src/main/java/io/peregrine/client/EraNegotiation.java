package io.peregrine.client;

import io.peregrine.client.transport.Link;
import io.peregrine.mcp.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Agrees on the protocol era with the server of a new link: a pinned 2025 revision performs
 * {@code initialize}; a pinned 2026-07-28 needs nothing; negotiating does what the stdio and HTTP
 * transport rules ask of a client of both eras: {@code server/discover} as the newest revision; a
 * discover result or a stateless error ({@code UnsupportedProtocolVersion} listing what the server
 * speaks) means a stateless server, anything else a 2025 one, which then gets {@code initialize}.
 *
 * <p>One per link; runs its steps on the client's event loop. While it probes, requests are sent
 * under a provisional {@link Agreement}.
 */
final class EraNegotiation {

    private static final Logger log = LoggerFactory.getLogger(EraNegotiation.class);
    private static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

    private final ClientConnection connection;
    private final Link link;
    private final ClientConnection.Settings settings;
    private final ServerRequestHandlers handlers;
    private Map<String, Object> serverInfo = Map.of();
    private Map<String, Object> serverCapabilities = Map.of();
    private String instructions;
    private List<String> serverVersions = List.of();

    EraNegotiation(ClientConnection connection, Link link, ClientConnection.Settings settings,
                   ServerRequestHandlers handlers) {
        this.connection = connection;
        this.link = link;
        this.settings = settings;
        this.handlers = handlers;
    }

    CompletableFuture<Agreement> agree() {
        String pinned = settings.pinnedVersion();
        if (pinned != null && ProtocolVersion.find(pinned).isStateless()) {
            return CompletableFuture.completedFuture(stateless(pinned));
        }
        if (pinned != null) {
            withSession(null);
            return initialize(pinned);
        }
        stateless(ProtocolVersion.LATEST.id());
        PendingRequest probe = connection.send("server/discover", null, null, null, Map.of(), true,
                settings.probeTimeoutMillis());
        return probe.future().handle((result, failure) -> {
            if (failure == null) {
                discovered(result);
                List<String> statelessOffered = new ArrayList<>(serverVersions);
                statelessOffered.retainAll(ProtocolVersion.statelessIds());
                if (!statelessOffered.isEmpty()) {
                    return CompletableFuture.completedFuture(stateless(statelessOffered.get(0)));
                }
                return withSessionAfterProbe("it offers only " + serverVersions);
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof McpClientException
                    && ((McpClientException) cause).code() == UNSUPPORTED_PROTOCOL_VERSION) {
                return unsupported(supportedIn(((McpClientException) cause).data()));
            }
            if (!connection.isActive()) {
                return CompletableFuture.<Agreement>failedFuture(cause);
            }
            return withSessionAfterProbe(cause.getMessage());
        }).thenCompose(f -> f);
    }

    /** The server refused the probe's version and said which it speaks. */
    private CompletableFuture<Agreement> unsupported(List<String> offered) {
        for (String v : ProtocolVersion.ids()) {
            if (offered.contains(v)) {
                if (ProtocolVersion.find(v).isStateless()) {
                    return CompletableFuture.completedFuture(stateless(v));
                }
                return withSessionAfterProbe("it supports " + offered);
            }
        }
        return CompletableFuture.failedFuture(new McpClientException(McpClientException.LOCAL, "the server at "
                + connection.target() + " supports none of the protocol versions this client speaks: it offers "
                + offered + ", this client " + ProtocolVersion.ids(), null));
    }

    private CompletableFuture<Agreement> withSessionAfterProbe(String why) {
        log.debug("{} is a 2025-era server ({}): initializing", connection.target(), why);
        return connection.onLoopThen(() -> {
            withSession(null);
            return initialize(ProtocolVersion.LATEST_WITH_SESSION.id());
        });
    }

    private Agreement stateless(String version) {
        Agreement a = new Agreement(version, true, RequestParams.stateless(version, handlers.capabilities(),
                settings.clientInfo(), settings.authorization()), serverInfo, serverCapabilities, instructions,
                serverVersions);
        connection.provisionally(a);
        link.protocolVersion(version, true);
        return a;
    }

    private void withSession(String version) {
        connection.provisionally(new Agreement(version != null ? version : ProtocolVersion.LATEST_WITH_SESSION.id(), false,
                RequestParams.stateful(), serverInfo, serverCapabilities, instructions, serverVersions));
        link.protocolVersion(version, false);
    }

    private CompletableFuture<Agreement> initialize(String version) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("protocolVersion", version);
        params.put("capabilities", handlers.capabilities());
        params.put("clientInfo", settings.clientInfo());
        if (settings.authorization() != null) {
            params.put(RequestParams.META, Map.of(RequestParams.META_AUTHORIZATION, settings.authorization()));
        }
        return connection.send("initialize", params, null, null, Map.of(), true, settings.timeoutMillis()).future()
                .thenCompose(result -> connection.onLoopThen(() -> initialized(result)));
    }

    private CompletableFuture<Agreement> initialized(Map<String, Object> result) {
        Object offered = result.get("protocolVersion");
        ProtocolVersion chosen = offered instanceof String ? ProtocolVersion.find((String) offered) : null;
        // A server that does not speak the requested revision offers another; any 2025 one will do.
        if (chosen == null || chosen.isStateless()) {
            List<String> handshakeVersions = new ArrayList<>(ProtocolVersion.ids());
            handshakeVersions.removeAll(ProtocolVersion.statelessIds());
            return CompletableFuture.failedFuture(new McpClientException(McpClientException.LOCAL, "the server offered "
                    + "protocol version " + offered + ", which cannot follow initialize (expected: one of "
                    + handshakeVersions + ")", null));
        }
        serverInfo = Trees.objectOrEmpty(result.get("serverInfo"));
        serverCapabilities = Trees.objectOrEmpty(result.get("capabilities"));
        instructions = Trees.string(result.get("instructions"));
        withSession(chosen.id());
        Agreement agreed = new Agreement(chosen.id(), false, RequestParams.stateful(), serverInfo, serverCapabilities,
                instructions, serverVersions);
        connection.provisionally(agreed);
        // Ready only once the server has it: over HTTP the next request may take another
        // connection and overtake it, and a server finishes its setup on it.
        return connection.notify("notifications/initialized", null).handle((ok, failure) -> {
            if (failure != null) {
                log.debug("{} did not take notifications/initialized: {}", connection.target(), failure.toString());
            }
            return null;
        }).thenCompose(v -> connection.onLoopThen(() -> {
            link.initialized();
            return CompletableFuture.completedFuture(agreed);
        }));
    }

    /** Records what a {@code server/discover} result says. */
    private void discovered(Map<String, Object> result) {
        List<String> list = new ArrayList<>();
        if (result.get("supportedVersions") instanceof List) {
            for (Object v : (List<?>) result.get("supportedVersions")) {
                if (v instanceof String) {
                    list.add((String) v);
                }
            }
        }
        serverVersions = List.copyOf(list);
        serverCapabilities = Trees.objectOrEmpty(result.get("capabilities"));
        Map<String, Object> meta = Trees.objectOrEmpty(result.get("_meta"));
        if (meta.get("io.modelcontextprotocol/serverInfo") instanceof Map) {
            serverInfo = Trees.objectOrEmpty(meta.get("io.modelcontextprotocol/serverInfo"));
        } else if (result.get("serverInfo") instanceof Map) {
            serverInfo = Trees.objectOrEmpty(result.get("serverInfo"));
        }
        instructions = Trees.string(result.get("instructions"));
    }

    private static List<String> supportedIn(Object data) {
        Object supported = data instanceof Map ? ((Map<?, ?>) data).get("supported") : null;
        List<String> out = new ArrayList<>();
        if (supported instanceof List) {
            for (Object v : (List<?>) supported) {
                if (v instanceof String) {
                    out.add((String) v);
                }
            }
        }
        return out;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
