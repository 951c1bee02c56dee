// Calls one tool of an MCP server with the official TypeScript SDK client over Streamable HTTP and
// prints what it saw as one JSON object: how deploy/docker/test reaches the container.
// Usage: node call.mjs http://127.0.0.1:PORT/mcp TOOL '{"argument":"value"}'
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, tool, args] = process.argv.slice(2);
const client = new Client({ name: 'peregrine-deploy-test', version: '1.0.0' });
const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
const out = { serverVersion: client.getServerVersion(), protocolVersion: transport.protocolVersion };
out.tools = (await client.listTools()).tools.map((t) => t.name);
out.result = await client.callTool({ name: tool, arguments: JSON.parse(args ?? '{}') });
await transport.terminateSession();
await client.close();
console.log(JSON.stringify(out));
