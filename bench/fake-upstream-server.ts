/**
 * Bench child process: a lean upstream on 127.0.0.1 that answers at once with recorded bodies,
 * so the numbers measure the gateway rather than a provider: OpenAI's POST /v1/chat/completions,
 * and Anthropic's POST /v1/messages (the recorded message; streamed, message_start, 30
 * content_block_delta events carrying the OpenAI stream's text, message_delta with usage,
 * message_stop, framed with `event:` lines as Anthropic frames them), and OpenAI's POST /v1/responses
 * (the recorded Response's envelope and message item, carrying the chat answer's text; streamed, the
 * recorded event sequence with 30 response.output_text.delta events carrying the OpenAI stream's
 * text, framed with `event:` lines as OpenAI frames them). Bodies are built once at start-up; a request is only scanned for `"stream":true`, not parsed, to keep the upstream's own cost minimal.
 * Sends `{ port }` over the IPC channel when listening; exits when the parent goes away.
 */
import http from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../test/fixtures/providers/openai/', import.meta.url);
const ANTHROPIC_FIXTURES = new URL('../test/fixtures/providers/anthropic/', import.meta.url);
const RESPONSES_FIXTURES = new URL('../test/fixtures/providers/openai-responses/', import.meta.url);
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

const anthropicJsonBody = Buffer.from(JSON.stringify(JSON.parse(readFileSync(new URL('anthropic-text.json', ANTHROPIC_FIXTURES), 'utf8'))));
const anthropicSseEvents = anthropicStream().map((event) => Buffer.from(`event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`));

const responsesJsonBody = Buffer.from(JSON.stringify(responsesAnswer()));
const responsesSseEvents = responsesStream().map((event) => Buffer.from(`event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`));

/** The text pieces of the recorded OpenAI chat stream (the first STREAM_CHUNKS non-empty ones). */
function chatStreamPieces(): string[] {
  return readFileSync(new URL('openai-text.chunks.txt', FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { choices: Array<{ delta?: { content?: string | null } }> }).choices[0]?.delta?.content ?? '')
    .filter((piece) => piece !== '')
    .slice(0, STREAM_CHUNKS);
}

type Json = Record<string, unknown>;

/**
 * The recorded Response (openai-reasoning-encrypted-content.1.json: every field OpenAI returns, its
 * usage) with its output cut to its message item, whose text becomes the recorded chat answer's,
 * so the native and the translated path hand back the same answer (and no 2 KB of encrypted reasoning).
 */
function responsesAnswer(): Json {
  const recorded = JSON.parse(readFileSync(new URL('openai-reasoning-encrypted-content.1.json', RESPONSES_FIXTURES), 'utf8')) as Json & { output: Json[] };
  const chat = JSON.parse(readFileSync(new URL('openai-text.json', FIXTURES), 'utf8')) as { choices: Array<{ message: { content: string } }> };
  const message = recorded.output.find((item) => item['type'] === 'message') as Json & { content: Json[] };
  const text = chat.choices[0]!.message.content;
  return { ...recorded, output: [{ ...message, content: [{ ...message.content[0], text }] }] };
}

/**
 * The recorded stream openai-phase.1.chunks.txt, its first message only: response.created,
 * response.in_progress, output_item.added, content_part.added, then STREAM_CHUNKS
 * output_text.delta events (the OpenAI chat stream's pieces), output_text.done,
 * content_part.done, output_item.done and response.completed (its output that one item, its
 * usage as recorded), sequence_number counted anew.
 */
function responsesStream(): Json[] {
  const recorded = readFileSync(new URL('openai-phase.1.chunks.txt', RESPONSES_FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);
  const pieces = chatStreamPieces();
  const text = pieces.join('');
  const find = (type: string) => {
    const event = recorded.find((candidate) => candidate['type'] === type && (candidate['output_index'] ?? 0) === 0);
    if (!event) throw new Error(`openai-phase.1.chunks.txt has no ${type} event`);
    return event;
  };
  const withText = <T extends Json>(value: T): T => ({ ...value, text });
  const itemDone = find('response.output_item.done') as Json & { item: Json & { content: Json[] } };
  const item = { ...itemDone.item, content: [withText(itemDone.item.content[0]!)] };
  const completed = find('response.completed') as Json & { response: Json };
  const events: Json[] = [
    find('response.created'),
    find('response.in_progress'),
    find('response.output_item.added'),
    find('response.content_part.added'),
    ...pieces.map((delta) => ({ ...find('response.output_text.delta'), delta })),
    withText(find('response.output_text.done')),
    { ...find('response.content_part.done'), part: withText((find('response.content_part.done') as { part: Json }).part) },
    { ...itemDone, item },
    { ...completed, response: { ...completed.response, output: [item] } },
  ];
  return events.map((event, index) => ({ ...event, sequence_number: index }));
}

/**
 * The recorded Anthropic stream's framing (message_start and message_delta with their usage,
 * content_block_start, ping, content_block_stop, message_stop) around STREAM_CHUNKS text deltas,
 * the text pieces of the OpenAI stream, so both endpoints stream a comparable answer.
 */
function anthropicStream(): Array<Record<string, unknown>> {
  const recorded = readFileSync(new URL('anthropic-text.chunks.txt', ANTHROPIC_FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const pieces = chatStreamPieces();
  const deltas = pieces.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }));
  const firstDelta = recorded.findIndex((event) => event['type'] === 'content_block_delta');
  const afterDeltas = recorded.findIndex((event) => event['type'] === 'content_block_stop');
  return [...recorded.slice(0, firstDelta), ...deltas, ...recorded.slice(afterDeltas)];
}

const server = http.createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    const path = (incoming.url ?? '').split('?')[0] ?? '';
    const anthropic = path.endsWith('/messages');
    const responses = path.endsWith('/responses');
    if (incoming.method !== 'POST' || !(anthropic || responses || path.endsWith('/chat/completions'))) {
      outgoing.writeHead(404, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}');
      return;
    }
    if (!/"stream"\s*:\s*true/.test(Buffer.concat(chunks).toString('utf8'))) {
      const body = anthropic ? anthropicJsonBody : responses ? responsesJsonBody : jsonBody;
      outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': body.byteLength });
      outgoing.end(body);
      return;
    }
    outgoing.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (anthropic || responses) {
      const events = anthropic ? anthropicSseEvents : responsesSseEvents;
      const last = events.length - 1;
      for (let index = 0; index < last; index++) outgoing.write(events[index]);
      outgoing.end(events[last]);
      return;
    }
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
