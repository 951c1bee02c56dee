package io.peregrine.loadtest;

import io.peregrine.Peregrine;
import io.peregrine.PeregrineExtension;
import io.peregrine.config.PeregrineConfig;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.util.ArrayList;
import java.util.List;

/**
 * A deliberate leak, for proving that {@code loadtest/run soak} fails on one: when the system
 * property {@value #PROPERTY} is a positive number of bytes (the soak harness sets it in the
 * server's JVM for {@code --leak BYTES}, and nothing else does), the server gets a tool
 * {@code soak_retain} that echoes its {@code message} like {@code echo} and keeps that many bytes
 * for ever on every call. Without the property this extension adds nothing.
 */
public final class SoakRetainExtension implements PeregrineExtension {

    /** The bytes each call of {@code soak_retain} keeps. */
    static final String PROPERTY = "peregrine.soak.retainBytesPerCall";
    static final String TOOL = "soak_retain";

    private static final List<byte[]> RETAINED = new ArrayList<>();

    @Override
    public void configure(Peregrine.Builder builder, PeregrineConfig config) {
        int bytes = Integer.getInteger(PROPERTY, 0);
        if (bytes <= 0) {
            return;
        }
        builder.tool(Tool.builder(TOOL)
                .description("Echoes its message and keeps " + bytes + " bytes for ever: a deliberate leak for the soak run")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},"
                        + "\"required\":[\"message\"],\"additionalProperties\":false}")
                .blocking(false)
                .handler((args, ctx) -> {
                    byte[] kept = new byte[bytes];
                    kept[bytes - 1] = 1;
                    synchronized (RETAINED) {
                        RETAINED.add(kept);
                    }
                    return ToolResult.text(args.string("message"));
                })
                .build());
    }
}
