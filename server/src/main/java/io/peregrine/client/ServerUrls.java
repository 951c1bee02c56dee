package io.peregrine.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.peregrine.client.transport.ClientTransport;
import io.peregrine.client.transport.StdioProcessTransport;
import io.peregrine.client.transport.StreamableHttpTransport;
import io.peregrine.client.transport.TcpTransport;
import io.peregrine.client.transport.TransportSettings;
import io.peregrine.client.transport.WebSocketTransport;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The transport a server URL names: {@code tcp://host:port}, {@code ws://} and {@code wss://},
 * {@code http://} and {@code https://} (Streamable HTTP), {@code stdio:command args...}.
 */
final class ServerUrls {

    private ServerUrls() {
    }

    /**
     * @param sslContext the client TLS context; null for the JDK's trusted roots where the URL asks
     *                   for TLS ({@code wss}, {@code https}), and plain TCP for {@code tcp}
     */
    static ClientTransport transport(String url, SslContext sslContext, TransportSettings settings,
                                     Map<String, String> environment, Path directory) {
        int colon = url.indexOf(':');
        String scheme = colon > 0 ? url.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        if (scheme.equals("stdio")) {
            List<String> command = splitCommand(url.substring(colon + 1));
            if (command.isEmpty()) {
                throw new IllegalArgumentException("url : " + url + " (expected: stdio:<command> [args...])");
            }
            return new StdioProcessTransport(command, environment, directory, settings);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url : " + url + " (" + e.getMessage() + ")", e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("url : " + url + " (expected: scheme://host[:port][/path])");
        }
        switch (scheme) {
            case "tcp":
                if (uri.getPort() < 0) {
                    throw new IllegalArgumentException("url : " + url + " (expected: tcp://host:port)");
                }
                return new TcpTransport(InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort()), sslContext,
                        settings);
            case "ws":
                return new WebSocketTransport(uri, null, settings);
            case "wss":
                return new WebSocketTransport(uri, orDefault(sslContext), settings);
            case "http":
                return new StreamableHttpTransport(uri, null, settings);
            case "https":
                return new StreamableHttpTransport(uri, orDefault(sslContext), settings);
            default:
                throw new IllegalArgumentException("url : " + url
                        + " (expected: tcp://, ws://, wss://, http://, https:// or stdio:)");
        }
    }

    /** TLS with verification on: the JDK's trusted roots and host name checks. */
    private static SslContext orDefault(SslContext sslContext) {
        if (sslContext != null) {
            return sslContext;
        }
        try {
            return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the default TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Splits a command line as a POSIX shell would split words, without a shell: white space
     * separates; single quotes keep everything; double quotes keep all but backslash escapes of
     * {@code " \ $ `}; a backslash outside quotes escapes the next character.
     */
    static List<String> splitCommand(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("command : " + line + " (an unclosed single quote)");
                }
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    char d = line.charAt(j);
                    if (d == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        word.append(line.charAt(++j));
                    } else {
                        word.append(d);
                    }
                }
                if (j >= line.length()) {
                    throw new IllegalArgumentException("command : " + line + " (an unclosed double quote)");
                }
                i = j;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
