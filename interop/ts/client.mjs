// Drives a Peregrine server with the official MCP TypeScript SDK client and prints what it saw as
// one JSON object. Usage: node client.mjs ws://127.0.0.1:PORT/mcp
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';

const url = new URL(process.argv[2]);
const client = new Client({ name: 'peregrine-interop', version: '1.0.0' });
await client.connect(new WebSocketClientTransport(url));

const out = { serverVersion: client.getServerVersion(), protocol: 'ws' };
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

await client.close();
console.log(JSON.stringify(out));
