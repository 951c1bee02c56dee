// Drives Peregrine's resources, prompts, completions, logging and change notifications with the
// official MCP TypeScript SDK client and prints what it saw as one JSON object.
// Usage: node features.mjs ws://127.0.0.1:PORT/mcp (WebSocket) or http://127.0.0.1:PORT/mcp (Streamable HTTP).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const url = new URL(process.argv[2]);
const ws = url.protocol === 'ws:' || url.protocol === 'wss:';
const client = new Client({ name: 'peregrine-features', version: '1.0.0' });
const logs = [];
const updated = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));
client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updated.push(n.params.uri));
await client.connect(ws ? new WebSocketClientTransport(url) : new StreamableHTTPClientTransport(url));

const out = { capabilities: client.getServerCapabilities() };
out.resources = (await client.listResources()).resources.map((r) => r.uri);
out.text = (await client.readResource({ uri: 'test://static/hello' })).contents[0].text;
out.blob = (await client.readResource({ uri: 'test://static/blob' })).contents[0].blob;
out.templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
out.item = (await client.readResource({ uri: 'test://items/42' })).contents[0].text;
try {
  await client.readResource({ uri: 'test://nowhere' });
  out.missing = null;
} catch (e) {
  out.missing = e.code;
}
out.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
const greet = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada', style: 'formal' } });
out.greet = greet.messages.map((m) => m.role + ': ' + m.content.text);
out.kinds = (await client.getPrompt({ name: 'every_content' })).messages.map((m) => m.content.type);
try {
  await client.getPrompt({ name: 'greet', arguments: {} });
  out.missingArgument = null;
} catch (e) {
  out.missingArgument = e.code;
}
out.completion = (await client.complete({ ref: { type: 'ref/prompt', name: 'greet' },
  argument: { name: 'style', value: 'f' } })).completion.values;
out.templateCompletion = (await client.complete({ ref: { type: 'ref/resource', uri: 'test://items/{id}' },
  argument: { name: 'id', value: 'ap' } })).completion.values;

await client.setLoggingLevel('warning');
out.chatty = (await client.callTool({ name: 'chatty', arguments: {} })).content[0].text;
await client.subscribeResource({ uri: 'test://static/a' });
// The test server touches test://static/a when the tool "touch" is called.
await client.callTool({ name: 'touch', arguments: {} });
await new Promise((r) => setTimeout(r, 200));
out.logs = logs.map((l) => l.level + ' ' + l.data);
out.updated = updated;
await client.close();
console.log(JSON.stringify(out));
