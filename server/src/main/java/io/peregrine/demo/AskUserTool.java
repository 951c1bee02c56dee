package io.peregrine.demo;

import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolAnnotations;
import io.peregrine.tool.ToolResult;

import java.time.Duration;

/**
 * {@code ask_user}: puts a question to the person at the client through elicitation and returns
 * their answer. In the 2025 era the server asks with an {@code elicitation/create} request and
 * waits; in 2026-07-28 the call answers {@code input_required} and the client calls again with the
 * answer. Clients that cannot elicit get a plain answer saying so, not an error.
 */
public final class AskUserTool {

    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\","
            + "\"title\":\"Your answer\"}},\"required\":[\"answer\"]}";

    private AskUserTool() {
    }

    public static Tool create() {
        return Tool.builder("ask_user")
                .title("Ask the user")
                .description("Asks the person using the client a question and returns their answer.")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"question\":{\"type\":\"string\","
                        + "\"description\":\"What to ask\"}},\"required\":[\"question\"],\"additionalProperties\":false}")
                .annotations(ToolAnnotations.builder().readOnly(true).openWorld(false).build())
                .blocking(true)
                // A person may take a while; the client-request timeout bounds each question too.
                .timeout(Duration.ofMinutes(5))
                .handler((args, ctx) -> {
                    String question = args.string("question");
                    if (!ctx.clientSupports(ClientFeature.ELICITATION_FORM)) {
                        return ToolResult.error("This client cannot ask its user questions (it did not declare "
                                + "the elicitation capability)");
                    }
                    ElicitResult r = ctx.elicit(Elicitation.form(question, SCHEMA).key("answer"));
                    switch (r.action()) {
                        case ACCEPT:
                            return ToolResult.text("The user answered: " + r.string("answer"));
                        case DECLINE:
                            return ToolResult.text("The user declined to answer.");
                        default:
                            return ToolResult.text("The user dismissed the question without answering.");
                    }
                })
                .build();
    }
}
