package io.peregrine.client.transport;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

import java.util.function.Consumer;

/** Waiting for the TLS handshake of a new connection, so that a server that cannot be trusted is a failure to connect. */
final class Tls {

    private Tls() {
    }

    /** Runs {@code ready} once the connection's TLS handshake succeeded (at once without TLS), else {@code failed}. */
    static void afterHandshake(Channel ch, Runnable ready, Consumer<Throwable> failed) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            ready.run();
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                ready.run();
            } else {
                failed.accept(f.cause());
            }
        });
    }
}
