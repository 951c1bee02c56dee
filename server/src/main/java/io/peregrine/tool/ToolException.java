package io.peregrine.tool;

/**
 * An expected failure of a tool, reported to the client as an {@code isError} result with this
 * message so that the model can read it and correct itself.
 */
public class ToolException extends Exception {

    public ToolException(String message) {
        super(message, null, false, false);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
