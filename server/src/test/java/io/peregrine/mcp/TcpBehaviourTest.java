package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.testing.LineSocket;
import io.peregrine.testing.McpSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The MCP behaviour kit over newline-delimited TCP, on real sockets. */
class TcpBehaviourTest extends McpBehaviourKit {

    private Peregrine server;

    @BeforeAll
    void start() throws Exception {
        server = standardServer().tcp("127.0.0.1", 0).build();
        server.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Override
    protected McpSession session() throws Exception {
        return new LineSocket(server, false);
    }

    @Override
    protected McpSession session(Peregrine.Builder spec) throws Exception {
        Peregrine own = spec.tcp("127.0.0.1", 0).build();
        own.start();
        return new LineSocket(own, true);
    }
}
