package io.peregrine.gateway;

import io.peregrine.Peregrine;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica of a service for the resilience tests, in this JVM or as a process of its own
 * ({@link #main}, which prints {@code tcp=<port>} and serves until killed):
 * {@code read} (read-only) answers the replica's id after {@code delayMillis};
 * {@code write} (neither read-only nor idempotent) appends {@code <id> <key>} to its ledger file,
 * so that tests count executions; {@code deadline} (read-only) answers the time its call has left.
 */
public final class ResilienceReplica {

    private ResilienceReplica() {
    }

    /** Counts the calls of {@code read} a replica in this JVM ran. */
    static final AtomicInteger READS = new AtomicInteger();

    public static Peregrine start(String id, long delayMillis, Path ledger) throws InterruptedException {
        return start(id, delayMillis, ledger, 0);
    }

    static Peregrine start(String id, long delayMillis, Path ledger, int port) throws InterruptedException {
        Peregrine p = Peregrine.builder().tcp("127.0.0.1", port).drainTimeout(Duration.ZERO)
                .tool(Tool.builder("read").blocking(true)
                        .annotations(ToolAnnotations.builder().readOnly(true).build())
                        .handler((a, ctx) -> {
                            READS.incrementAndGet();
                            Thread.sleep(a.integer("millis", delayMillis));
                            return ToolResult.text(id);
                        }).build())
                .tool(Tool.builder("write").blocking(true)
                        .handler((a, ctx) -> {
                            String key = a.string("key", "?");
                            Thread.sleep(delayMillis);
                            append(ledger, id + " " + key + "\n");
                            return ToolResult.text(id + " wrote " + key);
                        }).build())
                .tool(Tool.builder("deadline").blocking(true)
                        .annotations(ToolAnnotations.builder().readOnly(true).build())
                        .handler((a, ctx) -> ToolResult.text(Long.toString(ctx.remainingMillis()))).build())
                .build();
        p.start();
        return p;
    }

    private static synchronized void append(Path ledger, String line) throws IOException {
        if (ledger != null) {
            Files.writeString(ledger, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
        }
    }

    /** {@code id delayMillis ledger}: serves until killed. */
    public static void main(String[] args) throws Exception {
        Peregrine p = start(args[0], Long.parseLong(args[1]), Path.of(args[2]));
        System.out.println("tcp=" + p.addresses().tcp().getPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
