package io.peregrine.tool;

/** The code behind a tool. */
@FunctionalInterface
public interface ToolHandler {

    /**
     * Runs one call. A thrown exception becomes an {@code isError} result carrying its message (a
     * {@link ToolException} is expected and not logged as a fault); a
     * {@link InvalidArgumentsException} is reported as the request's protocol revision asks for
     * invalid arguments.
     *
     * <p>A non-blocking tool runs on an I/O thread and must return quickly without blocking. A
     * blocking tool runs on the bounded executor and should stop when
     * {@link ToolContext#isCancelled()} turns true or its thread is interrupted.
     */
    ToolResult call(ToolArguments arguments, ToolContext context) throws Exception;
}
