// Drives Peregrine with the official MCP TypeScript SDK v2 client, answering elicitation and
// sampling with its handlers, and prints what it saw as one JSON object.
// Usage: node client.mjs http://127.0.0.1:PORT/mcp modern|legacy
// "modern" pins protocol 2026-07-28, where the server asks through input_required results that
// the client fulfils and retries by itself; "legacy" speaks 2025-11-25, where the server sends
// requests to the client.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const url = new URL(process.argv[2]);
const era = process.argv[3] ?? 'modern';
const asked = [];
const options = {
  capabilities: { elicitation: { form: {} }, sampling: {} }
};
if (era === 'modern') {
  options.versionNegotiation = { mode: { pin: '2026-07-28' } };
}
const client = new Client({ name: 'peregrine-interop-v2', version: '1.0.0' }, options);
client.setRequestHandler('elicitation/create', async (request) => {
  asked.push('elicitation: ' + request.params.message);
  return { action: 'accept', content: { answer: 'teal', name: 'Ada', color: 'green' } };
});
client.setRequestHandler('sampling/createMessage', async (request) => {
  asked.push('sampling: ' + request.params.messages[0].content.text);
  return { role: 'assistant', content: { type: 'text', text: 'Bonjour' }, model: 'v2-model', stopReason: 'endTurn' };
});
await client.connect(new StreamableHTTPClientTransport(url));

const text = (r) => r.content.find((c) => c.type === 'text')?.text;
const out = { era, asked, protocolEra: client.getProtocolEra(), protocolVersion: client.getNegotiatedProtocolVersion() };
out.askUser = text(await client.callTool({ name: 'ask_user', arguments: { question: 'Favourite colour?' } }));
out.askModel = text(await client.callTool({ name: 'ask_model', arguments: { prompt: 'Say hello in French' } }));
out.twoSteps = text(await client.callTool({ name: 'two_steps', arguments: {} }));
await client.close();
console.log(JSON.stringify(out));
