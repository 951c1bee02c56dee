// Drives a Peregrine server with the official MCP TypeScript SDK client and prints what it saw as
// one JSON object. Usage: node client.mjs ws://127.0.0.1:PORT/mcp (WebSocket),
// node client.mjs http://127.0.0.1:PORT/mcp (Streamable HTTP), or
// node client.mjs stdio COMMAND ARGS... (launches the server as a child process, over stdio).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const stdio = process.argv[2] === 'stdio';
const url = stdio ? null : new URL(process.argv[2]);
const ws = !stdio && (url.protocol === 'ws:' || url.protocol === 'wss:');
const http = !stdio && !ws;
const client = new Client({ name: 'peregrine-interop', version: '1.0.0' });
const transport = stdio
  ? new StdioClientTransport({ command: process.argv[3], args: process.argv.slice(4), stderr: 'ignore' })
  : ws ? new WebSocketClientTransport(url) : new StreamableHTTPClientTransport(url);
await client.connect(transport);

const out = { serverVersion: client.getServerVersion(), protocol: stdio ? 'stdio' : ws ? 'ws' : 'http' };
if (http) {
  out.sessionId = transport.sessionId;
  out.protocolVersion = transport.protocolVersion;
}
out.tools = (await client.listTools()).tools.map((t) => t.name);
out.echo = (await client.callTool({ name: 'echo', arguments: { message: 'from the TypeScript SDK' } })).content;

const progress = [];
const slow = await client.callTool({ name: 'slow', arguments: { millis: 200, steps: 4 } }, undefined,
  { onprogress: (p) => progress.push(p.progress) });
out.slow = slow.content[0].text;
out.progress = progress;

const abort = new AbortController();
try {
  await client.callTool({ name: 'slow', arguments: { millis: 20000, steps: 200 } }, undefined,
    { signal: abort.signal, onprogress: () => abort.abort('enough') });
  out.cancelled = false;
} catch (e) {
  out.cancelled = true;
}
out.afterCancel = (await client.callTool({ name: 'echo', arguments: { message: 'still here' } })).content[0].text;

if (http) {
  await transport.terminateSession();
  out.terminated = transport.sessionId === undefined;
}
await client.close();
console.log(JSON.stringify(out));
