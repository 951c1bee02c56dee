package io.peregrine.mcp;

import io.peregrine.Peregrine;
import io.peregrine.testing.McpSession;
import io.peregrine.testing.StdioSession;

/**
 * The MCP behaviour kit over stdio: each session is a server of its own reading and writing
 * standard-stream-like byte streams, as one process launched by a desktop client is.
 */
class StdioBehaviourTest extends McpBehaviourKit {

    @Override
    protected McpSession session() throws Exception {
        return new StdioSession(standardServer());
    }

    @Override
    protected McpSession session(Peregrine.Builder spec) throws Exception {
        return new StdioSession(spec);
    }
}
