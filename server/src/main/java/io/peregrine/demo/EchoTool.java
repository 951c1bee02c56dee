package io.peregrine.demo;

import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;

/** {@code echo}: returns its {@code message} as one text item. Non-blocking: it runs on the I/O thread. */
public final class EchoTool {

    private EchoTool() {
    }

    public static Tool create() {
        return Tool.builder("echo")
                .title("Echo")
                .description("Returns the message it is given, unchanged.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\","
                        + "\"description\":\"The text to send back\"}},\"required\":[\"message\"],"
                        + "\"additionalProperties\":false}")
                .annotations(ToolAnnotations.builder().readOnly(true).idempotent(true).openWorld(false).build())
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text(args.string("message")))
                .build();
    }
}
