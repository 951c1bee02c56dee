package io.peregrine.tool;

/**
 * A question to the client got no usable answer: the client answered with an error, did not
 * answer in time, sent an answer that does not fit the request, or went away. Uncaught, it ends
 * the tool call with an {@code isError} result carrying this message.
 */
public class ClientRequestException extends ToolException {

    private final int code;

    /** @param code the JSON-RPC error code the client sent, or 0 when it sent none */
    public ClientRequestException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The JSON-RPC error code the client answered with, or 0 (timeout, lost connection, bad answer). */
    public int code() {
        return code;
    }
}
