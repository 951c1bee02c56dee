package io.peregrine.conformance;

import io.peregrine.completion.Completion;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptArgument;
import io.peregrine.prompt.PromptMessage;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.Content;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resources, resource template and prompts the conformance suite reads by fixed URI or name
 * ({@code test://static-text}, {@code test_simple_prompt}, ...), with the contents its resources-*,
 * prompts-* and completion-complete scenarios compare against. Served with the fixture tools of
 * {@link ConformanceFixtures}, by the conformance profile only.
 */
public final class ConformanceResources {

    private ConformanceResources() {
    }

    /** test://static-text, test://static-binary and test://watched-resource. */
    public static List<Resource> resources() {
        return List.of(
                Resource.builder("test://static-text", "static-text")
                        .title("Static Text Resource")
                        .description("A static text resource for testing")
                        .mimeType("text/plain")
                        .text("This is the content of the static text resource.")
                        .build(),
                Resource.builder("test://static-binary", "static-binary")
                        .title("Static Binary Resource")
                        .description("A static binary resource (image) for testing")
                        .mimeType("image/png")
                        .blocking(false)
                        .handler(req -> List.of(ResourceContents.blobBase64(req.uri(), "image/png",
                                ConformanceFixtures.IMAGE_PNG_BASE64)))
                        .build(),
                // resources-subscribe and -unsubscribe subscribe to this one; it never changes here.
                Resource.builder("test://watched-resource", "watched-resource")
                        .title("Watched Resource")
                        .description("A resource clients may subscribe to")
                        .mimeType("text/plain")
                        .text("Watched resource content")
                        .build());
    }

    /** test://template/{id}/data, whose contents name the {@code id} read. */
    public static List<ResourceTemplate> resourceTemplates() {
        return List.of(ResourceTemplate.builder("test://template/{id}/data", "template")
                .title("Resource Template")
                .description("A resource template with parameter substitution")
                .mimeType("application/json")
                .blocking(false)
                .handler(req -> {
                    String id = req.variable("id");
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("id", id);
                    data.put("templateTest", true);
                    data.put("data", "Data for ID: " + id);
                    return List.of(ResourceContents.text(req.uri(), "application/json", JsonTree.toJson(data)));
                })
                .build());
    }

    /** test_simple_prompt, test_prompt_with_arguments, test_prompt_with_embedded_resource, test_prompt_with_image. */
    public static List<Prompt> prompts() {
        return List.of(
                Prompt.builder("test_simple_prompt")
                        .title("Simple Test Prompt")
                        .description("A simple prompt without arguments")
                        .blocking(false)
                        .handler(args -> PromptResult.text("This is a simple prompt for testing."))
                        .build(),
                Prompt.builder("test_prompt_with_arguments")
                        .title("Prompt With Arguments")
                        .description("A prompt with required arguments")
                        .argument(PromptArgument.required("arg1", "First test argument"))
                        .argument(PromptArgument.required("arg2", "Second test argument"))
                        // completion-complete asks for arg1; any list of values passes.
                        .completion("arg1", (typed, context) ->
                                Completion.startingWith(typed, List.of("paris", "park", "party")))
                        .blocking(false)
                        .handler(args -> PromptResult.text("Prompt with arguments: arg1='" + args.get("arg1")
                                + "', arg2='" + args.get("arg2") + "'"))
                        .build(),
                Prompt.builder("test_prompt_with_embedded_resource")
                        .title("Prompt With Embedded Resource")
                        .description("A prompt that includes an embedded resource")
                        .argument(PromptArgument.required("resourceUri", "URI of the resource to embed"))
                        .blocking(false)
                        .handler(args -> PromptResult.of(null, List.of(
                                PromptMessage.user(Content.embeddedText(args.get("resourceUri"), "text/plain",
                                        "Embedded resource content for testing.")),
                                PromptMessage.user("Please process the embedded resource above."))))
                        .build(),
                Prompt.builder("test_prompt_with_image")
                        .title("Prompt With Image")
                        .description("A prompt that includes image content")
                        .blocking(false)
                        .handler(args -> PromptResult.of(null, List.of(
                                PromptMessage.user(Content.imageBase64(ConformanceFixtures.IMAGE_PNG_BASE64, "image/png")),
                                PromptMessage.user("Please analyze the image above."))))
                        .build(),
                // input-required-result-non-tool-request (2026-07-28): prompts/get asks for context first.
                Prompt.builder("test_input_required_result_prompt")
                        .title("Prompt That Asks")
                        .description("A prompt that asks the user for context through elicitation")
                        .blocking(true)
                        .askingHandler((args, client) -> {
                            ElicitResult answer = client.elicit(Elicitation.form("What context should the prompt use?",
                                    "{\"type\":\"object\",\"properties\":{\"context\":{\"type\":\"string\"}},"
                                            + "\"required\":[\"context\"]}").key("user_context"));
                            return PromptResult.text("Use this context: "
                                    + (answer.isAccepted() ? answer.string("context") : "(none given)"));
                        })
                        .build());
    }
}
