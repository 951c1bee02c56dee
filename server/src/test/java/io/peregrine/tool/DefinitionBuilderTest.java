package io.peregrine.tool;

import io.peregrine.prompt.Prompt;
import io.peregrine.prompt.PromptResult;
import io.peregrine.resource.Resource;
import io.peregrine.resource.ResourceContents;
import io.peregrine.resource.ResourceTemplate;
import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The setters every definition builder shares ({@link DefinitionBuilder}), run against the four
 * builders: the same values are refused with the same message, and the same fields reach each
 * definition's JSON.
 */
class DefinitionBuilderTest {

    /** A fresh builder of each kind, ready to build once given the shared fields. */
    static Stream<Arguments> builders() {
        return Stream.of(
                Arguments.of("tool", (Supplier<DefinitionBuilder<?>>) () -> Tool.builder("t")
                        .handler((args, ctx) -> ToolResult.text("ok")),
                        (Function<DefinitionBuilder<?>, String>) b -> ((Tool.Builder) b).build().definitionJson()),
                Arguments.of("resource", (Supplier<DefinitionBuilder<?>>) () -> Resource.builder("test://r", "r")
                        .text("ok"),
                        (Function<DefinitionBuilder<?>, String>) b -> ((Resource.Builder) b).build().definitionJson()),
                Arguments.of("resource template", (Supplier<DefinitionBuilder<?>>) () -> ResourceTemplate
                        .builder("test://r/{id}", "r").handler(req -> List.of(ResourceContents.text(req.uri(), null, "ok"))),
                        (Function<DefinitionBuilder<?>, String>) b -> ((ResourceTemplate.Builder) b).build().definitionJson()),
                Arguments.of("prompt", (Supplier<DefinitionBuilder<?>>) () -> Prompt.builder("p")
                        .handler(args -> PromptResult.text("ok")),
                        (Function<DefinitionBuilder<?>, String>) b -> ((Prompt.Builder) b).build().definitionJson()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builders")
    void sharedFieldsReachTheDefinition(String kind, Supplier<DefinitionBuilder<?>> builder,
                                        Function<DefinitionBuilder<?>, String> build) throws Exception {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("owner", "team-a");
        meta.put("tags", List.of("x", 1L));
        DefinitionBuilder<?> b = builder.get()
                .title("A title")
                .description("What it does")
                .icon(Icon.of("https://example.com/a.png", "image/png", List.of("48x48"), "dark"))
                .icon(Icon.of("data:image/svg+xml;base64,PHN2Zy8+"))
                .meta(meta);
        meta.put("added", "after");
        Object definition = JsonTree.parse(build.apply(b));

        assertThat(at(definition, "title")).isEqualTo("A title");
        assertThat(at(definition, "description")).isEqualTo("What it does");
        assertThat(at(definition, "icons")).isEqualTo(List.of(
                Map.of("src", "https://example.com/a.png", "mimeType", "image/png", "sizes", List.of("48x48"), "theme", "dark"),
                Map.of("src", "data:image/svg+xml;base64,PHN2Zy8+")));
        assertThat(at(definition, "_meta")).as("copied when set").isEqualTo(Map.of("owner", "team-a", "tags", List.of("x", 1L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builders")
    void unsetSharedFieldsAreLeftOut(String kind, Supplier<DefinitionBuilder<?>> builder,
                                     Function<DefinitionBuilder<?>, String> build) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> definition = (Map<String, Object>) JsonTree.parse(build.apply(builder.get()));
        assertThat(definition).doesNotContainKeys("title", "description", "icons", "_meta");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builders")
    void sharedSettersRefuseBadValuesNamingThem(String kind, Supplier<DefinitionBuilder<?>> builder) {
        assertThatThrownBy(() -> builder.get().title(null)).isInstanceOf(NullPointerException.class).hasMessage("title");
        assertThatThrownBy(() -> builder.get().title("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("title : \"\" (expected: a non-empty string)");
        assertThatThrownBy(() -> builder.get().description(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("description");
        assertThatThrownBy(() -> builder.get().icon(null)).isInstanceOf(NullPointerException.class).hasMessage("icon");
        assertThatThrownBy(() -> builder.get().meta(null)).isInstanceOf(NullPointerException.class).hasMessage("meta");
        assertThatThrownBy(() -> builder.get().meta(Map.of("when", new Date(0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("meta : not a JSON tree value: java.util.Date "
                        + "(expected: a tree of Map, List, String, Number, Boolean and null)");
    }

    @Test
    void blockingDefaultsToTrueExceptForPrompts() {
        assertThat(Tool.builder("t").handler((args, ctx) -> ToolResult.text("ok")).build().isBlocking()).isTrue();
        assertThat(Resource.builder("test://r", "r").handler(req -> List.of()).build().isBlocking()).isTrue();
        assertThat(ResourceTemplate.builder("test://r/{id}", "r").handler(req -> List.of()).build().isBlocking()).isTrue();
        assertThat(Prompt.builder("p").handler(args -> PromptResult.text("ok")).build().isBlocking()).isFalse();
        assertThat(Resource.builder("test://r", "r").text("fixed").build().isBlocking())
                .as("a fixed text needs no thread").isFalse();
    }

    @Test
    void buildersNameWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> Tool.builder("t").build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("tool \"t\" has no handler (expected: handler(...) or asyncHandler(...))");
        assertThatThrownBy(() -> Tool.builder("no spaces")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name : \"no spaces\" (expected: 1 to 128 characters of A-Z a-z 0-9 _ - .)");
        assertThatThrownBy(() -> Tool.builder("t").inputSchema("{\"type\":\"string\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputSchema : {\"type\":\"string\"} (expected: \"type\": \"object\" at the root)");
        assertThatThrownBy(() -> Tool.builder("t").inputSchema("{\"type\":"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("inputSchema : not a single JSON value").hasMessageEndingWith("(expected: a JSON Schema object)");
        assertThatThrownBy(() -> Resource.builder("readme.md", "r")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uri : \"readme.md\" (expected: an absolute URI with a scheme, e.g. file:///a.txt)");
        assertThatThrownBy(() -> Resource.builder("test://r", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name : \"\" (expected: a non-empty string)");
        assertThatThrownBy(() -> Resource.builder("test://r", "r").build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("resource \"test://r\" has no handler (expected: handler(...) or text(...))");
        assertThatThrownBy(() -> Resource.builder("test://r", "r").size(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size : -1 (expected: >= 0)");
        assertThatThrownBy(() -> ResourceTemplate.builder("test://fixed", "r")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("uriTemplate : \"test://fixed\" (expected: at least one {variable}; a fixed URI is a Resource)");
        assertThatThrownBy(() -> ResourceTemplate.builder("test://r/{id}", "r").completion("other", (v, c) -> null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("variable : \"other\" (expected: one of [id])");
        assertThatThrownBy(() -> Prompt.builder("p").build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("prompt \"p\" has no handler (expected: handler(...) or askingHandler(...))");
    }

    @Test
    void resourceFieldsComeInTheirOrderWithSizeAndMimeType() {
        String json = Resource.builder("test://r", "r").size(12).mimeType("text/plain").title("T")
                .annotations(Content.Annotations.of(List.of("user"), 0.5, null)).text("hello").build().definitionJson();
        assertThat(json).isEqualTo("{\"uri\":\"test://r\",\"size\":12,\"name\":\"r\",\"title\":\"T\","
                + "\"mimeType\":\"text/plain\",\"annotations\":{\"audience\":[\"user\"],\"priority\":0.5}}");
    }

    @Test
    void toolSchemasAreReadBackAsCompactJson() {
        Tool tool = Tool.builder("t").inputSchema("{ \"type\" : \"object\" }").outputSchema("{\"type\":\"object\"}")
                .handler((args, ctx) -> ToolResult.text("ok")).build();
        assertThat(tool.inputSchemaJson()).isEqualTo("{\"type\":\"object\"}");
        assertThat(tool.outputSchemaJson()).isEqualTo("{\"type\":\"object\"}");
        assertThat(Tool.builder("u").handler((args, ctx) -> ToolResult.text("ok")).build().outputSchemaJson()).isNull();
    }
}
