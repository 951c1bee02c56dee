package io.peregrine.conformance;

import io.peregrine.Peregrine;
import io.peregrine.launcher.Main;
import io.peregrine.rpc.JsonTree;
import io.peregrine.testing.LineSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance profile as {@code ./peregrine --config config/conformance.yaml} starts it, called
 * over a real socket with the requests the conformance suite's tool scenarios send, checking what
 * those scenarios check (and the exact fixture values they were written against).
 */
class ConformanceFixturesTest {

    /** The suite's tool-name rule (tools-name-format). */
    private static final Pattern SUITE_TOOL_NAME = Pattern.compile("[A-Za-z0-9_./-]{1,64}");

    private static Peregrine server;
    private static LineSocket socket;
    private static int nextId = 1;

    @BeforeAll
    static void start() throws Exception {
        String home = new File("..").getCanonicalPath();
        // The profile serves HTTP only; the fixtures are transport-independent, so this test adds TCP.
        server = Main.start(new String[] {"--config", home + "/config/conformance.yaml",
                "--set", "http.port=0", "--set", "tcp.enabled=true", "--set", "tcp.port=0"}, Map.of("PEREGRINE_HOME", home));
        socket = new LineSocket(server.addresses().tcp());
        socket.initialize("2025-11-25");
    }

    @AfterAll
    static void stop() throws IOException {
        socket.close();
        server.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsOnlyTheFixturesEachWithNameDescriptionAndSchema() throws IOException {
        List<Map<String, Object>> tools = (List<Map<String, Object>>) at(request("tools/list", "{}"), "result.tools");
        List<String> expected = new ArrayList<>(ConformanceFixtures.tools().stream().map(t -> t.name()).toList());
        expected.addAll(List.of("test_trigger_tool_change", "test_trigger_prompt_change"));
        assertThat(tools).extracting(t -> t.get("name")).containsExactlyInAnyOrderElementsOf(expected);
        for (Map<String, Object> tool : tools) {
            assertThat((String) tool.get("name")).matches(SUITE_TOOL_NAME);
            assertThat((String) tool.get("description")).as("description of %s", tool.get("name")).isNotBlank();
            assertThat(tool.get("inputSchema")).as("inputSchema of %s", tool.get("name")).isInstanceOf(Map.class);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void keepsEveryJsonSchema202012KeywordInToolsList() throws IOException {
        List<Map<String, Object>> tools = (List<Map<String, Object>>) at(request("tools/list", "{}"), "result.tools");
        Map<String, Object> tool = tools.stream().filter(t -> t.get("name").equals("json_schema_2020_12_tool"))
                .findFirst().orElseThrow();
        assertThat(tool.get("inputSchema")).isEqualTo(JsonTree.parse(ConformanceFixtures.JSON_SCHEMA_2020_12));
        assertThat(at(tool, "inputSchema.$defs.address.$anchor")).isEqualTo("addressDef");
        assertThat(at(tool, "inputSchema.additionalProperties")).isEqualTo(false);
    }

    @Test
    void firstListedToolAnswersEmptyArgumentsWithAResult() throws IOException {
        // http-header-validation calls the first tools/list entry with {} on the 2026-07-28 wire, with
        // the suite's default client capabilities, and needs a result (complete or input_required), not an error.
        String first = (String) at(request("tools/list", "{}"), "result.tools.0.name");
        Map<String, Object> response = request("tools/call", "{\"name\":\"" + first + "\",\"arguments\":{},"
                + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"sampling\":{},\"elicitation\":{},\"roots\":{}}}}");
        assertThat(response).containsKey("result").doesNotContainKey("error");
        assertThat(at(response, "result.isError")).isNull();
    }

    @Test
    void taskFixturesAnswerLikeTheTasksScenariosExpectWithoutTheExtension() throws IOException {
        assertThat(at(call("greet", "{\"name\":\"World\"}"), "result.content.0.text")).isEqualTo("Hello, World!");
        assertThat(at(call("slow_compute", "{\"seconds\":0,\"label\":\"instant\"}"), "result.content.0.text"))
                .isEqualTo("Computed instant after 0 ms");
    }

    @Test
    @SuppressWarnings("unchecked")
    void customHeaderToolAnnotatesAStringParameter() throws IOException {
        List<Map<String, Object>> tools = (List<Map<String, Object>>) at(request("tools/list", "{}"), "result.tools");
        Map<String, Object> tool = tools.stream().filter(t -> t.get("name").equals("test_custom_header"))
                .findFirst().orElseThrow();
        assertThat(at(tool, "inputSchema.properties.region.type")).isEqualTo("string");
        assertThat(at(tool, "inputSchema.properties.region.x-mcp-header")).isEqualTo("Region");
        assertThat(at(call("test_custom_header", "{\"region\":\"Hello\"}"), "result.content.0.text"))
                .isEqualTo("Region: Hello");
    }

    @Test
    void simpleTextWithoutAnArgumentsMember() throws IOException {
        Map<String, Object> r = request("tools/call", "{\"name\":\"test_simple_text\"}");
        assertThat(at(r, "result.content.0.type")).isEqualTo("text");
        assertThat(at(r, "result.content.0.text")).isEqualTo("This is a simple text response for testing.");
    }

    @Test
    void imageIsTheSuitesPng() throws IOException {
        Map<String, Object> r = call("test_image_content", "{}");
        assertThat(at(r, "result.content.0.type")).isEqualTo("image");
        assertThat(at(r, "result.content.0.mimeType")).isEqualTo("image/png");
        assertThat(at(r, "result.content.0.data")).isEqualTo(ConformanceFixtures.IMAGE_PNG_BASE64);
    }

    @Test
    void audioIsWavWithTheSuitesBytes() throws IOException {
        Map<String, Object> r = call("test_audio_content", "{}");
        assertThat(at(r, "result.content.0.type")).isEqualTo("audio");
        assertThat(at(r, "result.content.0.mimeType")).isEqualTo("audio/wav");
        assertThat(at(r, "result.content.0.data")).isEqualTo(ConformanceFixtures.AUDIO_WAV_BASE64);
    }

    @Test
    void embeddedResourceHasUriMimeTypeAndText() throws IOException {
        Map<String, Object> r = call("test_embedded_resource", "{}");
        assertThat(at(r, "result.content.0.type")).isEqualTo("resource");
        assertThat(at(r, "result.content.0.resource.uri")).isEqualTo("test://embedded-resource");
        assertThat(at(r, "result.content.0.resource.mimeType")).isEqualTo("text/plain");
        assertThat(at(r, "result.content.0.resource.text")).isEqualTo("This is an embedded resource content.");
    }

    @Test
    void mixedContentIsTextImageAndResource() throws IOException {
        Map<String, Object> r = call("test_multiple_content_types", "{}");
        assertThat(at(r, "result.content.0.text")).isEqualTo("Multiple content types test:");
        assertThat(at(r, "result.content.1.type")).isEqualTo("image");
        assertThat(at(r, "result.content.1.data")).isEqualTo(ConformanceFixtures.IMAGE_PNG_BASE64);
        assertThat(at(r, "result.content.2.type")).isEqualTo("resource");
        assertThat(at(r, "result.content.2.resource.uri")).isEqualTo("test://mixed-content-resource");
        assertThat(at(r, "result.content.2.resource.mimeType")).isEqualTo("application/json");
        assertThat(at(r, "result.content.2.resource.text")).isEqualTo("{\"test\":\"data\",\"value\":123}");
    }

    @Test
    void errorHandlingIsAToolErrorNotAProtocolError() throws IOException {
        Map<String, Object> r = call("test_error_handling", "{}");
        assertThat(r).doesNotContainKey("error");
        assertThat(at(r, "result.isError")).isEqualTo(true);
        assertThat(at(r, "result.content.0.text")).isEqualTo("This tool intentionally returns an error for testing");
    }

    @Test
    void progressZeroFiftyHundredBeforeTheResult() throws IOException {
        int id = nextId++;
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"test_tool_with_progress\",\"arguments\":{},\"_meta\":{\"progressToken\":\"progress-test-1\"}}}");
        List<Map<String, Object>> progress = new ArrayList<>();
        Map<String, Object> message;
        while (!(message = socket.readJson()).containsKey("id")) {
            if ("notifications/progress".equals(message.get("method"))) {
                progress.add(message);
            }
        }
        assertThat(((Number) message.get("id")).intValue()).isEqualTo(id);
        assertThat(at(message, "result.isError")).isNull();
        assertThat(progress).extracting(m -> at(m, "params.progressToken")).containsOnly("progress-test-1");
        assertThat(progress).extracting(m -> ((Number) at(m, "params.progress")).intValue()).containsExactly(0, 50, 100);
        assertThat(progress).extracting(m -> ((Number) at(m, "params.total")).intValue()).containsOnly(100);
    }

    @Test
    void statelessDiagnosticToolsAnswerWithoutLogging() throws IOException {
        assertThat(at(call("test_logging_tool", "{}"), "result.content.0.text")).isEqualTo("Logging evaluated");
        assertThat(at(call("test_streaming_elicitation", "{}"), "result.content.0.text")).isEqualTo("Streaming complete");
    }

    @Test
    void resourcesReadAsTheScenariosExpect() throws IOException {
        Map<String, Object> text = request("resources/read", "{\"uri\":\"test://static-text\"}");
        assertThat(at(text, "result.contents.0.mimeType")).isEqualTo("text/plain");
        assertThat(at(text, "result.contents.0.text")).isEqualTo("This is the content of the static text resource.");
        Map<String, Object> blob = request("resources/read", "{\"uri\":\"test://static-binary\"}");
        assertThat(at(blob, "result.contents.0.mimeType")).isEqualTo("image/png");
        assertThat(at(blob, "result.contents.0.blob")).isEqualTo(ConformanceFixtures.IMAGE_PNG_BASE64);
        Map<String, Object> template = request("resources/read", "{\"uri\":\"test://template/123/data\"}");
        assertThat(at(template, "result.contents.0.uri")).isEqualTo("test://template/123/data");
        assertThat(at(template, "result.contents.0.text"))
                .isEqualTo("{\"id\":\"123\",\"templateTest\":true,\"data\":\"Data for ID: 123\"}");
        assertThat(request("resources/subscribe", "{\"uri\":\"test://watched-resource\"}")).containsKey("result");
    }

    @Test
    @SuppressWarnings("unchecked")
    void promptsGetAsTheScenariosExpect() throws IOException {
        List<Map<String, Object>> prompts = (List<Map<String, Object>>) at(request("prompts/list", "{}"), "result.prompts");
        assertThat(prompts).allSatisfy(p -> assertThat((String) p.get("description")).isNotBlank());
        Map<String, Object> args = request("prompts/get", "{\"name\":\"test_prompt_with_arguments\","
                + "\"arguments\":{\"arg1\":\"testValue1\",\"arg2\":\"testValue2\"}}");
        assertThat(at(args, "result.messages.0.content.text"))
                .isEqualTo("Prompt with arguments: arg1='testValue1', arg2='testValue2'");
        Map<String, Object> embedded = request("prompts/get", "{\"name\":\"test_prompt_with_embedded_resource\","
                + "\"arguments\":{\"resourceUri\":\"test://example-resource\"}}");
        assertThat(at(embedded, "result.messages.0.content.type")).isEqualTo("resource");
        assertThat(at(embedded, "result.messages.0.content.resource.uri")).isEqualTo("test://example-resource");
        Map<String, Object> image = request("prompts/get", "{\"name\":\"test_prompt_with_image\"}");
        assertThat(at(image, "result.messages.0.content.data")).isEqualTo(ConformanceFixtures.IMAGE_PNG_BASE64);
        Map<String, Object> completion = request("completion/complete", "{\"ref\":{\"type\":\"ref/prompt\","
                + "\"name\":\"test_prompt_with_arguments\"},\"argument\":{\"name\":\"arg1\",\"value\":\"par\"}}");
        assertThat((List<Object>) at(completion, "result.completion.values")).containsExactly("paris", "park", "party");
    }

    @Test
    void loggingToolLogsThreeTimesBeforeItsResult() throws IOException {
        try (LineSocket s = new LineSocket(server.addresses().tcp())) {
            s.initialize("2025-11-25");
            assertThat(s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"debug\"}}"))
                    .containsKey("result");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"test_tool_with_logging\","
                    + "\"arguments\":{}}}");
            List<Object> logged = new ArrayList<>();
            Map<String, Object> message;
            while (!(message = s.readJson()).containsKey("id")) {
                assertThat(message.get("method")).isEqualTo("notifications/message");
                logged.add(at(message, "params.data"));
            }
            assertThat(logged).containsExactly("Tool execution started", "Tool processing data", "Tool execution completed");
        }
    }

    @Test
    void multiRoundToolAsksStep1ThenStep2WithANewState() throws IOException {
        String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";
        Map<String, Object> r1 = request("tools/call", "{\"name\":\"test_input_required_result_multi_round\","
                + "\"arguments\":{}," + meta + "}");
        assertThat(at(r1, "result.resultType")).isEqualTo("input_required");
        assertThat(at(r1, "result.inputRequests.step1.method")).isEqualTo("elicitation/create");
        String state1 = (String) at(r1, "result.requestState");
        Map<String, Object> r2 = request("tools/call", "{\"name\":\"test_input_required_result_multi_round\","
                + "\"arguments\":{},\"inputResponses\":{\"step1\":{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}},"
                + "\"requestState\":" + JsonTree.toJson(state1) + "," + meta + "}");
        assertThat(at(r2, "result.inputRequests.step2.method")).isEqualTo("elicitation/create");
        String state2 = (String) at(r2, "result.requestState");
        assertThat(state2).isNotEqualTo(state1);
        Map<String, Object> r3 = request("tools/call", "{\"name\":\"test_input_required_result_multi_round\","
                + "\"arguments\":{},\"inputResponses\":{\"step2\":{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}},"
                + "\"requestState\":" + JsonTree.toJson(state2) + "," + meta + "}");
        assertThat(at(r3, "result.content.0.text")).isEqualTo("Multi-round complete for Alice who likes blue");
        Map<String, Object> tampered = request("tools/call", "{\"name\":\"test_input_required_result_multi_round\","
                + "\"arguments\":{},\"inputResponses\":{\"step2\":{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}},"
                + "\"requestState\":" + JsonTree.toJson(state2 + "-TAMPERED") + "," + meta + "}");
        assertThat(tampered).containsKey("error");
    }

    @Test
    void missingCapabilityIsRefusedWithMinus32021() throws IOException {
        Map<String, Object> r = request("tools/call", "{\"name\":\"test_missing_capability\",\"arguments\":{},"
                + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}");
        assertThat(((Number) at(r, "error.code")).intValue()).isEqualTo(-32021);
        assertThat(at(r, "error.data.requiredCapabilities.sampling")).isEqualTo(Map.of());
    }

    @Test
    @SuppressWarnings("unchecked")
    void triggersAddAndRemoveADynamicToolAndPrompt() throws IOException {
        assertThat(at(call("test_trigger_tool_change", "{}"), "result.content.0.text")).isEqualTo("Mutation triggered");
        assertThat((List<Map<String, Object>>) at(request("tools/list", "{}"), "result.tools"))
                .extracting(t -> t.get("name")).contains("test_dynamic_tool");
        call("test_trigger_tool_change", "{}");
        assertThat((List<Map<String, Object>>) at(request("tools/list", "{}"), "result.tools"))
                .extracting(t -> t.get("name")).doesNotContain("test_dynamic_tool");
        call("test_trigger_prompt_change", "{}");
        assertThat((List<Map<String, Object>>) at(request("prompts/list", "{}"), "result.prompts"))
                .extracting(p -> p.get("name")).contains("test_dynamic_prompt");
        call("test_trigger_prompt_change", "{}");
        assertThat((List<Map<String, Object>>) at(request("prompts/list", "{}"), "result.prompts"))
                .extracting(p -> p.get("name")).doesNotContain("test_dynamic_prompt");
    }

    private static Map<String, Object> call(String tool, String arguments) throws IOException {
        return request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
    }

    /** Sends a request and returns its response, skipping notifications (the trigger test makes list_changed ones). */
    private static Map<String, Object> request(String method, String params) throws IOException {
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":" + nextId++ + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
        Map<String, Object> message;
        while (!(message = socket.readJson()).containsKey("id")) {
            assertThat((String) message.get("method")).startsWith("notifications/");
        }
        return message;
    }
}
