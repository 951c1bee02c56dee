package io.peregrine.testing;

import io.peregrine.tool.Content;
import io.peregrine.tool.Icon;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolException;
import io.peregrine.tool.ToolResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Tools with known behaviour for protocol tests. */
public final class TestTools {

    private TestTools() {
    }

    /** Sleeps {@code millis} (default 10 s) in steps, reporting progress; stops when cancelled. */
    public static Tool slow() {
        return Tool.builder("slow")
                .description("Sleeps, reporting progress")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"millis\":{\"type\":\"integer\"},"
                        + "\"steps\":{\"type\":\"integer\"}}}")
                .blocking(true)
                .timeout(Duration.ofSeconds(20))
                .handler((args, ctx) -> {
                    long millis = args.integer("millis", 10_000);
                    long steps = args.integer("steps", 4);
                    for (int i = 1; i <= steps; i++) {
                        Thread.sleep(millis / steps);
                        ctx.progress(i, (double) steps, "step " + i);
                    }
                    return ToolResult.text("slept " + millis);
                })
                .build();
    }

    /** Sleeps far longer than its 300 ms timeout. */
    public static Tool hang() {
        return Tool.builder("hang")
                .blocking(true)
                .timeout(Duration.ofMillis(300))
                .handler((args, ctx) -> {
                    Thread.sleep(60_000);
                    return ToolResult.text("never");
                })
                .build();
    }

    public static Tool boom() {
        return Tool.builder("boom")
                .blocking(true)
                .handler((args, ctx) -> {
                    throw new IllegalStateException("the disk is on fire");
                })
                .build();
    }

    public static Tool refuse() {
        return Tool.builder("refuse")
                .blocking(false)
                .handler((args, ctx) -> {
                    throw new ToolException("Invalid departure date: must be in the future");
                })
                .build();
    }

    /** Returns one item of every content type, structured content, annotations, icons and _meta. */
    public static Tool everything() {
        return Tool.builder("everything")
                .title("Everything")
                .description("Every kind of content")
                .outputSchema("{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}},\"required\":[\"count\"]}")
                .annotations(ToolAnnotations.builder().title("All of it").readOnly(true).build())
                .icon(Icon.of("https://example.com/icon.png", "image/png", List.of("48x48"), "light"))
                .meta(Map.of("com.example/owner", "tests"))
                .blocking(false)
                .handler((args, ctx) -> ToolResult.builder()
                        .text("five items")
                        .add(Content.image(new byte[] {1, 2, 3}, "image/png"))
                        .add(Content.audio(new byte[] {4, 5}, "audio/wav"))
                        .add(Content.resourceLink("file:///a.txt", "a.txt", "text/plain", "a file"))
                        .add(Content.embeddedText("file:///b.txt", "text/plain", "bee")
                                .annotated(Content.Annotations.of(List.of("user"), 0.5, null)))
                        .structured(Map.of("count", 5))
                        .meta(Map.of("com.example/trace", "t1"))
                        .build())
                .build();
    }

    /** Declares an output schema and breaks it. */
    public static Tool badOutput() {
        return Tool.builder("bad_output")
                .outputSchema("{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}},\"required\":[\"count\"]}")
                .blocking(false)
                .handler((args, ctx) -> ToolResult.builder().text("oops").structured(Map.of("count", "many")).build())
                .build();
    }

    /** Takes anything; validation off. */
    public static Tool raw() {
        return Tool.builder("raw")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}")
                .validateArguments(false)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text(new String(args.json().getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.UTF_8)))
                .build();
    }

    private static final java.util.concurrent.ScheduledExecutorService LATER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "test-tools-later");
                t.setDaemon(true);
                return t;
            });
    private static final java.util.concurrent.atomic.AtomicLong LATER_CANCELLED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Asynchronous, started on the I/O thread: answers {@code millis} later (default 10 s) from a
     * timer thread, or fails then when {@code fail} is set; 300 ms timeout. Its answer says how
     * many of its stages the server has cancelled so far, in this JVM.
     */
    public static Tool later() {
        return Tool.builder("later")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"millis\":{\"type\":\"integer\"},"
                        + "\"fail\":{\"type\":\"boolean\"}}}")
                .blocking(false)
                .timeout(Duration.ofMillis(300))
                .asyncHandler((args, ctx) -> {
                    long millis = args.integer("millis", 10_000);
                    boolean fail = args.bool("fail", false);
                    java.util.concurrent.CompletableFuture<ToolResult> answer = new java.util.concurrent.CompletableFuture<>();
                    java.util.concurrent.ScheduledFuture<?> timer = LATER.schedule(() -> {
                        if (fail) {
                            answer.completeExceptionally(new ToolException("the later call failed after " + millis + " ms"));
                        } else {
                            answer.complete(ToolResult.text("later " + millis + "; cancelled so far: " + LATER_CANCELLED.get()));
                        }
                    }, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
                    answer.whenComplete((r, failure) -> {
                        if (answer.isCancelled()) {
                            timer.cancel(false);
                            LATER_CANCELLED.incrementAndGet();
                        }
                    });
                    return answer;
                })
                .build();
    }
}
