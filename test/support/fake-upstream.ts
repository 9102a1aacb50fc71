/**
 * A fake OpenAI-compatible provider on 127.0.0.1 that replays recorded real traffic
 * (test/fixtures/providers/openai, Apache-2.0 — see LICENSE-vercel-ai.txt there).
 * What it does is chosen by the upstream model name the gateway sends:
 *   fixture:<name>     replay <name>.json, or <name>.chunks.txt as SSE when stream is true
 *   status:<code>      an OpenAI-shaped error with that status
 *   hang               accept, never answer (timeouts)
 *   pause-stream:<ms>  one chunk, <ms> of silence, then the rest (keep-alive comments)
 *   break-stream       two chunks, then the connection drops (mid-stream failure)
 *   endless-stream     a chunk every 20 ms until the client goes away (client disconnect)
 *   leak-key           a 401 whose message quotes the Authorization header it received
 *   require-key:<key>  a 401 unless the Authorization header carries <key>, else the recorded completion
 * Every request is recorded for assertions.
 *
 * It also speaks the native providers' wire formats, replaying their recorded fixtures
 * (test/fixtures/providers/<format>/, model name `fixture:<name>`):
 *   POST /v1/messages                                   Anthropic: JSON, or SSE with event names
 *   POST /v1beta/models/<model>:generateContent         Gemini: JSON
 *   POST /v1beta/models/<model>:streamGenerateContent   Gemini: SSE (alt=sse)
 *   POST /model/<model>/converse                        Bedrock: JSON
 *   POST /model/<model>/converse-stream                 Bedrock: binary AWS event-stream frames
 */
import http from 'node:http';
import { once } from 'node:events';
import { fixtureChunks, fixtureText } from './recorded-fixtures.js';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface FakeUpstream {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Resolves when the fake saw the client of an endless stream go away. */
  readonly streamAbandoned: Promise<void>;
  close(): Promise<void>;
}

export { fixtureChunks, fixtureText } from './recorded-fixtures.js';

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  let markAbandoned: () => void = () => undefined;
  const streamAbandoned = new Promise<void>((resolve) => {
    markAbandoned = resolve;
  });

  const server = http.createServer(async (incoming, outgoing) => {
    let raw = '';
    for await (const chunk of incoming) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    requests.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body });
    const model = String(body['model'] ?? '');
    const stream = body['stream'] === true;
    const path = decodeURIComponent((incoming.url ?? '').split('?')[0] ?? '');

    const anthropic = path.endsWith('/v1/messages') ? model.replace('fixture:', '') : undefined;
    if (anthropic !== undefined) {
      if (!stream) return sendJson(outgoing, 200, fixtureText(`${anthropic}.json`, 'anthropic'));
      startSse(outgoing);
      for (const event of fixtureChunks(anthropic, 'anthropic')) outgoing.write(`event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`);
      return outgoing.end();
    }
    const gemini = /\/v1beta\/models\/fixture:([^:]+):(generateContent|streamGenerateContent)$/.exec(path);
    if (gemini) {
      if (gemini[2] === 'generateContent') return sendJson(outgoing, 200, fixtureText(`${gemini[1]}.json`, 'gemini'));
      startSse(outgoing);
      for (const event of fixtureChunks(gemini[1]!, 'gemini')) outgoing.write(sse(event));
      return outgoing.end();
    }
    const bedrock = /\/model\/fixture:([^/]+)\/(converse|converse-stream)$/.exec(path);
    if (bedrock) {
      if (bedrock[2] === 'converse') return sendJson(outgoing, 200, fixtureText(`${bedrock[1]}.json`, 'bedrock'));
      outgoing.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      for (const event of fixtureChunks(bedrock[1]!, 'bedrock')) {
        const [type, payload] = Object.entries(event)[0]!;
        outgoing.write(encodeEventStreamFrame(type, payload));
      }
      return outgoing.end();
    }

    if ((incoming.url ?? '').includes('/embeddings')) return sendJson(outgoing, 200, fixtureText('openai-embedding.json'));
    if (model.startsWith('fixture:')) {
      const name = model.slice('fixture:'.length);
      if (!stream) return sendJson(outgoing, 200, fixtureText(`${name}.json`));
      return replayStream(outgoing, fixtureChunks(name));
    }
    if (model.startsWith('status:')) {
      const status = Number(model.slice('status:'.length));
      const error = { error: { message: `Upstream refused with ${status}.`, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: `upstream_${status}` } };
      return sendJson(outgoing, status, JSON.stringify(error), status === 429 ? { 'retry-after': '7' } : {});
    }
    if (model === 'leak-key') {
      const message = `Incorrect API key provided: ${String(incoming.headers['authorization'] ?? '').replace('Bearer ', '')}.`;
      return sendJson(outgoing, 401, JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    }
    if (model.startsWith('require-key:')) {
      if (incoming.headers['authorization'] !== `Bearer ${model.slice('require-key:'.length)}`) {
        return sendJson(outgoing, 401, JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
      }
      return sendJson(outgoing, 200, fixtureText('openai-text.json'));
    }
    if (model === 'hang') return; // never answers
    const chunks = fixtureChunks('openai-text');
    if (model.startsWith('pause-stream:')) {
      const pauseMs = Number(model.slice('pause-stream:'.length));
      startSse(outgoing);
      outgoing.write(sse(chunks[0]));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      for (const chunk of chunks.slice(1)) outgoing.write(sse(chunk));
      return outgoing.end('data: [DONE]\n\n');
    }
    if (model === 'break-stream') {
      startSse(outgoing);
      outgoing.write(sse(chunks[0]) + sse(chunks[1]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      return outgoing.destroy();
    }
    if (model === 'endless-stream') {
      startSse(outgoing);
      outgoing.on('close', () => markAbandoned());
      const timer = setInterval(() => outgoing.write(sse(chunks[1])), 20);
      outgoing.on('close', () => clearInterval(timer));
      return;
    }
    sendJson(outgoing, 200, fixtureText('openai-text.json'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    streamAbandoned,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const eventStreamCodec = new EventStreamCodec(toUtf8, fromUtf8);

/** One binary AWS event-stream frame, as Bedrock's ConverseStream sends each event. */
function encodeEventStreamFrame(eventType: string, payload: unknown): Uint8Array {
  return eventStreamCodec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function sendJson(outgoing: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  outgoing.writeHead(status, { 'content-type': 'application/json', ...headers });
  outgoing.end(text);
}

function startSse(outgoing: http.ServerResponse): void {
  outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
  outgoing.flushHeaders();
}

function sse(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

async function replayStream(outgoing: http.ServerResponse, chunks: Record<string, unknown>[]): Promise<void> {
  startSse(outgoing);
  for (const chunk of chunks) outgoing.write(sse(chunk));
  outgoing.end('data: [DONE]\n\n');
}
