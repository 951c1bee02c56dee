package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.peregrine.policy.Authenticator;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.Principal;
import io.peregrine.policy.ProtectedResource;
import io.peregrine.policy.Refusal;
import io.peregrine.transport.EdgeRefusal;
import io.peregrine.transport.MessageListener;
import io.peregrine.transport.PeerHandler;
import io.peregrine.transport.Transport;

import java.util.Set;

/**
 * Authenticates requests to the MCP path (and to the listener's other guarded paths, as the
 * metrics scrape) by their {@code Authorization} header, as the MCP
 * authorization spec has HTTP-based transports do: WebSocket upgrades with the {@code ws}
 * authenticator, Streamable HTTP requests (each of them) with the {@code http} one. A refusal
 * is a 401 with a {@code WWW-Authenticate: Bearer resource_metadata="..."} challenge and a
 * JSON-RPC error body, and the request goes no further (no upgrade, no dispatch); a success
 * makes the principal the channel's, where the core finds it through {@code Peer.principal()}. Also serves the OAuth protected resource
 * metadata (RFC 9728) at {@value ProtectedResource#WELL_KNOWN_PATH}, which that challenge points at.
 * It keeps nothing of its own per connection (the principal is the channel's): one per listener.
 */
@ChannelHandler.Sharable
final class AuthenticationHandler extends ChannelInboundHandlerAdapter {

    private final PolicyChain policy;
    private final Set<String> paths;
    private final boolean tls;
    private final MessageListener listener;

    AuthenticationHandler(PolicyChain policy, Set<String> paths, boolean tls, MessageListener listener) {
        this.policy = policy;
        this.listener = listener;
        this.paths = Set.copyOf(paths);
        this.tls = tls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String requestPath = HttpResponses.pathOf(request.uri());
        String origin = origin(request, tls);
        if (requestPath.equals(ProtectedResource.WELL_KNOWN_PATH)
                || requestPath.startsWith(ProtectedResource.WELL_KNOWN_PATH + "/")) {
            respond(ctx, request, HttpResponseStatus.OK, policy.protectedResource().json(origin), null);
            return;
        }
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        String transport = upgrade ? "ws" : "http";
        Authenticator authenticator = policy.authenticator(transport);
        if (!paths.contains(requestPath) || !authenticator.requiresCredentials()) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            Principal p = policy.authenticate(transport, ctx.channel().remoteAddress(),
                    request.headers().get(HttpHeaderNames.AUTHORIZATION));
            ctx.channel().attr(PeerHandler.PRINCIPAL).set(p);
            ctx.fireChannelRead(msg);
        } catch (Refusal r) {
            listener.onRefused(upgrade ? Transport.WEBSOCKET : Transport.HTTP, EdgeRefusal.UNAUTHORIZED);
            String challenge = r.wwwAuthenticate(policy.protectedResource().metadataUrl(origin));
            respond(ctx, request, HttpResponseStatus.UNAUTHORIZED, HttpResponses.jsonRpcError("null",
                    io.peregrine.rpc.JsonRpcError.UNAUTHORIZED, r.getMessage() == null ? "" : r.getMessage(),
                    "{\"httpStatus\":401" + (r.oauthError() != null ? ",\"error\":\"" + r.oauthError() + "\"" : "") + "}"),
                    challenge);
        }
    }

    /** {@code scheme://host[:port]} as the client addressed this server. */
    static String origin(FullHttpRequest request, boolean tls) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        return (tls ? "https://" : "http://") + (host == null || host.isEmpty() ? "localhost" : host);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                String json, String challenge) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && status.code() < 400;
        FullHttpResponse response = HttpResponses.of(request.protocolVersion(), status, HttpHeaderValues.APPLICATION_JSON, json);
        request.release();
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (challenge != null) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        }
        HttpResponses.send(ctx, response, keepAlive);
    }
}
