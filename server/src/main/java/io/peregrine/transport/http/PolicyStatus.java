package io.peregrine.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP face of a policy refusal, for answers not yet committed to a stream: 401 with a
 * {@code WWW-Authenticate} challenge, 403 {@code insufficient_scope} naming the scope, 429 with
 * {@code Retry-After}, read back from the JSON-RPC error the core wrote.
 */
final class PolicyStatus {

    private static final int UNAUTHORIZED = -31002;
    private static final int FORBIDDEN = -31003;
    private static final int RATE_LIMITED = -31004;

    private PolicyStatus() {
    }

    /** The status of a policy error code, or null for other codes. */
    static HttpResponseStatus of(int code) {
        switch (code) {
            case UNAUTHORIZED: return HttpResponseStatus.UNAUTHORIZED;
            case FORBIDDEN: return HttpResponseStatus.FORBIDDEN;
            case RATE_LIMITED: return HttpResponseStatus.TOO_MANY_REQUESTS;
            default: return null;
        }
    }

    static void addHeaders(int code, ByteBuf error, HttpHeaders h) {
        switch (code) {
            case UNAUTHORIZED:
                h.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                break;
            case FORBIDDEN: {
                String scope = stringField(error, "\"scope\":\"");
                h.set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\""
                        + (scope != null ? ", scope=\"" + scope + "\"" : ""));
                break;
            }
            default: {
                long ms = longField(error, "\"retryAfterMs\":");
                h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, (ms + 999) / 1000)));
            }
        }
    }

    private static int indexAfter(ByteBuf b, String marker) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        int to = b.writerIndex() - m.length;
        outer:
        for (int i = b.readerIndex(); i <= to; i++) {
            for (int j = 0; j < m.length; j++) {
                if (b.getByte(i + j) != m[j]) {
                    continue outer;
                }
            }
            return i + m.length;
        }
        return -1;
    }

    private static String stringField(ByteBuf b, String marker) {
        int from = indexAfter(b, marker);
        if (from < 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < b.writerIndex(); i++) {
            byte c = b.getByte(i);
            if (c == '"' || c == '\\') {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static long longField(ByteBuf b, String marker) {
        int from = indexAfter(b, marker);
        long v = 0;
        for (int i = from; from >= 0 && i < b.writerIndex(); i++) {
            byte c = b.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
