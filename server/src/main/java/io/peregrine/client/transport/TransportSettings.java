package io.peregrine.client.transport;

import io.netty.handler.ssl.SslContext;

import java.util.Map;
import java.util.Objects;

/**
 * What every transport of one client shares.
 *
 * @param sslContext         the client TLS context for {@code tcp}, {@code wss} and {@code https}; null for the
 *                           default one (verifying the server against the JDK's trusted roots) when the URL asks for TLS
 * @param connectTimeoutMillis how long opening a connection may take
 * @param maxMessageBytes    the longest message accepted from the server
 * @param headers            extra HTTP headers for WebSocket handshakes and Streamable HTTP requests
 *                           ({@code Authorization}, ...)
 * @param maxHttpConnections the most HTTP/1.1 connections one Streamable HTTP link keeps open at once
 * @param h2c                Streamable HTTP over cleartext HTTP/2 with prior knowledge: one connection,
 *                           a stream per exchange (for {@code http://} only)
 */
public record TransportSettings(SslContext sslContext, int connectTimeoutMillis, int maxMessageBytes,
                                Map<String, String> headers, int maxHttpConnections, boolean h2c) {

    /** HTTP/1.1 settings. */
    public TransportSettings(SslContext sslContext, int connectTimeoutMillis, int maxMessageBytes,
                             Map<String, String> headers, int maxHttpConnections) {
        this(sslContext, connectTimeoutMillis, maxMessageBytes, headers, maxHttpConnections, false);
    }

    public TransportSettings {
        if (connectTimeoutMillis <= 0) {
            throw new IllegalArgumentException("connectTimeoutMillis : " + connectTimeoutMillis + " (expected: > 0)");
        }
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes : " + maxMessageBytes + " (expected: > 0)");
        }
        if (maxHttpConnections <= 0) {
            throw new IllegalArgumentException("maxHttpConnections : " + maxHttpConnections + " (expected: > 0)");
        }
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    }
}
