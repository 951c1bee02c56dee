package io.peregrine.client.transport;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * MCP over Streamable HTTP ({@code http://} or {@code https://}), in both eras; see
 * {@link StreamableHttpLink} for what each era does on the wire.
 */
public final class StreamableHttpTransport implements ClientTransport {

    private final URI uri;
    private final SslContext sslContext;
    private final TransportSettings settings;

    /** @param sslContext the context for {@code https://}; null for {@code http://} */
    public StreamableHttpTransport(URI uri, SslContext sslContext, TransportSettings settings) {
        this.uri = uri;
        this.sslContext = sslContext;
        this.settings = settings;
    }

    @Override
    public CompletableFuture<Link> open(EventLoop loop, LinkListener listener) {
        return new StreamableHttpLink(uri, loop, listener, settings, sslContext).open();
    }

    @Override
    public boolean isLongLived() {
        return false;
    }

    @Override
    public String target() {
        return uri.toString();
    }

    @Override
    public String toString() {
        return target();
    }
}
