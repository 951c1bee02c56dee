package io.peregrine.conformance;

import io.peregrine.Peregrine;
import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptResult;
import io.peregrine.rpc.JsonTree;
import io.peregrine.tool.ClientFeature;
import io.peregrine.tool.ClientRequest;
import io.peregrine.tool.ClientRequestException;
import io.peregrine.tool.Content;
import io.peregrine.tool.ElicitResult;
import io.peregrine.tool.Elicitation;
import io.peregrine.tool.LogLevel;
import io.peregrine.tool.MissingClientCapabilityException;
import io.peregrine.tool.Root;
import io.peregrine.tool.RootsRequest;
import io.peregrine.tool.SamplingRequest;
import io.peregrine.tool.SamplingResult;
import io.peregrine.tool.TaskSupport;
import io.peregrine.tool.Tool;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The fixture tools the official MCP conformance suite ({@code @modelcontextprotocol/conformance})
 * calls by fixed name, with the results its server scenarios compare against, modelled on the
 * suite's reference server. They live in their own module, outside the server's jar, and are
 * served only by the conformance profile ({@code ./peregrine --config config/conformance.yaml},
 * key {@code conformance.fixtures}), through {@link ConformanceExtension}; the default
 * configuration never registers them.
 *
 * <p>Resources and prompts are in {@link ConformanceResources}. The README's Conformance section
 * lists the scenarios that still fail and the issue that will make them pass. One catalogue of
 * about 700 lines on purpose: it follows the suite's scenarios one fixture each, and splitting
 * it would only scatter them.
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

    private static final String DYNAMIC_TOOL = "test_dynamic_tool";
    private static final String DYNAMIC_PROMPT = "test_dynamic_prompt";

    private static final String CONFIRM_SCHEMA = "{\"type\":\"object\",\"properties\":{\"confirm\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"confirm\"]}";

    private static final byte[] AUDIO_WAV = Base64.getDecoder().decode(AUDIO_WAV_BASE64);

    private static final String NO_ARGUMENTS = "{\"type\":\"object\",\"properties\":{}}";

    /** The logger name of the fixtures' log messages, as in the suite's reference server. */
    private static final String LOGGER = "conformance-test-server";

    /** Time between the steps of the progress and logging fixtures, as in the suite's reference server. */
    private static final long STEP_MILLIS = 50;

    private ConformanceFixtures() {
    }

    /**
     * Registers every fixture (tools, resources, resource templates, prompts) with {@code server},
     * including the two tools that change its tool and prompt lists while it runs.
     */
    public static void addTo(Peregrine server) {
        tools().forEach(server.tools()::add);
        server.tools().add(triggerToolChange(server));
        server.tools().add(triggerPromptChange(server));
        ConformanceResources.resources().forEach(server.resources()::add);
        ConformanceResources.resourceTemplates().forEach(server.resources()::add);
        ConformanceResources.prompts().forEach(server.prompts()::add);
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
                withLogging(),
                sampling(),
                elicitation(),
                elicitationDefaults(),
                elicitationEnums(),
                jsonSchema202012(),
                customHeader(),
                missingCapability(),
                inputRequiredElicitation(),
                inputRequiredSampling(),
                inputRequiredListRoots(),
                inputRequiredRequestState(),
                inputRequiredMultipleInputs(),
                inputRequiredMultiRound(),
                inputRequiredTamperedState(),
                inputRequiredCapabilities(),
                streamingElicitation(),
                loggingTool(),
                greet(),
                slowCompute(),
                failingJob(),
                protocolErrorJob(),
                confirmDelete(),
                multiInput(),
                toolWithTask());
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
     * {@code notifications/message} arrive: it logs, and the server must drop the message.
     */
    static Tool loggingTool() {
        return Tool.builder("test_logging_tool")
                .description("Diagnostic logging validator tool")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> {
                    ctx.log(LogLevel.INFO, LOGGER, "Diagnostic trace logging activated");
                    return ToolResult.text("Logging evaluated");
                })
                .build();
    }

    /** tools-call-with-logging: three info messages, 50 ms apart, before the result. */
    static Tool withLogging() {
        return Tool.builder("test_tool_with_logging")
                .description("Tests tool that emits log messages during execution")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    ctx.log(LogLevel.INFO, LOGGER, "Tool execution started");
                    Thread.sleep(STEP_MILLIS);
                    ctx.log(LogLevel.INFO, LOGGER, "Tool processing data");
                    Thread.sleep(STEP_MILLIS);
                    ctx.log(LogLevel.INFO, LOGGER, "Tool execution completed");
                    return ToolResult.text("Tool with logging executed successfully");
                })
                .build();
    }

    /** tools-call-sampling (2025 era): asks the client's model to answer {@code prompt}. */
    static Tool sampling() {
        return Tool.builder("test_sampling")
                .description("Tests server-initiated sampling (LLM completion request)")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\","
                        + "\"description\":\"The prompt to send to the LLM\"}},\"required\":[\"prompt\"]}")
                .handler((args, ctx) -> {
                    try {
                        SamplingResult answer = ctx.sample(SamplingRequest.builder()
                                .userText(args.string("prompt")).maxTokens(100).build());
                        return ToolResult.text("LLM response: " + (answer.text() != null ? answer.text() : "No response"));
                    } catch (ClientRequestException e) {
                        return ToolResult.text("Sampling not supported or error: " + e.getMessage());
                    }
                })
                .build();
    }

    /**
     * tools-call-elicitation (2025 era): asks the user for a username and an email, the schema the
     * scenario describes and answers.
     */
    static Tool elicitation() {
        return Tool.builder("test_elicitation")
                .description("Tests server-initiated elicitation (user input request)")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\","
                        + "\"description\":\"The message to show the user\"}},\"required\":[\"message\"]}")
                .handler((args, ctx) -> elicitAndReport(ctx, "User response: ", Elicitation.form(args.string("message"),
                        "{\"type\":\"object\",\"properties\":{"
                                + "\"username\":{\"type\":\"string\",\"description\":\"User's response\"},"
                                + "\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}},"
                                + "\"required\":[\"username\",\"email\"]}")))
                .build();
    }

    /** elicitation-sep1034-defaults (2025-11-25): a default for every primitive type. */
    static Tool elicitationDefaults() {
        return Tool.builder("test_elicitation_sep1034_defaults")
                .description("Tests elicitation with default values per SEP-1034")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> elicitAndReport(ctx, "Elicitation completed: ", Elicitation.form(
                        "Please review and update the form fields with defaults",
                        "{\"type\":\"object\",\"properties\":{"
                                + "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
                                + "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
                                + "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
                                + "\"status\":{\"type\":\"string\",\"description\":\"User status\","
                                + "\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
                                + "\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\",\"default\":true}},"
                                + "\"required\":[]}")))
                .build();
    }

    /** elicitation-sep1330-enums (2025-11-25): the five enum shapes, titled and untitled, single and multi. */
    static Tool elicitationEnums() {
        return Tool.builder("test_elicitation_sep1330_enums")
                .description("Tests elicitation with enum schema improvements per SEP-1330")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> elicitAndReport(ctx, "Elicitation completed: ", Elicitation.form(
                        "Please select options from the enum fields",
                        "{\"type\":\"object\",\"properties\":{"
                                + "\"untitledSingle\":{\"type\":\"string\",\"description\":\"Select one option\","
                                + "\"enum\":[\"option1\",\"option2\",\"option3\"]},"
                                + "\"titledSingle\":{\"type\":\"string\",\"description\":\"Select one option with titles\","
                                + "\"oneOf\":[{\"const\":\"value1\",\"title\":\"First Option\"},"
                                + "{\"const\":\"value2\",\"title\":\"Second Option\"},"
                                + "{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
                                + "\"legacyEnum\":{\"type\":\"string\",\"description\":\"Select one option (legacy)\","
                                + "\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
                                + "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
                                + "\"untitledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options\","
                                + "\"minItems\":1,\"maxItems\":3,"
                                + "\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
                                + "\"titledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options with titles\","
                                + "\"minItems\":1,\"maxItems\":3,"
                                + "\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},"
                                + "{\"const\":\"value2\",\"title\":\"Second Choice\"},"
                                + "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}},"
                                + "\"required\":[]}")))
                .build();
    }

    /** Asks {@code question}; reports the answer, or why there is none, as the result's text. */
    private static ToolResult elicitAndReport(ToolContext ctx, String prefix, Elicitation question) throws InterruptedException {
        try {
            ElicitResult answer = ctx.elicit(question);
            return ToolResult.text(prefix + "action=" + answer.action().name().toLowerCase(java.util.Locale.ROOT)
                    + ", content=" + JsonTree.toJson(answer.content() != null ? answer.content() : java.util.Map.of()));
        } catch (ClientRequestException e) {
            return ToolResult.text("Elicitation not supported or error: " + e.getMessage());
        }
    }

    /**
     * server-stateless (2026-07-28): needs sampling, which the probe's client does not declare, so
     * the call must fail with -32021 (MissingRequiredClientCapability) and run no further.
     */
    static Tool missingCapability() {
        return Tool.builder("test_missing_capability")
                .description("Test tool requiring sampling")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> {
                    if (!ctx.clientSupports(ClientFeature.SAMPLING)) {
                        throw new MissingClientCapabilityException(ClientFeature.SAMPLING,
                                "test_missing_capability needs the client capability sampling, which the request did not declare");
                    }
                    return ToolResult.text("Success");
                })
                .build();
    }

    private static Elicitation nameQuestion(String message) {
        return Elicitation.form(message, "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
                + "\"required\":[\"name\"]}");
    }

    private static Elicitation confirmQuestion() {
        return Elicitation.form("Please confirm", "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},"
                + "\"required\":[\"ok\"]}");
    }

    private static String text(ElicitResult answer, String field) {
        String value = answer.string(field);
        return value != null ? value : "unknown";
    }

    /** input-required-result-basic-elicitation and others (2026-07-28): one question, key {@code user_name}. */
    static Tool inputRequiredElicitation() {
        return Tool.builder("test_input_required_result_elicitation")
                .description("MRTR: returns InputRequiredResult with elicitation request")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    ElicitResult answer = ctx.elicit(nameQuestion("What is your name?").key("user_name"));
                    return ToolResult.text("Hello, " + text(answer, "name") + "!");
                })
                .build();
    }

    /** input-required-result-basic-sampling (2026-07-28): one sampling question, key {@code sample_request}. */
    static Tool inputRequiredSampling() {
        return Tool.builder("test_input_required_result_sampling")
                .description("MRTR: returns InputRequiredResult with sampling request")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    SamplingResult answer = ctx.sample(SamplingRequest.builder()
                            .userText("What is the capital of France?").maxTokens(100).build().key("sample_request"));
                    return ToolResult.text("Sampling result: " + (answer.text() != null ? answer.text() : "no response"));
                })
                .build();
    }

    /** input-required-result-basic-list-roots (2026-07-28): asks for roots, key {@code roots_request}. */
    static Tool inputRequiredListRoots() {
        return Tool.builder("test_input_required_result_list_roots")
                .description("MRTR: returns InputRequiredResult with roots/list request")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    @SuppressWarnings("unchecked")
                    List<Root> roots = (List<Root>) ctx.ask(RootsRequest.create().key("roots_request")).get(0);
                    return ToolResult.text("Found " + roots.size() + " root(s)");
                })
                .build();
    }

    /** input-required-result-request-state (2026-07-28): a confirmation carried through {@code requestState}. */
    static Tool inputRequiredRequestState() {
        return Tool.builder("test_input_required_result_request_state")
                .description("MRTR: returns InputRequiredResult with requestState")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    ElicitResult answer = ctx.elicit(confirmQuestion().key("confirm"));
                    return ToolResult.text(Boolean.TRUE.equals(answer.bool("ok"))
                            ? "state-ok: requestState validated" : "state-not-confirmed");
                })
                .build();
    }

    /** input-required-result-multiple-input-requests (2026-07-28): elicitation, sampling and roots in one round. */
    static Tool inputRequiredMultipleInputs() {
        return Tool.builder("test_input_required_result_multiple_inputs")
                .description("MRTR: returns InputRequiredResult with multiple input requests")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    List<Object> answers = ctx.ask(
                            nameQuestion("What is your name?").key("user_name"),
                            SamplingRequest.builder().userText("Generate a greeting").maxTokens(50).build().key("greeting"),
                            RootsRequest.create().key("client_roots"));
                    SamplingResult greeting = (SamplingResult) answers.get(1);
                    return ToolResult.text("Name: " + text((ElicitResult) answers.get(0), "name")
                            + "; Greeting: " + (greeting.text() != null ? greeting.text() : "Hello there!")
                            + "; Roots: " + ((List<?>) answers.get(2)).size());
                })
                .build();
    }

    /** input-required-result-multi-round (2026-07-28): two rounds, {@code step1} then {@code step2}. */
    static Tool inputRequiredMultiRound() {
        return Tool.builder("test_input_required_result_multi_round")
                .description("MRTR: multi-round InputRequiredResult workflow")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    String name = text(ctx.elicit(nameQuestion("Step 1: What is your name?").key("step1")), "name");
                    String color = text(ctx.elicit(Elicitation.form("Step 2: What is your favorite color?",
                            "{\"type\":\"object\",\"properties\":{\"color\":{\"type\":\"string\"}},"
                                    + "\"required\":[\"color\"]}").key("step2")), "color");
                    return ToolResult.text("Multi-round complete for " + name + " who likes " + color);
                })
                .build();
    }

    /**
     * input-required-result-tampered-state (2026-07-28): the server signs {@code requestState}, so a
     * state the client altered must be refused with a JSON-RPC error.
     */
    static Tool inputRequiredTamperedState() {
        return Tool.builder("test_input_required_result_tampered_state")
                .description("MRTR: HMAC-signed requestState integrity test")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    ctx.elicit(confirmQuestion().key("confirm"));
                    return ToolResult.text("integrity-ok: state verified");
                })
                .build();
    }

    /**
     * input-required-result-capability-check (2026-07-28): asks only what the client declared it
     * can answer.
     */
    static Tool inputRequiredCapabilities() {
        return Tool.builder("test_input_required_result_capabilities")
                .description("MRTR: respects client capabilities in inputRequests")
                .inputSchema(NO_ARGUMENTS)
                .handler((args, ctx) -> {
                    List<ClientRequest> questions = new ArrayList<>();
                    List<String> keys = new ArrayList<>();
                    if (ctx.clientSupports(ClientFeature.ELICITATION_FORM)) {
                        questions.add(Elicitation.form("Elicitation input", "{\"type\":\"object\",\"properties\":"
                                + "{\"value\":{\"type\":\"string\"}},\"required\":[\"value\"]}").key("elicit_input"));
                        keys.add("elicit_input");
                    }
                    if (ctx.clientSupports(ClientFeature.SAMPLING)) {
                        questions.add(SamplingRequest.builder().userText("Sample request").maxTokens(50).build()
                                .key("sample_input"));
                        keys.add("sample_input");
                    }
                    if (questions.isEmpty()) {
                        return ToolResult.text("No supported capabilities declared");
                    }
                    ctx.ask(questions.toArray(new ClientRequest[0]));
                    return ToolResult.text("capabilities-ok: received " + String.join(",", keys));
                })
                .build();
    }

    /**
     * server-stateless (2026-07-28): each call adds the tool {@code test_dynamic_tool}, or removes it
     * when present, so listen streams that asked for {@code toolsListChanged} get
     * {@code notifications/tools/list_changed}.
     */
    static Tool triggerToolChange(Peregrine server) {
        return Tool.builder("test_trigger_tool_change")
                .description("Adds or removes the tool test_dynamic_tool, changing the tool list")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> {
                    if (!server.tools().remove(DYNAMIC_TOOL)) {
                        server.tools().add(Tool.builder(DYNAMIC_TOOL)
                                .description("Present every other call of test_trigger_tool_change")
                                .inputSchema(NO_ARGUMENTS)
                                .blocking(false)
                                .handler((a, c) -> ToolResult.text("dynamic"))
                                .build());
                    }
                    return ToolResult.text("Mutation triggered");
                })
                .build();
    }

    /** Like {@link #triggerToolChange}, for the prompt {@code test_dynamic_prompt} and prompt-list listeners. */
    static Tool triggerPromptChange(Peregrine server) {
        return Tool.builder("test_trigger_prompt_change")
                .description("Adds or removes the prompt test_dynamic_prompt, changing the prompt list")
                .inputSchema(NO_ARGUMENTS)
                .blocking(false)
                .handler((args, ctx) -> {
                    if (!server.prompts().remove(DYNAMIC_PROMPT)) {
                        server.prompts().add(Prompt.builder(DYNAMIC_PROMPT)
                                .description("Present every other call of test_trigger_prompt_change")
                                .blocking(false)
                                .handler(a -> PromptResult.text("dynamic"))
                                .build());
                    }
                    return ToolResult.text("Mutation triggered");
                })
                .build();
    }

    /** tasks-*: a tool that never runs as a task. */
    static Tool greet() {
        return Tool.builder("greet")
                .description("Greets name; never runs as a task")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}")
                .blocking(false)
                .handler((args, ctx) -> ToolResult.text("Hello, " + args.string("name", "World") + "!"))
                .build();
    }

    /** tasks-*: sleeps {@code seconds} (0 for the immediate path), then answers; a cancel stops it. */
    static Tool slowCompute() {
        return Tool.builder("slow_compute")
                .description("Sleeps for seconds, then answers; may run as a task")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"seconds\":{\"type\":\"number\",\"minimum\":0},"
                        + "\"label\":{\"type\":\"string\"}}}")
                .taskSupport(TaskSupport.OPTIONAL)
                .timeout(Duration.ofSeconds(120))
                .handler((args, ctx) -> {
                    long millis = Math.round(args.number("seconds", 1) * 1000);
                    Thread.sleep(millis);
                    return ToolResult.text("Computed " + args.string("label", "") + " after " + millis + " ms");
                })
                .build();
    }

    /**
     * tasks-*: runs only as a task and ends with a tool execution error after about a second, so
     * the task completes with {@code isError}; a client without the extension is refused with -32021.
     */
    static Tool failingJob() {
        return Tool.builder("failing_job")
                .description("Always fails with a tool execution error after about a second; only runs as a task")
                .inputSchema(NO_ARGUMENTS)
                .taskSupport(TaskSupport.REQUIRED)
                .handler((args, ctx) -> {
                    Thread.sleep(1000);
                    return ToolResult.error("failing_job failed, as it always does");
                })
                .build();
    }

    /** tasks-*: its result breaks its output schema, which the server turns into a protocol error. */
    static Tool protocolErrorJob() {
        return Tool.builder("protocol_error_job")
                .description("Fails with a protocol error; may run as a task")
                .inputSchema(NO_ARGUMENTS)
                .outputSchema("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler((args, ctx) -> ToolResult.builder().text("not a number").structured(Map.of("n", "x")).build())
                .build();
    }

    /** tasks-mrtr-input: asks once whether to delete {@code filename} (optional), then answers. */
    static Tool confirmDelete() {
        return Tool.builder("confirm_delete")
                .description("Asks the user to confirm deleting a file, then reports; may run as a task")
                .inputSchema("{\"type\":\"object\",\"properties\":{\"filename\":{\"type\":\"string\"}}}")
                .taskSupport(TaskSupport.OPTIONAL)
                .handler((args, ctx) -> {
                    String file = args.string("filename", "the file");
                    ElicitResult answer = ctx.elicit(Elicitation.form("Delete " + file + "?", CONFIRM_SCHEMA));
                    return ToolResult.text(Boolean.TRUE.equals(answer.bool("confirm")) ? "Deleted " + file : "Kept " + file);
                })
                .build();
    }

    /** tasks-mrtr-input: asks two questions at once, so two answers are pending together. */
    static Tool multiInput() {
        return Tool.builder("multi_input")
                .description("Asks two questions at once; may run as a task")
                .inputSchema(NO_ARGUMENTS)
                .taskSupport(TaskSupport.OPTIONAL)
                .handler((args, ctx) -> {
                    String schema = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                            + "\"confirm\":{\"type\":\"boolean\"}}}";
                    List<Object> answers = ctx.ask(Elicitation.form("First question", schema).key("first"),
                            Elicitation.form("Second question", schema).key("second"));
                    return ToolResult.text("first=" + ((ElicitResult) answers.get(0)).string("name")
                            + ", second=" + ((ElicitResult) answers.get(1)).string("name"));
                })
                .build();
    }

    /** tasks-mrtr-composition: asks {@code user_name}, then runs only as a task. */
    static Tool toolWithTask() {
        return Tool.builder("test_tool_with_task")
                .description("Asks for a name, then runs as a task that greets it")
                .inputSchema(NO_ARGUMENTS)
                .taskSupport(TaskSupport.REQUIRED)
                // Its question is settled over input_required rounds before the task exists.
                .startsTaskItself(true)
                .handler((args, ctx) -> {
                    ElicitResult answer = ctx.elicit(nameQuestion("What is your name?").key("user_name"));
                    ctx.continueAsTask();
                    return ToolResult.text("Hello, " + text(answer, "name") + "!");
                })
                .build();
    }
}
