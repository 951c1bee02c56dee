package io.peregrine.demo;

import io.peregrine.tool.InvalidArgumentsException;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;

import java.time.Duration;

/**
 * {@code countdown}: a long-running tool to try progress, logging and cancellation with. It
 * counts down for {@code seconds}, reporting progress (against the request's progress token)
 * and logging at info level each second, and stops at once when the call is cancelled.
 */
public final class CountdownTool {

    /** The longest countdown; the tool's timeout is a little longer. */
    static final int MAX_SECONDS = 600;

    private CountdownTool() {
    }

    public static Tool create() {
        return Tool.builder("countdown")
                .title("Count down")
                .description("Counts down for the given number of seconds (default 10, at most " + MAX_SECONDS
                        + "), reporting progress and logging each second. Cancel it at any time.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"seconds\":{\"type\":\"integer\",\"minimum\":1,"
                        + "\"maximum\":" + MAX_SECONDS + ",\"default\":10}},\"additionalProperties\":false}")
                .annotations(ToolAnnotations.builder().readOnly(true).idempotent(true).openWorld(false).build())
                .blocking(true)
                .timeout(Duration.ofSeconds(MAX_SECONDS + 30))
                .handler((args, ctx) -> {
                    long seconds = args.integer("seconds", 10);
                    if (seconds < 1 || seconds > MAX_SECONDS) {
                        throw new InvalidArgumentsException("seconds : " + seconds + " (expected: 1 to " + MAX_SECONDS + ")");
                    }
                    for (long left = seconds; left > 0; left--) {
                        if (ctx.isCancelled()) {
                            return ToolResult.text("cancelled with " + left + " seconds to go");
                        }
                        ctx.log(LogLevel.INFO, "countdown", left + " seconds to go");
                        ctx.progress(seconds - left, (double) seconds, left + " seconds to go");
                        Thread.sleep(1_000);
                    }
                    ctx.progress(seconds, (double) seconds, "done");
                    return ToolResult.text("counted down from " + seconds);
                })
                .build();
    }
}
