package io.peregrine.conformance;

import io.peregrine.tool.Content;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;

import java.util.Base64;
import java.util.List;

/**
 * The fixture tools the official MCP conformance suite ({@code @modelcontextprotocol/conformance})
 * calls by fixed name, with the results its server scenarios compare against, modelled on the
 * suite's reference server. They are served only by the conformance profile
 * ({@code ./peregrine --config config/conformance.yaml}, key {@code conformance.fixtures}); the
 * default configuration never registers them.
 *
 * <p>Fixtures that need server features still being built (logging, asking the client, resources,
 * prompts, multi-round-trip results, tasks) are added here as those APIs land; the README's
 * Conformance section lists which scenario waits on which issue.
 */
public final class ConformanceFixtures {

    /** A 1x1 red PNG, byte for byte the suite's {@code TEST_IMAGE_BASE64}. */
    public static final String IMAGE_PNG_BASE64 =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    /** A minimal WAV file, byte for byte the suite's {@code TEST_AUDIO_BASE64}. */
    public static final String AUDIO_WAV_BASE64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

    /**
     * The input schema of {@code json_schema_2020_12_tool}, exactly as the json-schema-2020-12
     * scenario expects to read it back from {@code tools/list}: every keyword must survive.
     */
    public static final String JSON_SCHEMA_2020_12 = "{"
            + "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
            + "\"type\":\"object\","
            + "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\","
            + "\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
            + "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},"
            + "\"contactMethod\":{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},"
            + "\"phone\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"}},"
            + "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
            + "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},\"required\":[\"contactMethod\"]},"
            + "\"then\":{\"required\":[\"phone\"]},"
            + "\"else\":{\"required\":[\"email\"]},"
            + "\"additionalProperties\":false}";

    private static final byte[] AUDIO_WAV = Base64.getDecoder().decode(AUDIO_WAV_BASE64);

    private static final String NO_ARGUMENTS = "{\"type\":\"object\",\"properties\":{}}";

    /** Time between the steps of the progress fixture, as in the suite's reference server. */
    private static final long STEP_MILLIS = 50;

    private ConformanceFixtures() {
    }

    /** Every fixture tool that today's server can serve. */
    public static List<Tool> tools() {
        return List.of(
                simpleText(),
                imageContent(),
                audioContent(),
                embeddedResource(),
                multipleContentTypes(),
                errorHandling(),
                withProgress(),
                jsonSchema202012(),
                customHeader(),
                streamingElicitation(),
                loggingTool());
    }

    /** tools-call-simple-text: one text item. */
    static Tool simpleText() {
        return Tool.builder("test_simple_text")
                .description("Tests simple text content response")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text("This is a simple text response for testing."))
                .build();
    }

    /** tools-call-image: one PNG image item. */
    static Tool imageContent() {
        return Tool.builder("test_image_content")
                .description("Tests image content response")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.of(Content.imageBase64(IMAGE_PNG_BASE64, "image/png")))
                .build();
    }

    /** tools-call-audio: one item of mime type {@code audio/wav}, which the scenario compares exactly. */
    static Tool audioContent() {
        return Tool.builder("test_audio_content")
                .description("Tests audio content response")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.of(Content.audio(AUDIO_WAV, "audio/wav")))
                .build();
    }

    /** tools-call-embedded-resource: one embedded text resource. */
    static Tool embeddedResource() {
        return Tool.builder("test_embedded_resource")
                .description("Tests embedded resource content response")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.of(Content.embeddedText("test://embedded-resource", "text/plain",
                        "This is an embedded resource content.")))
                .build();
    }

    /** tools-call-mixed-content: text, image and an embedded resource in one result. */
    static Tool multipleContentTypes() {
        return Tool.builder("test_multiple_content_types")
                .description("Tests response with multiple content types (text, image, resource)")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.of(
                        Content.text("Multiple content types test:"),
                        Content.imageBase64(IMAGE_PNG_BASE64, "image/png"),
                        Content.embeddedText("test://mixed-content-resource", "application/json",
                                "{\"test\":\"data\",\"value\":123}")))
                .build();
    }

    /** tools-call-error: a tool execution error ({@code isError: true}), not a JSON-RPC error. */
    static Tool errorHandling() {
        return Tool.builder("test_error_handling")
                .description("Tests error response handling")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.error("This tool intentionally returns an error for testing"))
                .build();
    }

    /**
     * tools-call-with-progress: progress 0, 50 and 100 of 100, 50 ms apart, against the request's
     * progress token; without a token it only waits.
     */
    static Tool withProgress() {
        return Tool.builder("test_tool_with_progress")
                .description("Tests tool that reports progress notifications")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    step(ctx, 0);
                    Thread.sleep(STEP_MILLIS);
                    step(ctx, 50);
                    Thread.sleep(STEP_MILLIS);
                    step(ctx, 100);
                    return ToolResult.text("Completed step 100 of 100");
                })
                .build();
    }

    private static void step(ToolContext ctx, int done) {
        ctx.progress(done, 100.0, "Completed step " + done + " of 100");
    }

    /**
     * json-schema-2020-12: a schema using $defs, $anchor, $ref, allOf/anyOf, if/then/else and
     * additionalProperties, which tools/list must return unchanged. Its arguments are not
     * validated, as the reference server checks them only loosely: the suite calls the first
     * listed tool, which is this one, with {@code {}} and expects a result.
     */
    static Tool jsonSchema202012() {
        return Tool.builder("json_schema_2020_12_tool")
                .description("Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)")
                .inputSchema(JSON_SCHEMA_2020_12)
                .validateArguments(false)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text("JSON Schema 2020-12 tool called with: " + args.json()))
                .build();
    }

    /**
     * http-custom-header-server-validation (2026-07-28) looks for a tool with a string parameter
     * annotated {@code x-mcp-header} and sends its value in an {@code Mcp-Param-Region} header too,
     * literally or as {@code =?base64?...?=}, expecting the server to compare header and body. The
     * suite fixes no name for this tool.
     */
    static Tool customHeader() {
        return Tool.builder("test_custom_header")
                .description("Tests a parameter mirrored into the Mcp-Param-Region request header (SEP-2243)")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
                        + "\"description\":\"Any text; sent in the Mcp-Param-Region header as well\","
                        + "\"x-mcp-header\":\"Region\"}},\"required\":[\"region\"]}")
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text("Region: " + args.string("region")))
                .build();
    }

    /**
     * server-stateless (2026-07-28) reads this call's response stream and requires that it carry
     * nothing but notifications and the result.
     */
    static Tool streamingElicitation() {
        return Tool.builder("test_streaming_elicitation")
                .description("Diagnostic tool validating response progress streams")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    ctx.progress(50, 100.0, null);
                    return ToolResult.text("Streaming complete");
                })
                .build();
    }

    /**
     * server-stateless (2026-07-28) calls this without a per-request log level and requires that no
     * {@code notifications/message} arrive. It will log through its context once tools can log.
     */
    static Tool loggingTool() {
        return Tool.builder("test_logging_tool")
                .description("Diagnostic logging validator tool")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text("Logging evaluated"))
                .build();
    }
}
