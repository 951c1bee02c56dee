package io.peregrine.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Defaults for Peregrine's benchmarks, sized for a 2-core machine: the average time of one
 * operation in nanoseconds, one fork with a fixed 1 GiB heap and the parallel collector (on two
 * cores G1's concurrent threads compete with the benchmark thread), and a short profile of
 * 3 × 1 s warm-up and 5 × 1 s measurement.
 *
 * <p>As in Netty's own microbenchmarks, the benchmark threads are Netty
 * {@link FastThreadLocalThread}s ({@link HarnessExecutor}), like the event loops Peregrine runs
 * on, so that {@code FastThreadLocal}s and Netty's object pools behave as they do in the server,
 * and Netty's leak detector is off: it samples buffers at random and would add noise to the
 * allocation figures.
 *
 * <p>The short profile is enough to compare rows of one run. For tighter error bars, override it
 * on the command line, e.g. {@code bench/run ToolsCallBenchmark -wi 5 -i 10 -f 2}. Add JVM flags
 * with {@code -jvmArgsPrepend}: {@code -jvmArgsAppend} on the command line replaces the flags
 * below.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC",
        "-Dio.netty.leakDetection.level=disabled",
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.peregrine.bench.AbstractBenchmark$HarnessExecutor"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public abstract class AbstractBenchmark {

    /** The request id every benchmark uses; small ids are shared instances, as with real clients. */
    protected static final int REQUEST_ID = 42;

    /** The names the server's envelope decoder knows, so that decoding them allocates nothing. */
    protected static final List<String> METHOD_NAMES = List.of(
            "initialize", "ping", "server/discover", "tools/list", "tools/call",
            "notifications/initialized", "notifications/cancelled", "notifications/progress",
            "notifications/roots/list_changed");

    /** {@code n} bytes of ASCII text that JSON encodes without escapes: the echoed message. */
    protected static String message(int n) {
        StringBuilder sb = new StringBuilder(n);
        String alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789";
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(i % alphabet.length()));
        }
        return sb.toString();
    }

    /**
     * The JSON text of a {@code tools/call} of {@code echo} with {@code message}, without a line
     * end. With {@code modernMeta} the request carries the 2026-07-28 {@code _meta}: protocol
     * version, client capabilities and client info, as a stateless client sends with every request.
     */
    protected static String toolsCallJson(String message, boolean modernMeta) {
        String meta = !modernMeta ? "" : ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{},"
                + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}";
        return "{\"jsonrpc\":\"2.0\",\"id\":" + REQUEST_ID + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"message\":\"" + message + "\"}" + meta + "}}";
    }

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Refuses to measure on a plain thread: there every {@code FastThreadLocal} lookup takes the
     * slow path and Netty's recycler does not pool, which would charge the server for costs it
     * does not have on its event loops.
     */
    @Setup
    public void checkThread() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("the benchmark thread " + Thread.currentThread().getName()
                    + " is not a FastThreadLocalThread: run with -Djmh.executor=CUSTOM"
                    + " -Djmh.executor.class=" + HarnessExecutor.class.getName()
                    + " (the default when -jvmArgsAppend is not given on the command line)");
        }
    }

    /** JMH's executor for benchmark threads ({@code -Djmh.executor=CUSTOM}): Netty threads. */
    public static final class HarnessExecutor extends ThreadPoolExecutor {
        public HarnessExecutor(int maxThreads, String prefix) {
            super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    new DefaultThreadFactory(prefix));
        }
    }
}
