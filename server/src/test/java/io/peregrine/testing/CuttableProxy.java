package io.peregrine.testing;

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
 * A TCP relay on a loopback port of its own to a server, whose connections the test can cut, as a
 * network would: the client sees its connections drop while the server lives on. Its port stays
 * the same across cuts, so a client can come back through it. A test may also watch the bytes, or
 * hold them back, as they pass ({@link Chunks}).
 */
public final class CuttableProxy implements AutoCloseable {

    /** Sees each chunk of bytes before the proxy passes it on, on the thread that pumps it; may hold it back by blocking. */
    public interface Chunks {
        void passing(byte[] buf, int length, boolean towardServer) throws InterruptedException;
    }

    private final ServerSocket listener;
    private volatile InetSocketAddress target;
    private final Chunks chunks;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;
    private volatile boolean closed;

    public CuttableProxy(InetSocketAddress target) throws IOException {
        this(target, (buf, length, towardServer) -> { });
    }

    public CuttableProxy(InetSocketAddress target, Chunks chunks) throws IOException {
        this.target = target;
        this.chunks = chunks;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Closes every connection through the proxy now. */
    public void cutAll() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
        sockets.clear();
    }

    /** Relays new connections to {@code target} from now on, as a restarted server at the same address would be. */
    public void retarget(InetSocketAddress target) {
        this.target = target;
    }

    /** While refusing, new connections are closed at once, as if the server were gone. */
    public void refuse(boolean refusing) {
        this.refusing = refusing;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            try {
                InetSocketAddress to = target;
                Socket server = new Socket(to.getAddress(), to.getPort());
                sockets.add(client);
                sockets.add(server);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    chunks.passing(buf, n, towardServer);
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // cut, or closed by either side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        cutAll();
    }
}
