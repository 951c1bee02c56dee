package io.peregrine.gateway;

import io.peregrine.testing.CuttableProxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A TCP relay on a loopback port to a server that the test can freeze: while frozen, bytes are
 * read but held back in both directions, as a server that hangs (a stuck event loop, a GC pause,
 * a partition that drops nothing) would look, its connections staying open. Thawed, what was
 * held back goes through. It keeps what it carried toward the server, so that a test can see what
 * a request looked like on the wire. A {@link CuttableProxy} that holds each chunk at a gate.
 */
final class FreezableRelay implements AutoCloseable {

    private final Object gate = new Object();
    private volatile boolean frozen;
    /** Everything sent toward the server, as text (newline-delimited JSON-RPC on TCP). */
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final CuttableProxy proxy;

    FreezableRelay(InetSocketAddress target) throws IOException {
        this.proxy = new CuttableProxy(target, this::passing);
    }

    String url() {
        return "tcp://127.0.0.1:" + proxy.port();
    }

    void freeze(boolean frozen) {
        synchronized (gate) {
            this.frozen = frozen;
            gate.notifyAll();
        }
    }

    /** What has been sent toward the server so far. */
    String sent() {
        synchronized (sent) {
            return sent.toString(StandardCharsets.UTF_8);
        }
    }

    private void passing(byte[] buf, int length, boolean towardServer) throws InterruptedException {
        synchronized (gate) {
            while (frozen) {
                gate.wait(1_000);
            }
        }
        if (towardServer) {
            synchronized (sent) {
                sent.write(buf, 0, length);
            }
        }
    }

    @Override
    public void close() throws IOException {
        freeze(false);
        proxy.close();
    }
}
