package io.peregrine.demo;

import io.peregrine.Peregrine;
import io.peregrine.testing.LineSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/** The fs.* demo tools over a real socket, on a real directory tree with hostile paths in it. */
class FileSystemToolsTest {

    @TempDir
    static Path base;
    private static Peregrine server;
    private static LineSocket socket;
    private static int nextId = 1;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(base.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "alpha\nneedle here\n");
        Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(root.resolve("sub/b.java"), "class B {}");
        Files.writeString(root.resolve("sub/deeper/c.java"), "class C { String s = \"needle\"; }");
        Files.write(root.resolve("bin.dat"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1});
        Files.writeString(root.resolve("big.txt"), "x".repeat(5000));
        Files.writeString(base.resolve("secret.txt"), "top secret");
        Files.createSymbolicLink(root.resolve("escape.txt"), base.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("inside.txt"), root.resolve("a.txt"));
        server = Peregrine.builder().tcp("127.0.0.1", 0).build();
        FileSystemTools.create(root, 1024, 3).forEach(server.tools()::add);
        socket = new LineSocket(server.start().tcp());
        socket.initialize("2025-11-25");
    }

    @AfterAll
    static void stop() throws IOException {
        socket.close();
        server.close();
    }

    private static Map<String, Object> call(String tool, String argsJson) throws IOException {
        return socket.call("{\"jsonrpc\":\"2.0\",\"id\":" + (nextId++) + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
                + tool + "\",\"arguments\":" + argsJson + "}}");
    }

    private static String text(Map<String, Object> r) {
        return (String) at(r, "result.content.0.text");
    }

    @Test
    void readsTextAndFollowsLinksInsideTheRoot() throws IOException {
        assertThat(text(call("fs.read", "{\"path\":\"a.txt\"}"))).isEqualTo("alpha\nneedle here\n");
        assertThat(text(call("fs.read", "{\"path\":\"inside.txt\"}"))).startsWith("alpha");
        assertThat(text(call("fs.read", "{\"path\":\"a.txt\",\"offset\":6,\"length\":6}"))).isEqualTo("needle");
    }

    @Test
    void binaryFilesComeBackAsBlobs() throws IOException {
        Map<String, Object> r = call("fs.read", "{\"path\":\"bin.dat\"}");
        assertThat(at(r, "result.content.0.type")).isEqualTo("resource");
        assertThat(at(r, "result.content.0.resource.blob")).isEqualTo("//4AAQ==");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "fs.read | {\"path\":\"../secret.txt\"} | path escapes the configured root",
            "fs.read | {\"path\":\"sub/../../secret.txt\"} | path escapes the configured root",
            "fs.read | {\"path\":\"/etc/passwd\"} | absolute paths are not accepted",
            "fs.read | {\"path\":\"escape.txt\"} | through a symbolic link",
            "fs.stat | {\"path\":\"escape.txt\"} | through a symbolic link",
            "fs.list | {\"path\":\"..\"} | path escapes the configured root",
            "fs.read | {\"path\":\"nope.txt\"} | no such file: nope.txt",
            "fs.read | {\"path\":\"sub\"} | not a regular file",
            "fs.read | {\"path\":\"big.txt\"} | over the limit of 1024",
            "fs.read | {\"path\":\"big.txt\",\"length\":4096} | over the limit of 1024",
    })
    void refusalsAreErrorResultsNamingThePath(String tool, String args, String message) throws IOException {
        Map<String, Object> r = call(tool, args);
        assertThat(at(r, "result.isError")).isEqualTo(true);
        assertThat(text(r)).contains(message);
        assertThat(text(r)).doesNotContain("top secret");
    }

    @Test
    void listReportsTypesAndTruncates() throws IOException {
        Map<String, Object> r = call("fs.list", "{}");
        assertThat(at(r, "result.structuredContent.truncated")).isEqualTo(true);
        List<?> entries = (List<?>) at(r, "result.structuredContent.entries");
        assertThat(entries).hasSize(3);
        assertThat(at(entries.get(0), "name")).isEqualTo("a.txt");
        Map<String, Object> sub = call("fs.list", "{\"path\":\"sub\",\"recursive\":true}");
        assertThat(text(sub)).contains("file").contains("deeper/c.java").contains("directory");
        Map<String, Object> all = call("fs.list", "{\"path\":\"sub/deeper\"}");
        assertThat(at(all, "result.structuredContent.entries.0.type")).isEqualTo("file");
    }

    @Test
    void searchByGlobNameAndContent() throws IOException {
        assertThat(text(call("fs.search", "{\"pattern\":\"**/*.java\"}"))).isEqualTo("sub/b.java\nsub/deeper/c.java\n");
        assertThat(text(call("fs.search", "{\"pattern\":\".java\",\"contains\":\"needle\"}"))).isEqualTo("sub/deeper/c.java\n");
        assertThat(text(call("fs.search", "{\"pattern\":\"*\",\"path\":\"sub\",\"contains\":\"needle\"}"))).isEqualTo("no matches\n");
        assertThat(text(call("fs.search", "{\"pattern\":\"secret\"}"))).isEqualTo("no matches\n");
    }

    @Test
    void statDescribesAFile() throws IOException {
        Map<String, Object> r = call("fs.stat", "{\"path\":\"sub/b.java\"}");
        assertThat(at(r, "result.structuredContent.type")).isEqualTo("file");
        assertThat(at(r, "result.structuredContent.size")).isEqualTo(10L);
        assertThat(at(r, "result.structuredContent.path")).isEqualTo("sub/b.java");
    }

    @Test
    void argumentsAreValidated() throws IOException {
        Map<String, Object> r = call("fs.read", "{\"path\":\"a.txt\",\"mode\":\"w\"}");
        assertThat(at(r, "result.isError")).isEqualTo(true);
        assertThat(text(r)).contains("Invalid arguments for tool fs.read");
    }
}
