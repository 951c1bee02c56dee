package io.peregrine.tool;

/**
 * The call's arguments do not fit the tool: a required argument is missing or has the wrong type.
 * Reported like a schema validation failure, as the request's protocol revision requires.
 */
public class InvalidArgumentsException extends ToolException {

    public InvalidArgumentsException(String message) {
        super(message);
    }
}
