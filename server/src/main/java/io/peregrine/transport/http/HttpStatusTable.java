package io.peregrine.transport.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.transport.Outcome;

/**
 * The one place that turns what an answer says ({@link Outcome}, handed over by the core beside
 * the bytes) into the status line and headers of a whole Streamable HTTP response. The bytes are
 * never read back: a result that mentions an error is a result, and an error is found wherever its
 * code sits in the message.
 *
 * <ul>
 *   <li>Policy refusals, in both eras: 401 with a {@code WWW-Authenticate} challenge, 403
 *       {@code insufficient_scope} naming the scope, 429 with {@code Retry-After} in whole seconds
 *       (rounded up, at least 1).</li>
 *   <li>An answer to a POST that carried no request (a response the server did not wait for): 400.</li>
 *   <li>Stateless exchanges (no 2025-era session): 404 for an unknown method; 400 for a message
 *       that cannot be read, an invalid request, headers that do not match the body, a missing
 *       client capability and an unsupported protocol version; 200 for every other error.</li>
 *   <li>Exchanges of a 2025-era session: 200 for every other error, as those revisions say.</li>
 * </ul>
 *
 * Answers already committed to an SSE stream keep the stream's 200 whatever they say.
 */
final class HttpStatusTable {

    private HttpStatusTable() {
    }

    /**
     * The status of a response carrying {@code outcome}: {@code stateless} when the exchange has no
     * 2025-era session, {@code expectsAnswer} when its POST carried a request.
     */
    static HttpResponseStatus status(Outcome outcome, boolean stateless, boolean expectsAnswer) {
        if (!outcome.isError()) {
            return HttpResponseStatus.OK;
        }
        switch (outcome.errorCode()) {
            case JsonRpcError.UNAUTHORIZED: return HttpResponseStatus.UNAUTHORIZED;
            case JsonRpcError.FORBIDDEN: return HttpResponseStatus.FORBIDDEN;
            case JsonRpcError.RATE_LIMITED: return HttpResponseStatus.TOO_MANY_REQUESTS;
            default:
        }
        if (!expectsAnswer) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (!stateless) {
            return HttpResponseStatus.OK;
        }
        switch (outcome.errorCode()) {
            case JsonRpcError.METHOD_NOT_FOUND:
                return HttpResponseStatus.NOT_FOUND;
            case JsonRpcError.PARSE_ERROR:
            case JsonRpcError.INVALID_REQUEST:
            case JsonRpcError.HEADER_MISMATCH:
            case JsonRpcError.MISSING_REQUIRED_CLIENT_CAPABILITY:
            case JsonRpcError.UNSUPPORTED_PROTOCOL_VERSION:
                return HttpResponseStatus.BAD_REQUEST;
            default:
                return HttpResponseStatus.OK;
        }
    }

    /** Adds the headers a response carrying {@code outcome} needs beside its status (a challenge, a wait). */
    static void addHeaders(Outcome outcome, HttpHeaders h) {
        switch (outcome.errorCode()) {
            case JsonRpcError.UNAUTHORIZED:
                h.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                break;
            case JsonRpcError.FORBIDDEN: {
                String scope = quotable(outcome.requiredScope());
                h.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\""
                        + (scope != null ? ", scope=\"" + scope + "\"" : ""));
                break;
            }
            case JsonRpcError.RATE_LIMITED:
                h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds(outcome.retryAfterMillis())));
                break;
            default:
        }
    }

    /** {@code scope} up to the first character a quoted-string would need escaped (RFC 6750 scopes have none). */
    private static String quotable(String scope) {
        if (scope == null) {
            return null;
        }
        for (int i = 0; i < scope.length(); i++) {
            char c = scope.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
                return scope.substring(0, i);
            }
        }
        return scope;
    }

    /** A wait in milliseconds as the whole seconds of {@code Retry-After}: rounded up, at least 1. */
    static long retryAfterSeconds(long millis) {
        return Math.max(1, (Math.max(0, millis) + 999) / 1000);
    }
}
