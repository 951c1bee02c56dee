package io.peregrine.testing;

import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tool calls that end when the test says so, for tests about what happens while a call is still
 * running. A call of the {@link #tool gated tool} names its gate in {@code arguments.gate}; it
 * marks the gate entered, sends one progress notification (when the request asked for progress),
 * then waits for the test to {@link #open} the gate and answers {@code "opened <gate>"}.
 */
public final class Gates {

    private static final long WAIT_SECONDS = 30;

    private final ConcurrentHashMap<String, CountDownLatch> entered = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CountDownLatch> opened = new ConcurrentHashMap<>();

    /** The gated tool, blocking, named {@code name}. */
    public Tool tool(String name) {
        return Tool.builder(name)
                .description("Waits until the test opens the gate it names")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"gate\":{\"type\":\"string\"}},\"required\":[\"gate\"]}")
                .blocking(true)
                .timeout(Duration.ofSeconds(2 * WAIT_SECONDS))
                .handler((args, ctx) -> {
                    String gate = args.string("gate", "");
                    latch(entered, gate).countDown();
                    ctx.progress(1, null, "waiting at " + gate);
                    if (!latch(opened, gate).await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("gate " + gate + " was never opened");
                    }
                    return ToolResult.text("opened " + gate);
                })
                .build();
    }

    /** Waits (bounded) until a call has reached {@code gate}. */
    public void awaitEntered(String gate) throws InterruptedException {
        if (!latch(entered, gate).await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no call reached gate " + gate + " within " + WAIT_SECONDS + " s");
        }
    }

    /** Lets the calls waiting at {@code gate} (and those that come to it later) answer. */
    public void open(String gate) {
        latch(opened, gate).countDown();
    }

    /** Opens every gate, so that no call is left waiting after a test. */
    public void openAll() {
        opened.values().forEach(CountDownLatch::countDown);
    }

    private static CountDownLatch latch(ConcurrentHashMap<String, CountDownLatch> latches, String gate) {
        return latches.computeIfAbsent(gate, g -> new CountDownLatch(1));
    }
}
