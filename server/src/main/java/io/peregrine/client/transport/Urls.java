package io.peregrine.client.transport;

import java.net.InetSocketAddress;
import java.net.URI;

/** Reading the parts of server URLs. */
final class Urls {

    private Urls() {
    }

    /** The unresolved address of a URL, with the scheme's default port when it names none. */
    static InetSocketAddress address(URI uri) {
        int port = uri.getPort();
        if (port < 0) {
            String scheme = uri.getScheme();
            port = "wss".equals(scheme) || "https".equals(scheme) ? 443 : 80;
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@code host:port} as the Host header wants it, the port left out when it is the scheme's default. */
    static String hostHeader(URI uri) {
        int port = uri.getPort();
        return port < 0 ? uri.getHost() : uri.getHost() + ":" + port;
    }

    /** The path and query to request; {@code /} when the URL has no path. */
    static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() != null ? path + "?" + uri.getRawQuery() : path;
    }
}
