package io.peregrine.testing;

import io.peregrine.Peregrine;
import io.peregrine.demo.EchoTool;

/**
 * The test tools served over this process's standard streams, for clients that launch their server
 * as a child process (the official SDKs' stdio transports). Exits when stdin closes.
 */
public final class StdioTestServer {

    private StdioTestServer() {
    }

    public static void main(String[] args) throws Exception {
        try (Peregrine server = Peregrine.builder().tool(EchoTool.create()).tool(TestTools.slow()).noTcp()
                .stdio(System.in, System.out).build()) {
            server.start();
            server.stdioClosed().await();
        }
    }
}
