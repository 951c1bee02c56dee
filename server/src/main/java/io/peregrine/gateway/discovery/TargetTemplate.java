package io.peregrine.gateway.discovery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/** Turns a discovered host and port into an endpoint URL: {@code scheme://host:port/path}. */
final class TargetTemplate {

    static final List<String> SCHEMES = List.of("tcp", "ws", "wss", "http", "https");

    private final String scheme;
    private final String path;

    TargetTemplate(String scheme, String path) {
        String s = requireNonNull(scheme, "scheme").trim().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(s)) {
            throw new IllegalArgumentException("scheme : \"" + scheme + "\" (expected: tcp, ws, wss, http or https)");
        }
        String p = requireNonNull(path, "path").trim();
        if (!p.isEmpty() && !p.startsWith("/")) {
            throw new IllegalArgumentException("path : \"" + path + "\" (expected: empty, or a path starting with /)");
        }
        this.scheme = s;
        this.path = s.equals("tcp") ? "" : p;
    }

    String scheme() {
        return scheme;
    }

    String path() {
        return path;
    }

    String url(String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return scheme + "://" + h + ":" + port + path;
    }

    String url(InetAddress address, int port) {
        String h = address.getHostAddress();
        if (address instanceof Inet6Address && h.indexOf('%') >= 0) {
            h = h.substring(0, h.indexOf('%'));
        }
        return url(h, port);
    }
}
