package io.peregrine.transport.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
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
import io.peregrine.transport.PeerHandler;

import java.nio.charset.StandardCharsets;

/**
 * Authenticates requests to the MCP path by their {@code Authorization} header, as the MCP
 * authorization spec has HTTP-based transports do: WebSocket upgrades with the {@code ws}
 * authenticator, Streamable HTTP requests (each of them) with the {@code http} one. A refusal
 * is a 401 with a {@code WWW-Authenticate: Bearer resource_metadata="..."} challenge and a
 * JSON-RPC error body, and the request goes no further (no upgrade, no dispatch); a success
 * makes the principal the channel's, where the core finds it through {@code Peer.principal()}. Also serves the OAuth protected resource
 * metadata (RFC 9728) at {@value ProtectedResource#WELL_KNOWN_PATH}, which that challenge points at.
 */
final class AuthenticationHandler extends ChannelInboundHandlerAdapter {

    private final PolicyChain policy;
    private final String path;
    private final boolean tls;

    AuthenticationHandler(PolicyChain policy, String path, boolean tls) {
        this.policy = policy;
        this.path = path;
        this.tls = tls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String uri = request.uri();
        int query = uri.indexOf('?');
        String requestPath = query >= 0 ? uri.substring(0, query) : uri;
        String origin = origin(request, tls);
        if (requestPath.equals(ProtectedResource.WELL_KNOWN_PATH)
                || requestPath.startsWith(ProtectedResource.WELL_KNOWN_PATH + "/")) {
            respond(ctx, request, HttpResponseStatus.OK, policy.protectedResource().json(origin), null);
            return;
        }
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        String transport = upgrade ? "ws" : "http";
        Authenticator authenticator = policy.authenticator(transport);
        if (!requestPath.equals(path) || !authenticator.requiresCredentials()) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            Principal p = policy.authenticate(transport, ctx.channel().remoteAddress(),
                    request.headers().get(HttpHeaderNames.AUTHORIZATION));
            ctx.channel().attr(PeerHandler.PRINCIPAL).set(p);
            ctx.fireChannelRead(msg);
        } catch (Refusal r) {
            String challenge = r.wwwAuthenticate(policy.protectedResource().metadataUrl(origin));
            respond(ctx, request, HttpResponseStatus.UNAUTHORIZED, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
                    + io.peregrine.rpc.JsonRpcError.UNAUTHORIZED + ",\"message\":" + jsonString(r.getMessage())
                    + ",\"data\":{\"httpStatus\":401" + (r.oauthError() != null ? ",\"error\":\"" + r.oauthError() + "\"" : "")
                    + "}}}", challenge);
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
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        request.release();
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (challenge != null) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        }
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : (s == null ? "" : s).toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
