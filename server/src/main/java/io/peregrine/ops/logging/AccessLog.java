package io.peregrine.ops.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * One line per HTTP request on the logger {@value #LOGGER}, off unless {@code log.access} is on:
 *
 * <pre>127.0.0.1:50312 "POST /mcp" 200 1234 0.412ms</pre>
 *
 * <p>In JSON the same facts are fields: {@code remote}, {@code method}, {@code path}, {@code status},
 * {@code bytes}, {@code duration_ms}. The query string is never written (tokens travel there), nor
 * any header; control characters in the path are escaped so that a request cannot forge a line.
 */
public final class AccessLog {

    /** The logger's name. */
    public static final String LOGGER = "peregrine.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    /** Whether {@link #log} writes anything; callers skip measuring when not. */
    public static boolean enabled() {
        return log.isInfoEnabled();
    }

    /**
     * Logs one answered HTTP request.
     *
     * @param method        the HTTP method
     * @param uri           the request target; only its path is written
     * @param status        the response status
     * @param bytes         bytes of the response body written (-1: unknown, e.g. a stream cut short)
     * @param durationNanos from the request's arrival to the end of its response
     * @param remote        the client's address (an {@link InetSocketAddress} is written host:port)
     */
    public static void log(String method, String uri, int status, long bytes, long durationNanos, Object remote) {
        if (!log.isInfoEnabled()) {
            return;
        }
        String path = path(uri);
        String client = remote(remote);
        String millis = String.format(Locale.ROOT, "%.3f", durationNanos / 1e6);
        log.atInfo()
                .addKeyValue("remote", client)
                .addKeyValue("method", method)
                .addKeyValue("path", path)
                .addKeyValue("status", status)
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", Double.valueOf(millis))
                .log(line(client, method, path, status, bytes, millis));
    }

    static String line(String client, String method, String path, int status, long bytes, String millis) {
        return client + " \"" + method + ' ' + path + "\" " + status + ' ' + (bytes < 0 ? "-" : Long.toString(bytes))
                + ' ' + millis + "ms";
    }

    /** The path of {@code uri}, without query or fragment, with control characters and quotes escaped. */
    static String path(String uri) {
        if (uri == null) {
            return "-";
        }
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        StringBuilder sb = null;
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder(end + 8).append(uri, 0, i);
                }
                sb.append(String.format(Locale.ROOT, "%%%02X", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb != null ? sb.toString() : uri.substring(0, end);
    }

    private static String remote(Object remote) {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) remote;
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return host + ':' + a.getPort();
        }
        return remote == null ? "-" : String.valueOf(remote);
    }
}
