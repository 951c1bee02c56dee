package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.testing.McpSession;
import io.peregrine.testing.StreamableHttpSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.peregrine.rpc.JsonRpcError;
import io.peregrine.testing.TestTools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.peregrine.testing.Trees.at;
import static org.assertj.core.api.Assertions.assertThat;

/** The MCP behaviour kit over Streamable HTTP, each message a POST, with the JDK's HTTP client. */
class StreamableHttpBehaviourTest extends McpBehaviourKit {

    private Peregrine server;

    @BeforeAll
    void start() throws Exception {
        server = standardServer().noTcp().http("127.0.0.1", 0).build();
        server.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Override
    protected McpSession session() {
        return new StreamableHttpSession(server, false);
    }

    @Override
    protected McpSession session(Peregrine.Builder spec) throws Exception {
        Peregrine own = spec.noTcp().http("127.0.0.1", 0).build();
        own.start();
        return new StreamableHttpSession(own, true);
    }

    /**
     * A session spans many connections, so there is no one socket to stop reading: at its
     * in-flight limit, the session's further requests are refused at once (429, -31000).
     */
    @Override
    @Test
    void aConnectionAtItsInFlightLimitIsNotRead() throws Exception {
        try (McpSession s = session(Peregrine.builder().tool(TestTools.slow())
                .maxInFlightPerConnection(2).drainTimeout(Duration.ofMillis(100)))) {
            s.initialize("2025-11-25");
            for (int i = 1; i <= 4; i++) {
                s.send("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                        + "\"arguments\":{\"millis\":1500,\"steps\":1}}}");
            }
            List<Map<String, Object>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(s.readJson());
            }
            assertThat(answers).filteredOn(r -> "slept 1500".equals(at(r, "result.content.0.text"))).hasSize(2);
            assertThat(answers).filteredOn(r -> Long.valueOf(JsonRpcError.SERVER_OVERLOADED).equals(at(r, "error.code")))
                    .hasSize(2).allSatisfy(r -> assertThat((String) at(r, "error.message")).contains("connection.max-in-flight"));
        }
    }
}
