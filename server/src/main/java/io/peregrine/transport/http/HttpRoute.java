package io.peregrine.transport.http;

import io.netty.channel.ChannelHandler;

import java.util.Objects;

/**
 * A path an HTTP listener serves beside MCP, such as the metrics scrape: its handler reads the
 * aggregated {@code FullHttpRequest}s of that path, answers them, and passes every other message on.
 * It is placed after the listener's authentication, which then requires the same credentials for
 * this path as for the MCP path; one instance serves every connection of the listener, so the
 * handler must be {@link ChannelHandler.Sharable}.
 *
 * @param path    the request path it answers, as {@code /metrics}
 * @param handler the handler, shared by the listener's connections
 */
public record HttpRoute(String path, ChannelHandler handler) {

    public HttpRoute {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(handler, "handler");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path : " + path + " (expected: starting with /)");
        }
        if (!handler.getClass().isAnnotationPresent(ChannelHandler.Sharable.class)) {
            throw new IllegalArgumentException("handler : " + handler.getClass().getName()
                    + " (expected: a @ChannelHandler.Sharable handler, one instance serves every connection)");
        }
    }
}
