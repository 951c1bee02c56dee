package io.peregrine.exec;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server whose tools fail the worst ways a JVM allows, for {@link ToolCrashSafetyTest}, which
 * runs it as a child process with a small heap: {@code oom} fills the heap, {@code overflow}
 * recurses without end, {@code block} sleeps ignoring every interrupt, {@code spin} loops on a CPU
 * ignoring them too, {@code work} returns at once (blocking), {@code echo} answers on the event
 * loop. Blocking calls: 2 at once, 2 strays that give their slot back, 300 ms timeouts (30 s for
 * {@code oom} and {@code overflow}, which must fail rather than time out, and 10 s for {@code work}). Prints
 * {@code tcp=PORT http=PORT} once serving. The stuck tools give up by themselves after 60 s so that
 * nothing outlives a test run that forgot the process.
 */
public final class CrashingToolsServer {

    private static final long GIVE_UP_NANOS = Duration.ofSeconds(60).toNanos();

    private CrashingToolsServer() {
    }

    public static void main(String[] args) throws Exception {
        Peregrine server = Peregrine.builder()
                .tool(EchoTool.create())
                .tool(blocking("work", () -> "done", Duration.ofSeconds(10)))
                // Filling the heap takes a while on a loaded machine: these two must fail, not time out.
                .tool(blocking("oom", CrashingToolsServer::fillTheHeap, Duration.ofSeconds(30)))
                .tool(blocking("overflow", () -> String.valueOf(recurse(0)), Duration.ofSeconds(30)))
                .tool(blocking("block", CrashingToolsServer::sleepThroughInterrupts))
                .tool(blocking("spin", CrashingToolsServer::spin))
                .maxConcurrency(2)
                .maxStrayCalls(2)
                .defaultTimeout(Duration.ofMillis(300))
                .tcp("127.0.0.1", 0)
                .http("127.0.0.1", 0)
                .build();
        Peregrine.BoundAddresses bound = server.start();
        System.out.println("tcp=" + bound.tcp().getPort() + " http=" + bound.http().getPort());
        System.out.flush();
        Thread.currentThread().join(); // until the test destroys the process
    }

    private interface Body {
        String run() throws Exception;
    }

    private static Tool blocking(String name, Body body) {
        return Tool.builder(name).blocking(true).handler((args, ctx) -> ToolResult.text(body.run())).build();
    }

    private static Tool blocking(String name, Body body, Duration timeout) {
        return Tool.builder(name).blocking(true).timeout(timeout).handler((args, ctx) -> ToolResult.text(body.run())).build();
    }

    private static String fillTheHeap() {
        List<long[]> hoard = new ArrayList<>();
        while (true) {
            hoard.add(new long[128 * 1024]); // 1 MiB at a time, until OutOfMemoryError
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private static String sleepThroughInterrupts() {
        long end = System.nanoTime() + GIVE_UP_NANOS;
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException ignored) {
                // deliberately deaf
            }
        }
        return "woke up";
    }

    private static String spin() {
        long end = System.nanoTime() + GIVE_UP_NANOS;
        long n = 0;
        while (System.nanoTime() < end) {
            n++;
        }
        return "spun " + n;
    }
}
