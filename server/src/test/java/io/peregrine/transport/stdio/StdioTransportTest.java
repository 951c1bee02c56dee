package io.peregrine.transport.stdio;

import io.peregrine.rpc.JsonTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code peregrine --stdio} as a desktop client runs it: a child process spoken to over its standard streams. */
class StdioTransportTest {

    private Process process;
    private OutputStream stdin;
    private BufferedReader stdout;

    @BeforeEach
    void launch() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.peregrine.launcher.Main");
        command.add("--stdio");
        command.add("--set");
        command.add("demo.fs.root=.");
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        stdin = process.getOutputStream();
        stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        process.destroyForcibly();
    }

    private void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> read() throws IOException {
        String line = stdout.readLine();
        assertThat(line).as("a line on stdout").isNotNull();
        return (Map<String, Object>) JsonTree.parse(line);
    }

    @Test
    void speaksBothErasOnStdoutAndNothingElse() throws Exception {
        send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"desktop\",\"version\":\"1\"}}}");
        assertThat(at(read(), "result.protocolVersion")).isEqualTo("2025-06-18");
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"over stdio\"}}}");
        assertThat(at(read(), "result.content.0.text")).isEqualTo("over stdio");
        send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"fs.stat\",\"arguments\":{\"path\":\"pom.xml\"}}}");
        assertThat(at(read(), "result.structuredContent.type")).isEqualTo("file");
        send("not json");
        assertThat(at(read(), "error.code")).isEqualTo(-32700L);
        send("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"server/discover\",\"params\":{\"_meta\":"
                + "{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}");
        assertThat(at(read(), "result.resultType")).isEqualTo("complete");
        stdin.close();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exits when stdin closes").isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(stdout.readLine()).as("nothing but responses on stdout").isNull();
    }
}
