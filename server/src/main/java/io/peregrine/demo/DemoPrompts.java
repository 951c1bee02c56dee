package io.peregrine.demo;

import io.peregrine.completion.Completion;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptArgument;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceRequest;
import io.peregrine.tool.Content;

import java.util.List;
import java.util.Map;

/**
 * Prompts over the served directory: {@code review_file} embeds a file in the prompt,
 * {@code compare_files} links two; both complete their path arguments.
 */
public final class DemoPrompts {

    private static final List<String> FOCUS = List.of("correctness", "performance", "readability", "security");

    private DemoPrompts() {
    }

    public static List<Prompt> create(FileSystemResources files) {
        return List.of(reviewFile(files), compareFiles(files));
    }

    static Prompt reviewFile(FileSystemResources files) {
        return Prompt.builder("review_file")
                .title("Review a file")
                .description("Asks for a review of one file under the served root, embedded in the prompt")
                .argument(PromptArgument.required("path", "File to review, relative to the served root"))
                .argument(PromptArgument.optional("focus", "What to look at: " + String.join(", ", FOCUS)))
                .completion("path", files.pathCompleter())
                .completion("focus", (typed, ctx) -> Completion.startingWith(typed, FOCUS))
                .blocking(true)
                .handler(args -> {
                    String path = args.get("path");
                    String focus = args.getOrDefault("focus", "correctness");
                    if (!FOCUS.contains(focus)) {
                        throw new IllegalArgumentException("focus : \"" + focus + "\" (expected: one of " + FOCUS + ")");
                    }
                    String uri = "fs:///" + path;
                    List<ResourceContents> contents;
                    try {
                        contents = files.read(new ResourceRequest(uri, Map.of("path", path), "any"));
                    } catch (io.peregrine.resource.ResourceNotFoundException e) {
                        throw new IllegalArgumentException("path : \"" + path + "\" (expected: a file under the served root)");
                    }
                    ResourceContents file = contents.get(0);
                    Content embedded = file.isText()
                            ? Content.embeddedText(uri, file.mimeType(), file.text())
                            : Content.embeddedBlob(uri, file.mimeType(), java.util.Base64.getDecoder().decode(file.blob()));
                    return PromptResult.builder()
                            .description("Review of " + path + " for " + focus)
                            .message(PromptMessage.user("Please review this file for " + focus
                                    + ". Point out concrete problems and suggest fixes."))
                            .message(PromptMessage.user(embedded))
                            .build();
                })
                .build();
    }

    static Prompt compareFiles(FileSystemResources files) {
        return Prompt.builder("compare_files")
                .title("Compare two files")
                .description("Asks how two files under the served root differ; the files are linked, not embedded")
                .argument(PromptArgument.required("left", "First file, relative to the served root"))
                .argument(PromptArgument.required("right", "Second file, relative to the served root"))
                .completion("left", files.pathCompleter())
                .completion("right", files.pathCompleter())
                .blocking(true)
                .handler(args -> PromptResult.builder()
                        .message(PromptMessage.user("Compare these two files and summarise how they differ."))
                        .message(PromptMessage.user(Content.resourceLink("fs:///" + args.get("left"), args.get("left"), null, null)))
                        .message(PromptMessage.user(Content.resourceLink("fs:///" + args.get("right"), args.get("right"), null, null)))
                        .message(PromptMessage.assistant("I will read both files and compare them."))
                        .build())
                .build();
    }
}
