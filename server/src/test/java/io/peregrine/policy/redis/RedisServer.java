package io.peregrine.policy.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Debian's {@code redis-server} on a loopback port, without persistence, for tests: started,
 * stopped and started again on the same port (an outage), killed at the end.
 *
 * <p>redis-server binds its port itself, so the port cannot be held for it: the OS names a free
 * one, which is let go just before redis-server binds it; should another process take it in that
 * instant, redis-server exits and another port is tried (a bounded number of times).
 */
public final class RedisServer implements AutoCloseable {

    private static final int ATTEMPTS = 5;

    private final int port;
    /** Arguments beyond the port's and persistence's, given the port. */
    private final IntFunction<List<String>> extra;
    private Process process;

    private RedisServer(int port, IntFunction<List<String>> extra) {
        this.port = port;
        this.extra = extra;
    }

    /** A running redis-server on a port the OS said was free. */
    public static RedisServer start() throws Exception {
        return start(port -> List.of());
    }

    /**
     * A running redis-server with cluster support on, not yet part of a cluster (no slots, no
     * other node known: {@link RedisCluster} joins them); its cluster configuration file is
     * {@code nodes-<port>.conf} in {@code dir}.
     */
    static RedisServer startClusterNode(Path dir) throws Exception {
        return start(port -> List.of("--cluster-enabled", "yes",
                "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString()));
    }

    private static RedisServer start(IntFunction<List<String>> extra) throws Exception {
        Exception last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            RedisServer r = new RedisServer(port, extra);
            try {
                r.restart();
                return r;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("redis-server did not start in " + ATTEMPTS + " attempts", last);
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Starts redis-server on this port again (after {@link #stop()}); returns once it accepts connections. */
    public void restart() throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        command.addAll(extra.apply(port));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean accepting = new java.util.concurrent.atomic.AtomicBoolean();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        if (output.length() < 8192) {
                            output.append(line).append('\n');
                        }
                    }
                    if (line.contains("Ready to accept connections")) {
                        accepting.set(true);
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            ready.countDown();
        }, "redis-server-" + port);
        reader.setDaemon(true);
        reader.start();
        // Its output ending says nothing: a redis-server that could not bind ends, and may still be alive here.
        if (!ready.await(30, TimeUnit.SECONDS) || !accepting.get() || !p.isAlive()) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            synchronized (output) {
                throw new IOException("redis-server on port " + port + " did not become ready:\n" + output);
            }
        }
        process = p;
    }

    /**
     * Freezes redis-server ({@code kill -STOP}): its connections stay open and accept bytes, but
     * nothing is answered, as with a Redis stuck in a long command or a paused VM.
     */
    public void pause() throws Exception {
        signal("STOP");
    }

    /** Lets a {@link #pause() frozen} redis-server run again ({@code kill -CONT}). */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + p.pid() + " failed");
        }
    }

    /** Kills redis-server at once (no shutdown save: there is no persistence); waits for it to end. */
    public void stop() throws InterruptedException {
        Process p = process;
        if (p != null) {
            // A frozen process still dies of SIGKILL; resumed first all the same, so that it ends at once.
            try {
                resume();
            } catch (Exception ignored) {
                // it may have ended already
            }
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not end");
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
