package io.peregrine.tool;

import java.util.concurrent.CompletionStage;

/**
 * The code behind a tool that answers later without holding a thread meanwhile: a call to another
 * service, a queue, a timer. It starts the work and returns at once; the call ends when the stage
 * completes.
 *
 * <p>The handler starts on an I/O thread for a tool built with {@code blocking(false)} (and on the
 * executor, which it leaves at once, for a blocking one or a task), so it must not block. The
 * stage may complete on any thread. Its value is the result; an exception that completes it is
 * treated as one a {@link ToolHandler} throws. When the call ends first (the client cancels, the
 * deadline passes, the connection closes, the server shuts down), the stage's
 * {@link java.util.concurrent.CompletableFuture} is cancelled, and the handler's own work should
 * stop when it sees that ({@link ToolContext#isCancelled()} is true too).
 */
@FunctionalInterface
public interface AsyncToolHandler {

    /** Starts one call; never null. */
    CompletionStage<ToolResult> call(ToolArguments arguments, ToolContext context) throws Exception;
}
