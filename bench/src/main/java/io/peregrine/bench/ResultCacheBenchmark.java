package io.peregrine.bench;

import io.peregrine.Peregrine;
import io.peregrine.policy.PolicyChain;
import io.peregrine.policy.ResultCache;
import io.peregrine.policy.redis.RedisSharedCache;
import io.peregrine.policy.redis.RedisStore;
import io.peregrine.tool.CacheScope;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code tools/call} of a cacheable tool answered from the result cache's first level
 * (the replica's own Caffeine cache), from its second level (Redis, the first level emptied before
 * each call), and the same call of the same tool uncached, in one run.
 *
 * <p>Unlike {@link ToolsCallBenchmark}, the calls go over a real loopback TCP connection to a
 * started {@link Peregrine}: a hit in Redis is answered on a Lettuce thread and handed back to the
 * connection's event loop, which an {@code EmbeddedChannel} cannot stand for. The client is a
 * blocking socket on the benchmark thread writing one pre-encoded 2026-07-28 request line and
 * reading the answer line into a reused array, so the rows differ only by the server's path; the
 * bytes per call of {@code -prof gc} are the whole JVM's (server, Lettuce and the client), and
 * the uncached row is their reference.
 *
 * <p>The benchmark starts its own {@code redis-server} (Debian's, on PATH) on a free loopback
 * port, without persistence, and stops it at teardown; without {@code redis-server} the setup
 * fails saying so.
 *
 * <pre>{@code
 *   bench/run ResultCacheBenchmark
 * }</pre>
 */
public class ResultCacheBenchmark extends AbstractBenchmark {

    private static final String ARGUMENTS = "{\"message\":\"" + message(100) + "\"}";

    private Process redis;
    private Peregrine local;
    private Peregrine shared;
    private Connection toLocal;
    private Connection toShared;
    private byte[] cachedCall;
    private byte[] uncachedCall;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        int port = freePort();
        try {
            redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("ResultCacheBenchmark needs redis-server on PATH (Debian: apt-get install"
                    + " redis-server); skipped: " + e.getMessage(), e);
        }
        try {
            startServers(port);
        } catch (Exception | Error e) {
            redis.destroy();
            throw e;
        }
    }

    private void startServers(int port) throws Exception {
        awaitPort(port);
        RedisStore store = RedisStore.connect("redis://127.0.0.1:" + port + "/0", null, Duration.ofMillis(250),
                "bench:", Map.<String, String>of()::get);
        RedisSharedCache sharedCache = new RedisSharedCache(store);
        shared = server(PolicyChain.builder().sharedCache(sharedCache).closeWith(store).closeWith(sharedCache).build());
        local = server(PolicyChain.builder().build());
        toLocal = new Connection(local.addresses().tcp());
        toShared = new Connection(shared.addresses().tcp());
        cachedCall = utf8(call("cached"));
        uncachedCall = utf8(call("uncached"));
        for (Connection c : new Connection[] {toLocal, toShared}) {
            c.expectResult(cachedCall);
            c.expectResult(uncachedCall);
        }
        if (!shared.policy().cache().isShared()) {
            throw new IllegalStateException("the second server's result cache is not shared through Redis");
        }
    }

    private static Peregrine server(PolicyChain policy) throws Exception {
        Peregrine p = Peregrine.builder().tcp("127.0.0.1", 0).drainTimeout(Duration.ZERO)
                .tool(tool("cached", true)).tool(tool("uncached", false)).policy(policy).build();
        p.start();
        return p;
    }

    private static Tool tool(String name, boolean cacheable) {
        Tool.Builder b = Tool.builder(name).inputSchema("{\"type\":\"object\"}").blocking(false).validateArguments(false)
                .annotations(ToolAnnotations.builder().readOnly(true).idempotent(true).build())
                .handler((args, ctx) -> ToolResult.text(args.string("message")));
        return (cacheable ? b.cacheable(Duration.ofHours(1), CacheScope.PUBLIC) : b).build();
    }

    private static String call(String tool) {
        return toolsCallJson(message(100), true).replace("\"name\":\"echo\"", "\"name\":\"" + tool + "\"") + "\n";
    }

    /** Answered by the tool itself, on the server without a shared cache. */
    @Benchmark
    public int uncached() throws IOException {
        return toLocal.call(uncachedCall);
    }

    /** A hit in the replica's own first level. */
    @Benchmark
    public int firstLevelHit() throws IOException {
        return toLocal.call(cachedCall);
    }

    /** A hit in Redis: the first level is emptied first, so the lookup goes to the second level. */
    @Benchmark
    public int secondLevelHit() throws IOException {
        shared.policy().cache().invalidateAll();
        return toShared.call(cachedCall);
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams params) throws Exception {
        try {
            ResultCache.Stats stats = shared.policy().cache().stats();
            if (params.getBenchmark().endsWith(".secondLevelHit") && stats.sharedHits() == 0) {
                throw new IllegalStateException("no call was answered from Redis: " + stats);
            }
            toLocal.close();
            toShared.close();
            local.close();
            shared.close();
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!redis.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not accept connections on port " + port, e);
                }
                Thread.sleep(20);
            }
        }
    }

    /** A blocking line client: writes a request line, reads the answer line into a reused array. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] line = new byte[64 * 1024];

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), line.length);
        }

        /** Sends {@code request} and returns the length of the answer line. */
        int call(byte[] request) throws IOException {
            out.write(request);
            int n = 0;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b == '\n') {
                    return n;
                }
                line[n++] = (byte) b;
            }
        }

        void expectResult(byte[] request) throws IOException {
            String text = new String(line, 0, call(request), StandardCharsets.UTF_8);
            if (!text.contains("\"result\"") || text.contains("\"isError\":true") || text.contains("\"error\"")) {
                throw new IllegalStateException("not a result: " + text);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
