package io.peregrine.tool;

/**
 * Thrown by the questions of a {@link ToolContext} in the 2026-07-28 era when the client has not
 * answered yet: the call then ends with an {@code input_required} result, and the client calls the
 * tool again with the answers, which the same questions then return. Let it propagate; a tool that
 * catches it by accident still gets its {@code input_required} result, whatever it returns.
 */
public final class InputRequiredException extends RuntimeException {

    public InputRequiredException(String message) {
        super(message, null, false, false);
    }
}
