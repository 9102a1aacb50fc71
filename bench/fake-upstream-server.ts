/**
 * Bench child process: a lean OpenAI-compatible upstream on 127.0.0.1 that answers
 * POST /v1/chat/completions at once with recorded bodies, so the numbers measure the
 * gateway rather than a provider. Bodies are built once at start-up; a request is only
 * scanned for `"stream":true`, not parsed, to keep the upstream's own cost minimal.
 * Sends `{ port }` over the IPC channel when listening; exits when the parent goes away.
 */
import http from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../test/fixtures/providers/openai/', import.meta.url);
const STREAM_CHUNKS = 30;

// Re-serialised so the body is compact, as a provider sends it.
const jsonBody = Buffer.from(JSON.stringify(JSON.parse(readFileSync(new URL('openai-text.json', FIXTURES), 'utf8'))));
// SSE events written one by one, as a provider emits them (the gateway sees several reads).
const sseEvents = readFileSync(new URL('openai-text.chunks.txt', FIXTURES), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .slice(0, STREAM_CHUNKS)
  .map((line) => Buffer.from(`data: ${line}\n\n`));
const sseDone = Buffer.from('data: [DONE]\n\n');

const server = http.createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    if (incoming.method !== 'POST' || !(incoming.url ?? '').endsWith('/chat/completions')) {
      outgoing.writeHead(404, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    if (!/"stream"\s*:\s*true/.test(Buffer.concat(chunks).toString('utf8'))) {
      outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': jsonBody.byteLength });
      outgoing.end(jsonBody);
      return;
    }
    outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of sseEvents) outgoing.write(event);
    outgoing.end(sseDone);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.send?.({ port: (server.address() as AddressInfo).port });
// The parent closing the IPC channel (normally or by dying) ends this process; exiting
// normally rather than by signal lets `--cpu-prof` write its profile.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
