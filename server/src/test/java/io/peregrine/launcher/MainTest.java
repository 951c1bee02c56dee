package io.peregrine.launcher;

import io.peregrine.Peregrine;
import io.peregrine.config.ConfigException;
import io.peregrine.testing.LineSocket;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MainTest {

    @Test
    @SuppressWarnings("unchecked")
    void startsWithTheShippedConfigurationAndTheDemoTools() throws Exception {
        String home = new java.io.File("..").getCanonicalPath();
        try (Peregrine server = Main.start(new String[] {"--set", "tcp.port=0", "--set", "http.port=0", "--set=demo.fs.root=.",
                        "--set", "shutdown.ready-delay=0"},
                Map.of("PEREGRINE_HOME", home, "PEREGRINE_SERVER_NAME", "from-env"))) {
            assertThat(server.addresses().http().getPort()).isPositive();
            try (LineSocket s = new LineSocket(server.addresses().tcp())) {
                Map<String, Object> init = s.initialize("2025-11-25");
                assertThat(at(init, "serverInfo.name")).isEqualTo("from-env");
                Map<String, Object> list = s.call("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
                List<Map<String, Object>> tools = (List<Map<String, Object>>) at(list, "result.tools");
                assertThat(tools).extracting(t -> t.get("name"))
                        .containsExactly("ask_model", "ask_user", "countdown", "echo", "fs.list", "fs.read", "fs.search", "fs.stat");
                assertThat(at(init, "capabilities.resources.subscribe")).isEqualTo(true);
                Map<String, Object> pom = s.call("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\","
                        + "\"params\":{\"uri\":\"fs:///pom.xml\"}}");
                assertThat((String) at(pom, "result.contents.0.text")).contains("<artifactId>peregrine-server</artifactId>");
                Map<String, Object> prompts = s.call("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/list\"}");
                assertThat((List<Map<String, Object>>) at(prompts, "result.prompts")).extracting(p -> p.get("name"))
                        .containsExactly("compare_files", "review_file");
                Map<String, Object> stat = s.call("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"fs.stat\",\"arguments\":{\"path\":\"pom.xml\"}}}");
                assertThat(at(stat, "result.structuredContent.type")).isEqualTo("file");
            }
        }
    }

    @Test
    void badValuesStopStartUpNamingTheKey() {
        assertThatThrownBy(() -> Main.start(new String[] {"--set", "tcp.port=99999"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tcp.port:");
        assertThatThrownBy(() -> Main.start(new String[] {"--bogus"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown argument \"--bogus\"");
        assertThatThrownBy(() -> Main.start(new String[] {"--set", "demo.fs.root=/definitely/not/here", "--set", "tcp.port=0",
                "--set", "http.port=0"}, Map.of()))
                .hasMessageContaining("demo.fs.root");
    }

    @Test
    void conformanceFixturesWithoutTheirModuleStopStartUpSayingWhereTheyAre() {
        // The server module's tests run without the conformance module on the class path.
        assertThatThrownBy(() -> Main.start(new String[] {"--set", "conformance.fixtures=true", "--set", "tcp.port=0",
                "--set", "http.port=0"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("conformance module is not on the class path")
                .hasMessageContaining("./peregrine");
    }
}
