package io.peregrine.testing;

import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Tools for the tests of tasks, named as the conformance suite's task scenarios name their fixtures. */
public final class TaskTools {

    private static final String CONFIRM = "{\"type\":\"object\",\"properties\":{\"confirm\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"confirm\"]}";

    private TaskTools() {
    }

    public static List<Tool> all() {
        return List.of(greet(), slowCompute(), failingJob(), protocolErrorJob(), requiredJob(), confirmDelete(), multiInput(),
                gatherThenTask());
    }

    /** Never a task. */
    public static Tool greet() {
        return Tool.builder("greet")
                .handler((args, ctx) -> ToolResult.text("Hello, " + args.string("name", "World") + "!"))
                .build();
    }

    /** Sleeps {@code seconds} (fractions allowed through {@code millis}), then answers. */
    public static Tool slowCompute() {
        return Tool.builder("slow_compute")
                .taskSupport(TaskSupport.OPTIONAL)
                .timeout(Duration.ofSeconds(90))
                .handler((args, ctx) -> {
                    long millis = args.integer("millis", args.integer("seconds", 1) * 1000);
                    Thread.sleep(millis);
                    return ToolResult.text("computed " + args.string("label", "") + " in " + millis + " ms");
                })
                .build();
    }

    /** A tool execution error: isError. */
    public static Tool failingJob() {
        return Tool.builder("failing_job")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler((args, ctx) -> ToolResult.error("the job failed"))
                .build();
    }

    /** Breaks its output schema, which the server answers with a JSON-RPC internal error. */
    public static Tool protocolErrorJob() {
        return Tool.builder("protocol_error_job")
                .taskSupport(TaskSupport.OPTIONAL)
                .outputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}")
                .handler((args, ctx) -> ToolResult.builder().text("bad").structured(Map.of("n", "not a number")).build())
                .build();
    }

    /** Only ever a task. */
    public static Tool requiredJob() {
        return Tool.builder("required_job")
                .taskSupport(TaskSupport.REQUIRED)
                .handler((args, ctx) -> ToolResult.text("done"))
                .build();
    }

    /** Asks for confirmation, then answers with what it was told. */
    public static Tool confirmDelete() {
        return Tool.builder("confirm_delete")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler((args, ctx) -> {
                    ElicitResult r = ctx.elicit(Elicitation.form("Delete everything?", CONFIRM));
                    return ToolResult.text(Boolean.TRUE.equals(r.bool("confirm")) ? "deleted" : "kept");
                })
                .build();
    }

    /** Asks for a name over input_required rounds, then continues as a task (2026-07-28). */
    public static Tool gatherThenTask() {
        return Tool.builder("gather_then_task")
                .taskSupport(TaskSupport.OPTIONAL)
                .startsTaskItself(true)
                .handler((args, ctx) -> {
                    ElicitResult r = ctx.elicit(Elicitation.form("Name?",
                            "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}").key("user_name"));
                    boolean task = ctx.continueAsTask();
                    Thread.sleep(100);
                    return ToolResult.text("Hello, " + r.string("name") + "!" + (task ? " (as a task)" : ""));
                })
                .build();
    }

    /** Asks two questions at once. */
    public static Tool multiInput() {
        return Tool.builder("multi_input")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler((args, ctx) -> {
                    List<Object> answers = ctx.ask(Elicitation.form("First?", CONFIRM).key("first"),
                            Elicitation.form("Second?", CONFIRM).key("second"));
                    return ToolResult.text(((ElicitResult) answers.get(0)).bool("confirm") + " "
                            + ((ElicitResult) answers.get(1)).bool("confirm"));
                })
                .build();
    }
}
