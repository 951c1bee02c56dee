package io.peregrine.demo;

import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.SamplingRequest;
import io.peregrine.tool.SamplingResult;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;

import java.time.Duration;

/**
 * {@code ask_model}: hands a prompt to the client's own model through sampling and returns what
 * it wrote: {@code sampling/createMessage} in the 2025 era, an {@code input_required} round in
 * 2026-07-28.
 */
public final class AskModelTool {

    private AskModelTool() {
    }

    public static Tool create() {
        return Tool.builder("ask_model")
                .title("Ask the client's model")
                .description("Sends a prompt to the language model of the client and returns its reply.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"},"
                        + "\"maxTokens\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":4096}},"
                        + "\"required\":[\"prompt\"],\"additionalProperties\":false}")
                .annotations(ToolAnnotations.builder().readOnly(true).openWorld(false).build())
                .blocking(true)
                .timeout(Duration.ofMinutes(2))
                .handler((args, ctx) -> {
                    if (!ctx.clientSupports(ClientFeature.SAMPLING)) {
                        return ToolResult.error("This client offers no model to ask (it did not declare "
                                + "the sampling capability)");
                    }
                    SamplingResult r = ctx.sample(SamplingRequest.builder()
                            .userText(args.string("prompt"))
                            .maxTokens((int) args.integer("maxTokens", 256))
                            .build());
                    String text = r.text();
                    return ToolResult.text(text != null ? text : "(the model " + r.model() + " replied without text)");
                })
                .build();
    }
}
