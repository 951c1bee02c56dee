package io.peregrine.demo;

import io.peregrine.Peregrine;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.LineSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standalone server's demo content over a real socket: the served root as fs:/// resources and
 * a template, the prompts over it with path completion, and the long-running countdown tool.
 */
@SuppressWarnings("unchecked")
class DemoContentTest {

    @TempDir
    static Path base;
    private static Peregrine server;
    private static LineSocket socket;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(base.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "alpha\n");
        Files.write(root.resolve("bin.dat"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1});
        Files.createDirectories(root.resolve("sub dir"));
        Files.writeString(root.resolve("sub dir/b.md"), "# bee\n");
        Files.writeString(root.resolve("big.txt"), "x".repeat(3000));
        Files.writeString(base.resolve("secret.txt"), "top secret");
        Files.createSymbolicLink(root.resolve("escape.txt"), base.resolve("secret.txt"));

        FileSystemResources files = FileSystemResources.create(root, 2048, 10);
        Peregrine.Builder b = Peregrine.builder().tcp("127.0.0.1", 0).tool(CountdownTool.create())
                .resourceTemplate(files.template());
        files.resources().forEach(b::resource);
        DemoPrompts.create(files).forEach(b::prompt);
        server = b.build();
        socket = new LineSocket(server.start().tcp());
        socket.initialize("2025-11-25");
    }

    @AfterAll
    static void stop() throws IOException {
        socket.close();
        server.close();
    }

    private static Map<String, Object> call(Object id, String method, String params) throws IOException {
        return socket.call("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    @Test
    void everyFileUnderTheRootIsListedByItsFsUri() throws Exception {
        List<Map<String, Object>> resources = (List<Map<String, Object>>) at(call(1, "resources/list", "{}"), "result.resources");
        assertThat(resources).extracting(r -> r.get("uri"))
                .containsExactly("fs:///a.txt", "fs:///big.txt", "fs:///bin.dat", "fs:///sub%20dir/b.md");
        assertThat(resources.get(0)).containsEntry("name", "a.txt").containsEntry("size", 6L);
        Map<String, Object> templates = call(2, "resources/templates/list", "{}");
        assertThat(at(templates, "result.resourceTemplates.0.uriTemplate")).isEqualTo("fs:///{+path}");
    }

    @Test
    void filesReadAsTextOrBlobAndDirectoriesAsListings() throws Exception {
        assertThat(at(call(1, "resources/read", "{\"uri\":\"fs:///a.txt\"}"), "result.contents.0.text")).isEqualTo("alpha\n");
        assertThat(at(call(2, "resources/read", "{\"uri\":\"fs:///sub%20dir/b.md\"}"), "result.contents.0.text"))
                .isEqualTo("# bee\n");
        assertThat(at(call(3, "resources/read", "{\"uri\":\"fs:///bin.dat\"}"), "result.contents.0.blob")).isEqualTo("//4AAQ==");
        Map<String, Object> dir = call(4, "resources/read", "{\"uri\":\"fs:///sub%20dir\"}");
        assertThat(at(dir, "result.contents.0.mimeType")).isEqualTo("inode/directory");
        assertThat(at(dir, "result.contents.0.text")).isEqualTo("b.md\n");
    }

    @Test
    void pathsOutsideTheRootOrMissingAreNotFound() throws Exception {
        for (String uri : List.of("fs:///nope.txt", "fs:///../secret.txt", "fs:///escape.txt", "fs:////etc/passwd")) {
            Map<String, Object> r = call(1, "resources/read", "{\"uri\":\"" + uri + "\"}");
            assertThat(at(r, "error.code")).as(uri).isEqualTo((long) JsonRpcError.RESOURCE_NOT_FOUND);
            assertThat((String) at(r, "error.message")).as(uri).doesNotContain(base.toString());
        }
        Map<String, Object> big = call(2, "resources/read", "{\"uri\":\"fs:///big.txt\"}");
        assertThat(at(big, "error.code")).isEqualTo((long) JsonRpcError.INTERNAL_ERROR);
        assertThat((String) at(big, "error.message")).contains("over the limit of 2048");
    }

    @Test
    void pathsCompleteOneDirectoryAtATime() throws Exception {
        String ref = "{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"fs:///{+path}\"},\"argument\":{\"name\":\"path\",\"value\":\"%s\"}}";
        assertThat((List<Object>) at(call(1, "completion/complete", String.format(ref, "s")), "result.completion.values"))
                .containsExactly("sub dir/");
        assertThat((List<Object>) at(call(2, "completion/complete", String.format(ref, "sub dir/")), "result.completion.values"))
                .containsExactly("sub dir/b.md");
        assertThat((List<Object>) at(call(3, "completion/complete", String.format(ref, "../")), "result.completion.values"))
                .isEmpty();
        Map<String, Object> prompt = call(4, "completion/complete",
                "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"review_file\"},\"argument\":{\"name\":\"focus\",\"value\":\"se\"}}");
        assertThat((List<Object>) at(prompt, "result.completion.values")).containsExactly("security");
    }

    @Test
    void reviewFileEmbedsTheFileAndCompareFilesLinksThem() throws Exception {
        Map<String, Object> review = call(1, "prompts/get", "{\"name\":\"review_file\",\"arguments\":{\"path\":\"a.txt\"}}");
        assertThat(at(review, "result.messages.1.content.type")).isEqualTo("resource");
        assertThat(at(review, "result.messages.1.content.resource.uri")).isEqualTo("fs:///a.txt");
        assertThat(at(review, "result.messages.1.content.resource.text")).isEqualTo("alpha\n");
        Map<String, Object> compare = call(2, "prompts/get",
                "{\"name\":\"compare_files\",\"arguments\":{\"left\":\"a.txt\",\"right\":\"bin.dat\"}}");
        assertThat(at(compare, "result.messages.1.content.type")).isEqualTo("resource_link");
        assertThat(at(compare, "result.messages.2.content.uri")).isEqualTo("fs:///bin.dat");
        Map<String, Object> missing = call(3, "prompts/get", "{\"name\":\"review_file\",\"arguments\":{\"path\":\"nope\"}}");
        assertThat(at(missing, "error.code")).isEqualTo((long) JsonRpcError.INVALID_PARAMS);
        assertThat((String) at(missing, "error.message")).contains("a file under the served root");
    }

    @Test
    void countdownReportsProgressAndLogsAndStopsWhenCancelled() throws Exception {
        assertThat((Map<?, ?>) call(1, "logging/setLevel", "{\"level\":\"info\"}").get("result")).isEmpty();
        socket.send("{\"jsonrpc\":\"2.0\",\"id\":\"cd\",\"method\":\"tools/call\",\"params\":{\"name\":\"countdown\","
                + "\"arguments\":{\"seconds\":30},\"_meta\":{\"progressToken\":\"t\"}}}");
        Map<String, Object> log = socket.readJson();
        assertThat(log.get("method")).isEqualTo("notifications/message");
        assertThat(at(log, "params.data")).isEqualTo("30 seconds to go");
        Map<String, Object> progress = socket.readJson();
        assertThat(at(progress, "params.progressToken")).isEqualTo("t");
        assertThat(at(progress, "params.total")).isEqualTo(30.0);
        socket.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"cd\"}}");
        Map<String, Object> pong = call("\"p\"", "ping", "{}");
        assertThat(pong.get("id")).isEqualTo("p");
        assertThat(socket.silentFor(1_500)).isTrue();
        assertThat(server.core().callsInFlight()).isZero();
        call(2, "logging/setLevel", "{\"level\":\"emergency\"}");
    }
}
