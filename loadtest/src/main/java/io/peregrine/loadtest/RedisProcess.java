package io.peregrine.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code redis-server} (on PATH) on a free loopback port, without persistence, for
 * {@code loadtest/run limits}; killed at the end.
 *
 * <p>redis-server binds its port itself, so the port cannot be held for it: the OS names a free
 * one, which is let go just before redis-server binds it; should another process take it in that
 * instant, redis-server exits and another port is tried, a bounded number of times.
 */
final class RedisProcess implements AutoCloseable {

    private static final int ATTEMPTS = 5;

    private final Process process;
    private final int port;

    private RedisProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts redis-server and returns once it accepts connections. */
    static RedisProcess start() throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p;
            try {
                p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new IllegalStateException("loadtest/run limits needs redis-server on PATH (Debian: apt-get install"
                        + " redis-server): " + e.getMessage(), e);
            }
            RedisProcess redis = new RedisProcess(p, port);
            if (redis.awaitAccepting()) {
                return redis;
            }
            redis.close();
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException("redis-server did not accept connections in " + ATTEMPTS + " attempts");
            }
        }
    }

    /** Whether it accepts connections within 10 s (false at once if it exited: its port was taken). */
    private boolean awaitAccepting() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (process.isAlive() && System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** {@code redis://127.0.0.1:PORT/0}, as {@code redis.uri} takes it. */
    String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
