package io.peregrine.testing;

import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.Root;
import io.peregrine.tool.RootsRequest;
import io.peregrine.tool.SamplingRequest;
import io.peregrine.tool.SamplingResult;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Tools that ask the client something, for the tests of sampling, elicitation and roots. */
public final class AskingTools {

    static final String NAME_SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
            + "\"required\":[\"name\"]}";

    private AskingTools() {
    }

    /** Every asking tool, for a server of its own. */
    public static List<Tool> all() {
        return List.of(askName(), askUrl(), sample(), roots(), askAll(), twoSteps(), askInline(), askIfAble());
    }

    /** Asks for a name through a form: "Hello, NAME!", or what the user did instead. */
    public static Tool askName() {
        return Tool.builder("ask_name")
                .blocking(true)
                .timeout(Duration.ofSeconds(20))
                .handler((args, ctx) -> {
                    ElicitResult r = ctx.elicit(Elicitation.form("What is your name?", NAME_SCHEMA).key("user_name"));
                    return ToolResult.text(r.isAccepted() ? "Hello, " + r.string("name") + "!" : "no name: " + r.action());
                })
                .build();
    }

    /** Sends the user to a URL, then says the out-of-band part is complete. */
    public static Tool askUrl() {
        return Tool.builder("ask_url")
                .blocking(true)
                .handler((args, ctx) -> {
                    ElicitResult r = ctx.elicit(Elicitation.url("Connect your account",
                            "https://example.com/connect?e=e-1", "e-1"));
                    ctx.elicitationCompletion("e-1").run();
                    return ToolResult.text("url: " + r.action());
                })
                .build();
    }

    public static Tool sample() {
        return Tool.builder("sample")
                .blocking(true)
                .handler((args, ctx) -> {
                    SamplingResult r = ctx.sample(SamplingRequest.builder()
                            .userText("What is the capital of France?").maxTokens(20).build());
                    return ToolResult.text(r.model() + " says " + r.text());
                })
                .build();
    }

    public static Tool roots() {
        return Tool.builder("roots")
                .blocking(true)
                .handler((args, ctx) -> ToolResult.text(ctx.listRoots().stream().map(Root::uri)
                        .collect(Collectors.joining(","))))
                .build();
    }

    /** Asks all three kinds at once. */
    public static Tool askAll() {
        return Tool.builder("ask_all")
                .blocking(true)
                .handler((args, ctx) -> {
                    List<Object> answers = ctx.ask(Elicitation.form("Name?", NAME_SCHEMA),
                            SamplingRequest.builder().userText("Greet").maxTokens(10).build(), RootsRequest.create());
                    ElicitResult name = (ElicitResult) answers.get(0);
                    SamplingResult greeting = (SamplingResult) answers.get(1);
                    @SuppressWarnings("unchecked")
                    List<Root> roots = (List<Root>) answers.get(2);
                    return ToolResult.text(greeting.text() + " " + name.string("name") + " in " + roots.get(0).uri());
                })
                .build();
    }

    /** Two questions, the second asked only once the first is answered: two rounds in 2026-07-28. */
    public static Tool twoSteps() {
        return Tool.builder("two_steps")
                .blocking(true)
                .handler((args, ctx) -> {
                    String name = ctx.elicit(Elicitation.form("Step 1: name?", NAME_SCHEMA).key("step1")).string("name");
                    String color = ctx.elicit(Elicitation.form("Step 2: color?",
                            "{\"type\":\"object\",\"properties\":{\"color\":{\"type\":\"string\"}}}").key("step2"))
                            .string("color");
                    return ToolResult.text(name + " likes " + color);
                })
                .build();
    }

    /** A non-blocking tool that asks: fine in 2026-07-28, refused in the 2025 era. */
    public static Tool askInline() {
        return Tool.builder("ask_inline")
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text("Hi " + ctx.elicit(Elicitation.form("Name?", NAME_SCHEMA))
                        .string("name")))
                .build();
    }

    /** Asks only what the client can answer. */
    public static Tool askIfAble() {
        return Tool.builder("ask_if_able")
                .blocking(true)
                .handler((args, ctx) -> {
                    if (!ctx.clientSupports(ClientFeature.ELICITATION_FORM)) {
                        return ToolResult.text("cannot ask");
                    }
                    return ToolResult.text("asked: " + ctx.elicit(Elicitation.form("Name?", NAME_SCHEMA)).string("name"));
                })
                .build();
    }
}
