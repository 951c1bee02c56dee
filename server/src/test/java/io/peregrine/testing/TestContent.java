package io.peregrine.testing;

import io.peregrine.completion.Completion;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptArgument;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceNotFoundException;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.tool.Content;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolResult;

import java.util.List;

/** Resources, templates, prompts and a logging tool with known behaviour for protocol tests. */
public final class TestContent {

    private TestContent() {
    }

    /** Four fixed resources: three text, one binary (bytes 1, 2, 3). */
    public static List<Resource> resources() {
        return List.of(
                Resource.builder("test://static/hello", "hello").title("Hello").mimeType("text/plain")
                        .description("Says hello").size(11).text("hello world").build(),
                Resource.builder("test://static/blob", "blob").mimeType("application/octet-stream").blocking(false)
                        .handler(req -> List.of(ResourceContents.blob(req.uri(), "application/octet-stream", new byte[] {1, 2, 3})))
                        .build(),
                Resource.builder("test://static/a", "a").text("A").build(),
                Resource.builder("test://static/slow", "slow").blocking(true)
                        .handler(req -> {
                            Thread.sleep(20);
                            return List.of(ResourceContents.text(req.uri(), "text/plain", "read on a worker"));
                        })
                        .build());
    }

    /**
     * {@code test://items/{id}}: reads "item ID"; the id {@code missing} names nothing; ids
     * complete from apple, apricot, banana.
     */
    public static ResourceTemplate items() {
        return ResourceTemplate.builder("test://items/{id}", "items").description("Items by id").mimeType("text/plain")
                .blocking(false)
                .handler(req -> {
                    if ("missing".equals(req.variable("id"))) {
                        throw new ResourceNotFoundException(req.uri(), "Resource not found: there is no item \"missing\"");
                    }
                    return List.of(ResourceContents.text(req.uri(), "text/plain", "item " + req.variable("id")));
                })
                .completion("id", (typed, ctx) -> Completion.startingWith(typed, List.of("apple", "apricot", "banana")))
                .build();
    }

    /** {@code greet}: name (required), style (optional, completes from formal, casual); two messages. */
    public static Prompt greet() {
        return Prompt.builder("greet").title("Greeting").description("Greets someone")
                .argument(PromptArgument.required("name", "Who to greet"))
                .argument(PromptArgument.optional("style", "formal or casual"))
                .completion("style", (typed, ctx) -> Completion.startingWith(typed, List.of("formal", "casual")))
                .handler(args -> PromptResult.builder().description("A greeting for " + args.get("name"))
                        .message(PromptMessage.user("Please greet " + args.get("name") + " in a "
                                + args.getOrDefault("style", "casual") + " way."))
                        .message(PromptMessage.assistant("Hello, " + args.get("name") + "!"))
                        .build())
                .build();
    }

    /** {@code every_content}: one message of each content type. */
    public static Prompt everyContent() {
        return Prompt.builder("every_content").blocking(true)
                .handler(args -> PromptResult.of(null, List.of(
                        PromptMessage.user("text"),
                        PromptMessage.user(Content.image(new byte[] {1, 2, 3}, "image/png")),
                        PromptMessage.user(Content.audio(new byte[] {4, 5}, "audio/wav")),
                        PromptMessage.assistant(Content.resourceLink("test://static/hello", "hello", "text/plain", null)),
                        PromptMessage.user(Content.embeddedText("test://static/a", "text/plain", "A")))))
                .build();
    }

    /** {@code chatty}: logs one message at debug, info and warning, then answers "logged". */
    public static Tool chatty() {
        return Tool.builder("chatty").blocking(false)
                .handler((args, ctx) -> {
                    ctx.log(LogLevel.DEBUG, "chatty", "a debug line");
                    ctx.log(LogLevel.INFO, "chatty", java.util.Map.of("step", 1));
                    ctx.log(LogLevel.WARNING, null, "a warning");
                    return ToolResult.text("logged");
                })
                .build();
    }
}
