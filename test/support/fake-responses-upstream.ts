/**
 * A fake OpenAI Responses API on 127.0.0.1 that replays recorded real traffic
 * (test/fixtures/providers/openai-responses, Apache-2.0 — see ../LICENSE-vercel-ai.txt) and
 * records every request. What it answers is chosen by the upstream model name the gateway sends:
 *   fixture:<name>   POST: <name>.json, or <name>.chunks.txt as SSE (`event: <type>`) when stream is true;
 *                    a fixture whose body is an OpenAI error answers 429
 *   cached:<n>       openai-reasoning-encrypted-content.1.json with usage.input_tokens_details.cached_tokens = n
 *   status:<code>    an OpenAI-shaped error with that status
 *   truncated:<n>    streams the first n events of openai-phase.1 and ends without a terminal event
 * GET /responses/{id} answers a Response with that id; DELETE /responses/{id} OpenAI's deletion
 * object; GET /responses/{id}/input_items an empty list.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';

const FIXTURES = new URL('../fixtures/providers/openai-responses/', import.meta.url);

export function responsesFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function responsesFixtureEvents(name: string): string[] {
  return responsesFixture(`${name}.chunks.txt`)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export interface RecordedResponsesRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body text, exactly as received. */
  text: string;
  body: Record<string, unknown>;
}

export interface FakeResponsesUpstream {
  /** e.g. http://127.0.0.1:1234/v1 (an `api_base`). */
  readonly baseUrl: string;
  readonly requests: RecordedResponsesRequest[];
  close(): Promise<void>;
}

export async function startFakeResponsesUpstream(): Promise<FakeResponsesUpstream> {
  const requests: RecordedResponsesRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer(async (incoming, outgoing) => {
    const pieces: Buffer[] = [];
    for await (const piece of incoming) pieces.push(piece as Buffer);
    const text = Buffer.concat(pieces).toString('utf8');
    const body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    requests.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, text, body });
    const path = (incoming.url ?? '').split('?')[0]!;
    const json = (status: number, payload: unknown) => {
      outgoing.writeHead(status, { 'content-type': 'application/json' });
      outgoing.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const item = /\/responses\/([^/]+)(\/input_items)?$/.exec(path);
    if (item) {
      const id = item[1]!;
      if (item[2]) return json(200, { object: 'list', data: [], first_id: null, last_id: null, has_more: false });
      if (incoming.method === 'DELETE') return json(200, { id, object: 'response', deleted: true });
      return json(200, { ...(JSON.parse(responsesFixture('openai-reasoning-encrypted-content.1.json')) as object), id });
    }
    if (!path.endsWith('/responses') || incoming.method !== 'POST') return json(404, { error: { message: `no route ${path}`, type: 'invalid_request_error' } });
    const model = String(body['model'] ?? '');
    if (model.startsWith('status:')) return json(Number(model.slice('status:'.length)), { error: { message: 'failed as asked', type: 'server_error', code: null } });
    if (model.startsWith('cached:')) {
      const response = JSON.parse(responsesFixture('openai-reasoning-encrypted-content.1.json')) as { usage: { input_tokens_details: { cached_tokens: number } } };
      response.usage.input_tokens_details.cached_tokens = Number(model.slice('cached:'.length));
      return json(200, response);
    }
    if (model.startsWith('truncated:') && body['stream'] === true) {
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const line of responsesFixtureEvents('openai-phase.1').slice(0, Number(model.slice('truncated:'.length)))) {
        outgoing.write(`event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);
      }
      outgoing.end();
      return;
    }
    const name = model.startsWith('fixture:') ? model.slice('fixture:'.length) : 'openai-reasoning-encrypted-content.1';
    if (body['stream'] === true) {
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const line of responsesFixtureEvents(name)) {
        const type = (JSON.parse(line) as { type: string }).type;
        outgoing.write(`event: ${type}\ndata: ${line}\n\n`);
      }
      outgoing.end();
      return;
    }
    const answer = responsesFixture(`${name}.json`);
    const parsed = JSON.parse(answer) as { object?: string };
    return json(parsed.object === 'response' ? 200 : 429, answer);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
