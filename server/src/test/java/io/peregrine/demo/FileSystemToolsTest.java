package io.peregrine.demo;

import io.peregrine.Peregrine;
import io.peregrine.testing.LineSocket;
import io.peregrine.tool.ToolContext;
import io.peregrine.tool.ToolException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fs.* tools served by a real server and called over a real socket, on a directory tree with
 * hostile paths in it: links out of the root, a non-UTF-8 file, a file over the read limit.
 */
class FileSystemToolsTest {

    private static final int MAX_READ_BYTES = 1024;
    private static final int MAX_RESULTS = 3;

    @TempDir
    static Path base;
    private static Path root;
    private static Peregrine server;
    private static LineSocket socket;
    private static int nextId = 2;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(base.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "alpha\nneedle here\n");
        Files.writeString(root.resolve("big.txt"), "x".repeat(5000));
        Files.write(root.resolve("bin.dat"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1});
        Files.writeString(root.resolve("utf8.txt"), "é".repeat(10));
        Files.createDirectories(root.resolve("empty"));
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("sub/b.java"), "class B {}");
        Files.writeString(root.resolve("sub/deeper/c.java"), "class C { String s = \"needle\"; }");
        Files.writeString(root.resolve("sub/deeper/huge.java"), "// needle\n" + "/".repeat(2000));
        Files.createDirectories(root.resolve("many"));
        for (int i = 1; i <= 5; i++) {
            Files.writeString(root.resolve("many/f" + i + ".txt"), "file " + i);
        }

        Files.writeString(base.resolve("secret.txt"), "top secret");
        Files.createDirectories(base.resolve("outside"));
        Files.writeString(base.resolve("outside/leak.java"), "needle: top secret");
        Files.createDirectories(root.resolve("links"));
        Files.createSymbolicLink(root.resolve("links/escape.txt"), base.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("links/inside.txt"), Path.of("../a.txt"));
        Files.createSymbolicLink(root.resolve("links/outside-dir"), base.resolve("outside"));

        server = Peregrine.builder().tcp("127.0.0.1", 0).build();
        FileSystemTools.create(root, MAX_READ_BYTES, MAX_RESULTS).forEach(server.tools()::add);
        socket = new LineSocket(server.start().tcp());
        Map<String, Object> init = socket.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
        assertThat(at(init, "result.protocolVersion")).isEqualTo("2025-11-25");
        socket.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @AfterAll
    static void stop() throws IOException {
        socket.close();
        server.close();
    }

    // ------------------------------------------------------------------ definitions

    @Test
    void advertisesFourReadOnlyToolsWithClosedSchemas() throws IOException {
        Map<String, Object> r = socket.call("{\"jsonrpc\":\"2.0\",\"id\":" + (nextId++) + ",\"method\":\"tools/list\"}");
        List<?> tools = (List<?>) at(r, "result.tools");
        assertThat(tools).extracting(t -> at(t, "name")).containsExactly("fs.list", "fs.read", "fs.search", "fs.stat");
        for (Object tool : tools) {
            assertThat(at(tool, "inputSchema.additionalProperties")).as("%s", tool).isEqualTo(false);
            assertThat(at(tool, "annotations.readOnlyHint")).isEqualTo(true);
            assertThat(at(tool, "annotations.openWorldHint")).isEqualTo(false);
        }
        assertThat(list(at(tools.get(1), "inputSchema.required"))).containsExactly("path");
        assertThat(list(at(tools.get(2), "inputSchema.required"))).containsExactly("pattern");
        assertThat(list(at(tools.get(3), "inputSchema.required"))).containsExactly("path");
        assertThat(at(tools.get(0), "outputSchema.required")).isEqualTo(List.of("entries", "truncated"));
        assertThat(at(tools.get(3), "outputSchema.properties.lastModified.type")).isEqualTo("string");
    }

    // ------------------------------------------------------------------ fs.list

    @Test
    void listSortsByNameAndTruncatesAtMaxResults() throws IOException {
        Map<String, Object> r = call("fs.list", "{}");
        assertThat(at(r, "result.isError")).isNull();
        assertThat(names(r)).containsExactly("a.txt", "big.txt", "bin.dat");
        assertThat(at(r, "result.structuredContent.truncated")).isEqualTo(true);
        assertThat(at(r, "result.structuredContent.entries.0.type")).isEqualTo("file");
        assertThat(at(r, "result.structuredContent.entries.0.size")).isEqualTo(18L);
        assertThat(text(r)).contains("a.txt").contains("18 B").contains("truncated at 3 entries");
    }

    @Test
    void listReportsLinksWithoutFollowingThem() throws IOException {
        // exactly maxResults entries: complete, so not truncated; the link to a directory is not entered
        Map<String, Object> r = call("fs.list", "{\"path\":\"links\",\"recursive\":true}");
        assertThat(names(r)).containsExactly("escape.txt", "inside.txt", "outside-dir");
        assertThat((List<?>) at(r, "result.structuredContent.entries"))
                .extracting(e -> at(e, "type")).containsOnly("symlink");
        assertThat(at(r, "result.structuredContent.truncated")).isEqualTo(false);
        assertThat(text(r)).doesNotContain("leak.java").doesNotContain(base.toString());
    }

    @Test
    void listRecursesDepthFirstInNameOrder() throws IOException {
        Map<String, Object> r = call("fs.list", "{\"path\":\"sub\",\"recursive\":true}");
        assertThat(names(r)).containsExactly("b.java", "deeper", "deeper/c.java");
        assertThat(at(r, "result.structuredContent.entries.1.type")).isEqualTo("directory");
        assertThat(at(r, "result.structuredContent.entries.1.size")).isEqualTo(0L);
        assertThat(at(r, "result.structuredContent.truncated")).isEqualTo(true);

        Map<String, Object> flat = call("fs.list", "{\"path\":\"sub/./deeper\"}");
        assertThat(names(flat)).containsExactly("c.java", "huge.java");
        assertThat(at(flat, "result.structuredContent.truncated")).isEqualTo(false);
    }

    @Test
    void listOfAnEmptyDirectory() throws IOException {
        Map<String, Object> r = call("fs.list", "{\"path\":\"empty\"}");
        assertThat(names(r)).isEmpty();
        assertThat(text(r)).isEqualTo("empty is empty.\n");
    }

    // ------------------------------------------------------------------ fs.read

    @Test
    void readsWholeFilesAndLinksInsideTheRoot() throws IOException {
        Map<String, Object> r = call("fs.read", "{\"path\":\"a.txt\"}");
        assertThat(text(r)).isEqualTo("alpha\nneedle here\n");
        assertThat((List<?>) at(r, "result.content")).hasSize(1);
        assertThat(text(call("fs.read", "{\"path\":\"links/inside.txt\"}"))).startsWith("alpha");
        assertThat(text(call("fs.read", "{\"path\":\"sub/../a.txt\"}"))).startsWith("alpha");
    }

    @Test
    void readsPagesAndSaysWhereToContinue() throws IOException {
        Map<String, Object> window = call("fs.read", "{\"path\":\"a.txt\",\"offset\":6,\"length\":6}");
        assertThat(text(window)).isEqualTo("needle");
        assertThat(at(window, "result.content.1.text")).isEqualTo("[bytes 6 to 11 of the 18 in a.txt; continue with offset 12]");

        Map<String, Object> first = call("fs.read", "{\"path\":\"big.txt\",\"length\":1024}");
        assertThat(text(first)).hasSize(1024);
        assertThat((String) at(first, "result.content.1.text")).contains("continue with offset 1024");

        Map<String, Object> last = call("fs.read", "{\"path\":\"big.txt\",\"offset\":4096}");
        assertThat(text(last)).hasSize(904);
        assertThat((String) at(last, "result.content.1.text")).contains("bytes 4096 to 4999").contains("end of file");
    }

    @Test
    void pagesNeverSplitACharacter() throws IOException {
        // "é" is two bytes: a five-byte page holds two of them, and the next page starts at byte 4
        Map<String, Object> r = call("fs.read", "{\"path\":\"utf8.txt\",\"length\":5}");
        assertThat(text(r)).isEqualTo("éé");
        assertThat((String) at(r, "result.content.1.text")).contains("continue with offset 4");

        Map<String, Object> odd = call("fs.read", "{\"path\":\"utf8.txt\",\"offset\":1,\"length\":4}");
        assertThat(text(odd)).isEqualTo("é");
        assertThat((String) at(odd, "result.content.1.text")).contains("bytes 2 to 3");
    }

    @Test
    void nonUtf8FilesComeBackAsBlobsNamedRelativeToTheRoot() throws IOException {
        Map<String, Object> r = call("fs.read", "{\"path\":\"bin.dat\"}");
        assertThat(at(r, "result.content.0.type")).isEqualTo("resource");
        assertThat(at(r, "result.content.0.resource.blob")).isEqualTo("//4AAQ==");
        assertThat(at(r, "result.content.0.resource.uri")).isEqualTo("fs:///bin.dat");
        assertThat(at(r, "result.content.0.resource.mimeType")).isNotNull();
    }

    // ------------------------------------------------------------------ fs.search

    @Test
    void searchesByGlobAndByName() throws IOException {
        List<String> all = List.of("sub/b.java", "sub/deeper/c.java", "sub/deeper/huge.java");
        assertThat(matches(call("fs.search", "{\"pattern\":\"**/*.java\"}"))).isEqualTo(all);
        assertThat(matches(call("fs.search", "{\"pattern\":\"*.java\"}"))).isEqualTo(all);
        assertThat(matches(call("fs.search", "{\"pattern\":\"**/*.java\",\"path\":\"sub/deeper\"}")))
                .containsExactly("c.java", "huge.java");
        Map<String, Object> byName = call("fs.search", "{\"pattern\":\"b.j\"}");
        assertThat(matches(byName)).containsExactly("sub/b.java");
        assertThat(text(byName)).isEqualTo("sub/b.java\n");
    }

    @Test
    void searchForTextSkipsFilesOverTheReadLimit() throws IOException {
        Map<String, Object> r = call("fs.search", "{\"pattern\":\"*\",\"contains\":\"needle\"}");
        assertThat(matches(r)).containsExactly("a.txt", "sub/deeper/c.java");
        // big.txt and huge.java are over 1024 bytes
        assertThat(at(r, "result.structuredContent.skippedLargeFiles")).isEqualTo(2L);
        assertThat(text(r)).contains("2 files over 1024 bytes not searched");
    }

    @Test
    void searchStopsAtMaxResults() throws IOException {
        Map<String, Object> r = call("fs.search", "{\"pattern\":\"*.txt\",\"path\":\"many\"}");
        assertThat(matches(r)).containsExactly("f1.txt", "f2.txt", "f3.txt");
        assertThat(at(r, "result.structuredContent.truncated")).isEqualTo(true);
        assertThat(text(r)).contains("stopped at 3 matches");
    }

    @Test
    void searchNeverLooksThroughLinks() throws IOException {
        Map<String, Object> byName = call("fs.search", "{\"pattern\":\"leak\"}");
        assertThat(matches(byName)).isEmpty();
        assertThat(text(byName)).startsWith("No files under . match");
        assertThat(matches(call("fs.search", "{\"pattern\":\"*\",\"contains\":\"top secret\"}"))).isEmpty();
        assertThat(matches(call("fs.search", "{\"pattern\":\"*.txt\",\"path\":\"links\"}"))).isEmpty();
    }

    @Test
    void aCancelledWalkStops() {
        CancellingContext context = new CancellingContext(2);
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> new TreeWalker(true, context).walk(root.toRealPath(), (name, p, a) -> seen.add(name)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("cancelled");
        assertThat(seen).hasSize(2);
    }

    // ------------------------------------------------------------------ fs.stat

    @Test
    void statDescribesFilesAndDirectories() throws IOException {
        Map<String, Object> r = call("fs.stat", "{\"path\":\"sub/b.java\"}");
        assertThat(at(r, "result.structuredContent.path")).isEqualTo("sub/b.java");
        assertThat(at(r, "result.structuredContent.type")).isEqualTo("file");
        assertThat(at(r, "result.structuredContent.size")).isEqualTo(10L);
        assertThat(at(r, "result.structuredContent.readable")).isEqualTo(true);
        assertThat(Instant.parse((String) at(r, "result.structuredContent.lastModified")))
                .isEqualTo(Files.getLastModifiedTime(root.resolve("sub/b.java")).toInstant());
        assertThat(text(r)).contains("\"type\":\"file\"");

        assertThat(at(call("fs.stat", "{\"path\":\".\"}"), "result.structuredContent.type")).isEqualTo("directory");
        assertThat(at(call("fs.stat", "{\"path\":\"links/inside.txt\"}"), "result.structuredContent.path"))
                .isEqualTo("a.txt");
    }

    // ------------------------------------------------------------------ refusals

    static Stream<Arguments> refusals() {
        String absolute = base.resolve("secret.txt").toString();
        return Stream.of(
                Arguments.of("fs.read", "{\"path\":\"../secret.txt\"}", "path escapes the configured root: ../secret.txt"),
                Arguments.of("fs.read", "{\"path\":\"sub/../../secret.txt\"}", "path escapes the configured root"),
                Arguments.of("fs.read", "{\"path\":\"" + absolute + "\"}", "is absolute"),
                Arguments.of("fs.stat", "{\"path\":\"/etc/passwd\"}", "path escapes the configured root: /etc/passwd"),
                Arguments.of("fs.read", "{\"path\":\"links/escape.txt\"}", "escapes the configured root through a symbolic link"),
                Arguments.of("fs.stat", "{\"path\":\"links/escape.txt\"}", "through a symbolic link: links/escape.txt"),
                Arguments.of("fs.read", "{\"path\":\"links/outside-dir/leak.java\"}", "through a symbolic link"),
                Arguments.of("fs.list", "{\"path\":\"links/outside-dir\"}", "through a symbolic link"),
                Arguments.of("fs.list", "{\"path\":\"..\"}", "path escapes the configured root"),
                Arguments.of("fs.search", "{\"pattern\":\"*\",\"path\":\"links/outside-dir\"}", "through a symbolic link"),
                Arguments.of("fs.read", "{\"path\":\"nope.txt\"}", "no such file: nope.txt"),
                Arguments.of("fs.stat", "{\"path\":\"sub/nope\"}", "no such file: sub/nope"),
                Arguments.of("fs.read", "{\"path\":\"a.txt/x\"}", "no such file: a.txt/x"),
                Arguments.of("fs.read", "{\"path\":\"sub\"}", "not a regular file: sub"),
                Arguments.of("fs.list", "{\"path\":\"a.txt\"}", "not a directory: a.txt"),
                Arguments.of("fs.read", "{\"path\":\"big.txt\"}",
                        "big.txt has 5000 bytes, over the limit of 1024 bytes per call; read it in pages"),
                Arguments.of("fs.read", "{\"path\":\"big.txt\",\"length\":4096}", "length 4096 is over the limit of 1024"),
                Arguments.of("fs.read", "{\"path\":\"a.txt\",\"offset\":19}", "offset 19 is past the end of a.txt"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusalsAreErrorResultsNamingThePath(String tool, String args, String message) throws IOException {
        Map<String, Object> r = call(tool, args);
        assertThat(at(r, "result.isError")).isEqualTo(true);
        assertThat(text(r)).contains(message);
        assertThat(text(r)).doesNotContain("top secret").doesNotContain(root.toString());
    }

    @Test
    void argumentsAreValidated() throws IOException {
        Map<String, Object> extra = call("fs.read", "{\"path\":\"a.txt\",\"mode\":\"w\"}");
        assertThat(at(extra, "result.isError")).isEqualTo(true);
        assertThat(text(extra)).contains("Invalid arguments for tool fs.read");
        assertThat(text(call("fs.search", "{}"))).contains("Invalid arguments for tool fs.search");
        assertThat(text(call("fs.read", "{\"path\":\"a.txt\",\"length\":0}"))).contains("Invalid arguments");
        assertThat(text(call("fs.search", "{\"pattern\":\"[a\"}"))).contains("expected: a valid glob");
    }

    @Test
    void createChecksItsArguments() {
        assertThatThrownBy(() -> FileSystemTools.create(root, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxReadBytes : 0 (expected: > 0)");
        assertThatThrownBy(() -> FileSystemTools.create(root, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxResults : 0 (expected: > 0)");
        assertThatThrownBy(() -> FileSystemTools.create(root.resolve("a.txt"), 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(expected: a directory)");
        assertThatThrownBy(() -> FileSystemTools.create(root.resolve("missing"), 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(expected: an existing directory)");
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> call(String tool, String argsJson) throws IOException {
        String request = "{\"jsonrpc\":\"2.0\",\"id\":" + (nextId++) + ",\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"" + tool + "\",\"arguments\":" + argsJson + "}}";
        return socket.call(request);
    }

    private static String text(Map<String, Object> response) {
        return (String) at(response, "result.content.0.text");
    }

    private static List<Object> names(Map<String, Object> response) {
        List<Object> names = new ArrayList<>();
        for (Object entry : (List<?>) at(response, "result.structuredContent.entries")) {
            names.add(at(entry, "name"));
        }
        return names;
    }

    private static List<Object> matches(Map<String, Object> response) {
        return list(at(response, "result.structuredContent.matches"));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object tree) {
        return (List<Object>) tree;
    }

    /** A call context that reports cancellation once it has been asked {@code after} times. */
    private static final class CancellingContext implements ToolContext {
        private final int after;
        private int asked;

        CancellingContext(int after) {
            this.after = after;
        }

        @Override
        public boolean isCancelled() {
            return asked++ >= after;
        }

        @Override
        public String requestId() {
            return "1";
        }

        @Override
        public String protocolVersion() {
            return "2025-11-25";
        }

        @Override
        public Map<String, Object> clientInfo() {
            return Map.of();
        }

        @Override
        public void progress(double progress, Double total, String message) {
        }
    }
}
