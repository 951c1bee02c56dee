package io.peregrine.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a loopback port to a server that the test can freeze: while frozen, bytes are
 * read but held back in both directions, as a server that hangs (a stuck event loop, a GC pause,
 * a partition that drops nothing) would look, its connections staying open. Thawed, what was
 * held back goes through. It keeps what it carried toward the server, so that a test can see what
 * a request looked like on the wire.
 */
final class FreezableRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean frozen;
    private volatile boolean closed;
    /** Everything sent toward the server, as text (newline-delimited JSON-RPC on TCP). */
    private final java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();

    FreezableRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    String url() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    void freeze(boolean frozen) {
        synchronized (gate) {
            this.frozen = frozen;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** What has been sent toward the server so far. */
    String sent() {
        synchronized (sent) {
            return sent.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private void pump(Socket from, Socket to, boolean towardServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (gate) {
                        while (frozen && !closed) {
                            gate.wait(1_000);
                        }
                    }
                    if (towardServer) {
                        synchronized (sent) {
                            sent.write(buf, 0, n);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed by either side
            } finally {
                close(from);
                close(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        freeze(false);
        listener.close();
        sockets.forEach(FreezableRelay::close);
    }
}
