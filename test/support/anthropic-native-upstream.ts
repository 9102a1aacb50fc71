/**
 * A capturing fake of the two upstreams that speak Anthropic Messages natively, on 127.0.0.1:
 *   POST /v1/messages                        Anthropic: JSON, or SSE with event names
 *   POST /v1/messages/count_tokens           Anthropic: {"input_tokens": COUNTED_BY_ANTHROPIC}
 *   POST /model/<id>/invoke                  Bedrock InvokeModel: the message JSON
 *   POST /model/<id>/invoke-with-response-stream  Bedrock: AWS event-stream frames, each a `chunk`
 *                                            whose `bytes` is base64 of one Anthropic event JSON
 *   POST /model/<id>/count-tokens            Bedrock CountTokens: {"inputTokens": COUNTED_BY_BEDROCK}
 * What it answers is set per test with `answerWith` (a whole message, or a list of events, or an
 * error); every request is kept, raw body included, for assertions on exactly what was sent.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export const COUNTED_BY_ANTHROPIC = 1234;
export const COUNTED_BY_BEDROCK = 4321;

export interface CapturedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** What the next answers are, by the upstream model name (the body's `model`, or Bedrock's path id). */
export type NativeAnswer =
  | { kind: 'message'; message: Record<string, unknown> }
  | { kind: 'events'; events: Record<string, unknown>[]; pauseAfter?: number; pauseMs?: number }
  | { kind: 'status'; status: number; body: Record<string, unknown> };

export interface NativeUpstream {
  /** e.g. http://127.0.0.1:54321 (no /v1): the `api_base` of both kinds of deployment. */
  readonly origin: string;
  readonly requests: CapturedRequest[];
  /** Answers for requests naming `model` from now on (a stream request with a message answer gets the message's events). */
  answerWith(model: string, answer: NativeAnswer): void;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One InvokeModelWithResponseStream frame carrying one Anthropic event. */
export function bedrockChunkFrame(event: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'chunk' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ bytes: Buffer.from(JSON.stringify(event), 'utf8').toString('base64') })),
  });
}

export async function startNativeUpstream(): Promise<NativeUpstream> {
  const requests: CapturedRequest[] = [];
  const answers = new Map<string, NativeAnswer>();
  const sockets = new Set<Socket>();

  const server = http.createServer(async (incoming, outgoing) => {
    let raw = '';
    for await (const chunk of incoming) raw += chunk;
    const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    requests.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body });
    const path = decodeURIComponent((incoming.url ?? '').split('?')[0] ?? '');
    if (path === '/v1/messages/count_tokens') return json(outgoing, 200, { input_tokens: COUNTED_BY_ANTHROPIC });
    const bedrock = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/.exec(path);
    if (bedrock?.[2] === 'count-tokens') return json(outgoing, 200, { inputTokens: COUNTED_BY_BEDROCK });
    if (path !== '/v1/messages' && !bedrock) return json(outgoing, 404, { message: `no route ${path}` });
    const model = bedrock ? bedrock[1]! : String(body['model']);
    const answer = answers.get(model);
    if (answer === undefined) return json(outgoing, 404, { type: 'error', error: { type: 'not_found_error', message: `no answer set for ${model}` } });
    if (answer.kind === 'status') return json(outgoing, answer.status, answer.body);
    const stream = bedrock ? bedrock[2] === 'invoke-with-response-stream' : body['stream'] === true;
    if (!stream) {
      if (answer.kind !== 'message') throw new Error('a whole answer was asked for; set a message');
      return json(outgoing, 200, answer.message);
    }
    if (answer.kind !== 'events') throw new Error('a stream was asked for; set events');
    outgoing.writeHead(200, { 'content-type': bedrock ? 'application/vnd.amazon.eventstream' : 'text/event-stream' });
    outgoing.flushHeaders();
    for (const [index, event] of answer.events.entries()) {
      outgoing.write(bedrock ? bedrockChunkFrame(event) : `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`);
      if (answer.pauseAfter === index) await new Promise((resolve) => setTimeout(resolve, answer.pauseMs ?? 0));
    }
    outgoing.end();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answerWith: (model, answer) => void answers.set(model, answer),
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

function json(outgoing: http.ServerResponse, status: number, payload: unknown): void {
  outgoing.writeHead(status, { 'content-type': 'application/json' });
  outgoing.end(JSON.stringify(payload));
}
