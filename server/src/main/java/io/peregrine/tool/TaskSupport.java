package io.peregrine.tool;

/**
 * Whether a tool may run as a task (a long-running call the client polls instead of waiting on):
 * the tool definition's {@code execution.taskSupport}.
 *
 * <p>In 2025-11-25 the client asks for a task with the {@code task} param of {@code tools/call};
 * in 2026-07-28 (the {@code io.modelcontextprotocol/tasks} extension) the server creates one for
 * every call of a tool that supports tasks from a client that declared the extension.
 */
public enum TaskSupport {

    /** Never a task (the default). */
    FORBIDDEN("forbidden"),
    /** A task when the client asks for one (2025-11-25) or declared the extension (2026-07-28). */
    OPTIONAL("optional"),
    /** Only ever a task: a client that cannot take one is refused. */
    REQUIRED("required");

    private final String wire;

    TaskSupport(String wire) {
        this.wire = wire;
    }

    /** The value as the definition spells it. */
    public String wire() {
        return wire;
    }
}
