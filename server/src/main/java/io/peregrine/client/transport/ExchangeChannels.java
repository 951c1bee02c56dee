package io.peregrine.client.transport;

import io.netty.channel.Channel;

import java.io.IOException;

/**
 * Where a Streamable HTTP link gets a channel for each exchange: a pool of HTTP/1.1 keep-alive
 * connections ({@link HttpConnections}), or the streams of one HTTP/2 connection
 * ({@link Http2Streams}). Used on the link's event loop only.
 */
interface ExchangeChannels {

    /** Told when a channel is ready for an exchange. */
    interface Acquired {
        /** @param reused whether the channel served an exchange before (the server may have closed it meanwhile) */
        void ready(Channel channel, boolean reused);

        void failed(IOException cause);
    }

    /** Hands a channel to {@code acquired} now or when one is free. */
    void acquire(Acquired acquired);

    /** An exchange ended and left its channel reusable. */
    void release(Channel ch);

    /** A channel closed, or is not to be reused. */
    void closed(Channel ch);

    /** Connections open now; for tests and diagnostics. */
    int openCount();

    /** Closes every connection; what waits fails. */
    void closeAll();
}
