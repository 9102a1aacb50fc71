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
 */
import http from 'node:http';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

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

const FIXTURES = new URL('../fixtures/providers/openai/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function fixtureChunks(name: string): Record<string, unknown>[] {
  return fixtureText(`${name}.chunks.txt`)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

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
