package io.peregrine.mcp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.netty.buffer.ByteBuf;
import io.peregrine.policy.ConnectionPolicy;
import io.peregrine.policy.Grants;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.Principal;
import io.peregrine.policy.Refusal;
import io.peregrine.policy.ResultCache;
import io.peregrine.rpc.Json;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.rpc.JsonTree;
import io.peregrine.rpc.RpcException;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Tool;
import io.peregrine.transport.Peer;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the MCP core meets the {@link PolicyChain}: turns its refusals into JSON-RPC errors
 * whose {@code data} carries the HTTP status and the facts a client needs (the missing scope,
 * when to retry), and keeps the per-connection state in {@link Connection}.
 */
final class PolicyGate {

    /** Thread-safe and costly to build: one for every canonical form written. */
    private static final com.fasterxml.jackson.core.JsonFactory CANONICAL = com.fasterxml.jackson.core.JsonFactory.builder().build();

    private final PolicyChain chain;
    private final Json json;

    PolicyGate(PolicyChain chain, Json json) {
        this.chain = chain;
        this.json = json;
    }

    PolicyChain chain() {
        return chain;
    }

    /** Admits one request of {@code c}: authenticated, not expired, within the connection's budget. */
    Principal admit(Connection c, Params p) throws RpcException {
        ConnectionPolicy cp = c.policy;
        if (cp == null) {
            cp = chain.open(c.peer.transport().label(), c.peer.remoteAddress());
            c.policy = cp;
        }
        try {
            Peer origin = c.origin != null ? c.origin : c.peer;
            Principal principal = cp.admit(p.authorization(), origin.principal());
            c.principal = principal;
            return principal;
        } catch (Refusal r) {
            throw toRpc(r);
        }
    }

    /** The principal of an admitted connection. */
    static Principal principal(Connection c) {
        Principal p = c.principal;
        return p != null ? p : Principal.ANONYMOUS;
    }

    boolean mayList(Connection c, String tool) {
        return chain.mayList(principal(c), Grants.TOOL, tool);
    }

    boolean mayList(Connection c, String kind, String name) {
        return chain.mayList(principal(c), kind, name);
    }

    /** Whether the principal may use {@code name} of {@code kind} (resource, prompt). */
    void authorize(Connection c, String kind, String name) throws RpcException {
        Refusal r = chain.authorize(principal(c), c.peer.transport().label(), kind, name);
        if (r != null) {
            throw toRpc(r);
        }
    }

    /** Whether the principal may call {@code tool}, its final name. */
    void authorize(Connection c, String tool) throws RpcException {
        Refusal r = chain.authorize(principal(c), c.peer.transport().label(), Grants.TOOL, tool);
        if (r != null) {
            throw toRpc(r);
        }
    }

    /**
     * A token from every rate limit that applies to the principal calling {@code tool}: a future
     * already done for limits kept in this process, completed on the store client's thread (within
     * the store's timeout) for shared ones. Never waited for on an I/O thread.
     */
    java.util.concurrent.CompletableFuture<Refusal> acquire(Connection c, String tool) {
        return chain.acquireAsync(principal(c), c.peer.transport().label(), tool);
    }

    /** A cache lookup for a call of a cacheable tool, or null when the arguments cannot be read. */
    ResultCache.Lookup lookup(Connection c, Tool tool, ByteBuf arguments) {
        String canonical;
        try {
            canonical = canonical(arguments);
        } catch (IOException e) {
            return null;
        }
        String principal = tool.cacheScope() == CacheScope.PRIVATE ? principal(c).name() : null;
        return chain.cache().lookup(tool.name(), principal, canonical, tool.cacheTtl());
    }

    /** The arguments as JSON with every object's members sorted: equal arguments, equal strings. */
    private String canonical(ByteBuf arguments) throws IOException {
        if (arguments == null) {
            return "{}";
        }
        Object tree;
        try (JsonParser parser = json.parser(arguments)) {
            tree = JsonTree.read(parser);
        }
        StringWriter out = new StringWriter(arguments.readableBytes() + 16);
        try (JsonGenerator g = CANONICAL.createGenerator(out)) {
            JsonTree.write(g, sorted(tree));
        }
        return out.toString();
    }

    private static Object sorted(Object tree) {
        if (tree instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) tree;
            List<String> keys = new ArrayList<>();
            for (Object k : m.keySet()) {
                keys.add(String.valueOf(k));
            }
            Collections.sort(keys);
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : keys) {
                out.put(k, sorted(m.get(k)));
            }
            return out;
        }
        if (tree instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) tree) {
                out.add(sorted(o));
            }
            return out;
        }
        return tree;
    }

    /** The JSON-RPC error of a refusal. */
    static RpcException toRpc(Refusal r) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("httpStatus", r.httpStatus());
        if (r.oauthError() != null) {
            data.put("error", r.oauthError());
        }
        if (r.scope() != null) {
            data.put("scope", r.scope());
        }
        if (r.limit() != null) {
            data.put("limit", r.limit());
            data.put("retryAfterMs", r.retryAfterMillis());
        }
        int code;
        switch (r.reason()) {
            case FORBIDDEN: code = JsonRpcError.FORBIDDEN; break;
            case RATE_LIMITED: code = JsonRpcError.RATE_LIMITED; break;
            default:
                code = JsonRpcError.UNAUTHORIZED;
                data.put("authorization", "send \"Bearer <token>\" in the Authorization header (HTTP, WebSocket) "
                        + "or in _meta[\"" + Params.META_AUTHORIZATION + "\"] (TCP)");
        }
        return new RpcException(code, r.getMessage(), null, data);
    }
}
