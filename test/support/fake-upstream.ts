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
 *
 * Fault injection for routing / failover tests (chat completions; embeddings too where noted
 * with [emb]; a stream request is one whose body has `stream: true`):
 *   status:<code>[:retry-after=<s>]  [emb] an OpenAI-shaped error with that status; a Retry-After: <s>
 *                      header when given (a bare status:429 keeps its Retry-After: 7). The body's type
 *                      is server_error for 5xx, rate_limit_error for a 429 with retry-after=,
 *                      invalid_request_error otherwise (the bare form's body is unchanged)
 *   overloaded         [emb] 503 {"error":{"message":"The engine is currently overloaded, ...","type":"server_error",...}};
 *                      on POST /v1/messages (Anthropic) 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
 *   overloaded-in-stream  on POST /v1/messages with stream: 200, message_start, then an `event: error` overloaded_error
 *   hang               [emb] as above (accept, never answer)
 *   hang-before-first-token  stream: 200 + SSE headers flushed at once, then nothing until the client
 *                      goes away; non-stream [emb]: like hang
 *   silent-stream[:<label>]  stream: 200 + SSE headers and the recorded role chunk (no token yet), then
 *                      nothing until the client goes away, so a gateway commits the stream and sends
 *                      keep-alive comments; non-stream: like hang
 *   close-mid-stream   stream: exactly break-stream (the role chunk + one content chunk, then the
 *                      socket is destroyed, no [DONE]); non-stream: 200 JSON headers with the full
 *                      Content-Length, half of the body, then the socket is destroyed
 *   close-before-headers  [emb] reads the request, then destroys the socket without a byte of response
 *   malformed-json     non-stream [emb]: 200 application/json whose body is truncated JSON;
 *                      stream: like malformed-sse
 *   malformed-sse      stream: 200 SSE whose first event is `data: {not json`, then data: [DONE];
 *                      non-stream [emb]: like malformed-json
 *   empty-stream       stream: 200 SSE headers, then the response ends with no event at all;
 *                      non-stream [emb]: 200 application/json with an empty body
 *   slow:<ms>[:<label>]  [emb] the normal successful recorded replay (openai-text / openai-embedding),
 *                      or with <label> the `ok:<label>` answer, but only after <ms> ms
 *   slow-first-token:<ms>[:<label>]  stream: SSE headers at once, the first chunk after <ms> ms, then
 *                      the rest; non-stream [emb]: like slow:<ms>
 *   ok | ok:<label>    [emb] a synthetic successful answer: content `served by <label>` (`served by ok`
 *                      for a bare ok), usage prompt_tokens 10, completion_tokens 5, total 15; as SSE a
 *                      role chunk, one content chunk, a finish chunk (finish_reason stop), a usage chunk
 *                      with empty choices when stream_options.include_usage is true, then [DONE].
 *                      Embeddings: one vector [0.25, -0.5, 0.75] per input (base64 when
 *                      encoding_format is base64), usage prompt_tokens 10
 *   flaky:<n>[:<label>]  [emb] the first <n> requests with this exact model name answer 503
 *                      (server_error), later ones like ok:<label> (label defaults to the model name);
 *                      counted per model name across routes, reset with resetFlaky()
 * A timer of slow/slow-first-token is cleared and a hung request released when the client goes away.
 * Every request is recorded for assertions (requests, requestsFor(model)); openSockets() counts
 * the connections open to the fake, and close() destroys whatever is still open. whenReceived(model)
 * and whenClosed(model) say when a request arrived and when its response closed: for the silent
 * modes (hang, hang-before-first-token, silent-stream) a close means the gateway let go of the connection.
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
import { EventEmitter, once } from 'node:events';
import { fixtureChunks, fixtureText } from './recorded-fixtures.js';
import type { AddressInfo, Socket } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The upstream model name: the body's `model`, or for Gemini and Bedrock the one in the path. */
  model: string;
}

export interface FakeUpstream {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Resolves when the fake saw the client of an endless stream go away. */
  readonly streamAbandoned: Promise<void>;
  /** The recorded requests whose upstream model name is exactly `model`, oldest first. */
  requestsFor(model: string): RecordedRequest[];
  /** Connections currently open to the fake (counted from 'connection' to the socket's 'close'). */
  openSockets(): number;
  /** Resolves with the first recorded request whose upstream model name is exactly `model` (at once if one came already). */
  whenReceived(model: string): Promise<RecordedRequest>;
  /**
   * Resolves once the response to a request for exactly `model` has closed: answered in full, or
   * its connection gone (the only way a silent mode's response closes). At once if one closed already.
   */
  whenClosed(model: string): Promise<RecordedRequest>;
  /** Forgets how many requests each `flaky:<n>` model name has seen (one name, or all). */
  resetFlaky(model?: string): void;
  /** Stops listening and destroys every socket still open (hung requests included); idempotent. */
  close(): Promise<void>;
}

export { fixtureChunks, fixtureText } from './recorded-fixtures.js';

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const flakyCounts = new Map<string, number>();
  const closedResponses: RecordedRequest[] = [];
  const happenings = new EventEmitter();
  /** The first request in `list` for `model`, now or once `event` says another was added. */
  const firstFor = (list: RecordedRequest[], event: string, model: string): Promise<RecordedRequest> => {
    const seen = list.find((request) => request.model === model);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const check = (request: RecordedRequest) => {
        if (request.model !== model) return;
        happenings.off(event, check);
        resolve(request);
      };
      happenings.on(event, check);
    });
  };
  let markAbandoned: () => void = () => undefined;
  const streamAbandoned = new Promise<void>((resolve) => {
    markAbandoned = resolve;
  });

  const server = http.createServer(async (incoming, outgoing) => {
    try {
      await handle(incoming, outgoing);
    } catch {
      // A client that went away mid-body, or a fixture that does not exist: never an unhandled rejection.
      if (!outgoing.headersSent && !outgoing.destroyed) sendJson(outgoing, 500, openAiError('The fake upstream failed.', 'server_error', 'fake_upstream_failure'));
      else outgoing.destroy();
    }
  });

  async function handle(incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<unknown> {
    let raw = '';
    for await (const chunk of incoming) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const path = decodeURIComponent((incoming.url ?? '').split('?')[0] ?? '');
    const pathModel = /\/(?:v1beta\/models|model)\/([^/]+?)(?::(?:generateContent|streamGenerateContent)|\/converse(?:-stream)?)$/.exec(path)?.[1];
    const model = String(body['model'] ?? pathModel ?? '');
    const recorded: RecordedRequest = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body, model };
    requests.push(recorded);
    outgoing.once('close', () => {
      closedResponses.push(recorded);
      happenings.emit('closed', recorded);
    });
    happenings.emit('received', recorded);
    const stream = body['stream'] === true;

    const anthropic = path.endsWith('/v1/messages') ? model.replace('fixture:', '') : undefined;
    if (anthropic === 'overloaded') {
      return sendJson(outgoing, 529, JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    }
    if (anthropic === 'overloaded-in-stream' && stream) {
      // As Anthropic does under load: the stream starts (200, message_start), then an error event instead of content.
      startSse(outgoing);
      const start = { type: 'message_start', message: { id: 'msg_overloaded', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } };
      outgoing.write(`event: message_start\ndata: ${JSON.stringify(start)}\n\n`);
      outgoing.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`);
      return outgoing.end();
    }
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

    const embeddings = (incoming.url ?? '').includes('/embeddings');
    const request: OpenAiRequest = { model, body, stream: stream && !embeddings, embeddings };
    if (await answerFault(request, outgoing)) return;

    if (embeddings) return sendJson(outgoing, 200, fixtureText('openai-embedding.json'));
    if (model.startsWith('fixture:')) {
      const name = model.slice('fixture:'.length);
      if (!stream) return sendJson(outgoing, 200, fixtureText(`${name}.json`));
      return replayStream(outgoing, fixtureChunks(name));
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
    const chunks = fixtureChunks('openai-text');
    if (model.startsWith('pause-stream:')) {
      const pauseMs = Number(model.slice('pause-stream:'.length));
      startSse(outgoing);
      outgoing.write(sse(chunks[0]));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      for (const chunk of chunks.slice(1)) outgoing.write(sse(chunk));
      return outgoing.end('data: [DONE]\n\n');
    }
    if (model === 'break-stream') return breakStream(outgoing);
    if (model === 'endless-stream') {
      startSse(outgoing);
      outgoing.on('close', () => markAbandoned());
      const timer = setInterval(() => outgoing.write(sse(chunks[1])), 20);
      outgoing.on('close', () => clearInterval(timer));
      return;
    }
    sendJson(outgoing, 200, fixtureText('openai-text.json'));
  }

  /** The fault-injection behaviours of the OpenAI-compatible routes; false when `model` names none of them. */
  async function answerFault(request: OpenAiRequest, outgoing: http.ServerResponse): Promise<boolean> {
    const { model, stream, embeddings } = request;
    const [kind = '', ...rest] = model.split(':');
    if (kind === 'status' && rest.length > 0) {
      const status = Number(rest[0]);
      const retryAfter = rest.slice(1).find((option) => option.startsWith('retry-after='))?.slice('retry-after='.length);
      const type = status >= 500 ? 'server_error' : status === 429 && retryAfter !== undefined ? 'rate_limit_error' : 'invalid_request_error';
      const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': retryAfter } : status === 429 ? { 'retry-after': '7' } : {};
      sendJson(outgoing, status, openAiError(`Upstream refused with ${status}.`, type, `upstream_${status}`), headers);
      return true;
    }
    switch (model) {
      case 'overloaded':
        sendJson(outgoing, 503, openAiError('The engine is currently overloaded, please try again later', 'server_error', null));
        return true;
      case 'hang':
        return true; // never answers
      case 'hang-before-first-token':
        if (stream) startSse(outgoing);
        return true; // nothing more; the socket goes when the client does (or on close())
      case 'close-mid-stream':
        if (embeddings) return false;
        if (stream) await breakStream(outgoing);
        else {
          const text = JSON.stringify(okCompletion(model, 'close-mid-stream'));
          outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
          outgoing.write(text.slice(0, Math.floor(text.length / 2)));
          if (await pause(outgoing, 20)) outgoing.destroy();
        }
        return true;
      case 'close-before-headers':
        outgoing.socket?.destroy();
        return true;
      case 'malformed-json':
      case 'malformed-sse':
        if (stream) {
          startSse(outgoing);
          outgoing.end('data: {not json\n\ndata: [DONE]\n\n');
        } else {
          const text = JSON.stringify(embeddings ? okEmbeddings(request) : okCompletion(model, model));
          sendJson(outgoing, 200, text.slice(0, Math.floor(text.length / 2)));
        }
        return true;
      case 'empty-stream':
        if (stream) {
          startSse(outgoing);
          outgoing.end();
        } else sendJson(outgoing, 200, '');
        return true;
    }
    if (kind === 'silent-stream' && !embeddings) {
      if (stream) {
        startSse(outgoing);
        outgoing.write(sse(fixtureChunks('openai-text')[0]));
      }
      return true; // as hang-before-first-token, after the role chunk
    }
    if ((kind === 'slow' || kind === 'slow-first-token') && rest.length > 0) {
      const label = rest.length > 1 ? rest.slice(1).join(':') : undefined;
      if (kind === 'slow-first-token' && stream) {
        startSse(outgoing);
        if (await pause(outgoing, Number(rest[0]))) writeSuccessEvents(request, label, outgoing);
      } else if (await pause(outgoing, Number(rest[0]))) sendSuccess(request, label, outgoing);
      return true;
    }
    if (kind === 'ok') {
      sendSuccess(request, rest.length > 0 ? rest.join(':') : 'ok', outgoing);
      return true;
    }
    if (kind === 'flaky' && rest.length > 0) {
      const seen = (flakyCounts.get(model) ?? 0) + 1;
      flakyCounts.set(model, seen);
      if (seen <= Number(rest[0])) {
        sendJson(outgoing, 503, openAiError(`Upstream ${model} is unavailable (request ${seen} of ${rest[0]} that fail).`, 'server_error', 'upstream_503'));
      } else sendSuccess(request, rest.length > 1 ? rest.slice(1).join(':') : model, outgoing);
      return true;
    }
    return false;
  }

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    streamAbandoned,
    requestsFor: (model) => requests.filter((request) => request.model === model),
    whenReceived: (model) => firstFor(requests, 'received', model),
    whenClosed: (model) => firstFor(closedResponses, 'closed', model),
    openSockets: () => sockets.size,
    resetFlaky: (model) => (model === undefined ? flakyCounts.clear() : void flakyCounts.delete(model)),
    close: () =>
      (closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        // Every socket still in the set has not emitted 'close' yet: destroy it and wait until it has.
        const gone = [...sockets].map((socket) => {
          const closing = once(socket, 'close');
          socket.destroy();
          return closing;
        });
        await Promise.all([stopped, ...gone]);
      })()),
  };
}

interface OpenAiRequest {
  /** The upstream model name. */
  model: string;
  body: Record<string, unknown>;
  /** A chat completion asked for SSE (never true for embeddings). */
  stream: boolean;
  embeddings: boolean;
}

function openAiError(message: string, type: string, code: string | null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** Waits `ms`; false (and the timer cleared at once) when the response closes first — the client went away. */
function pause(outgoing: http.ServerResponse, ms: number): Promise<boolean> {
  if (outgoing.destroyed || outgoing.socket === null || outgoing.socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      outgoing.off('close', onClose);
      resolve(true);
    }, ms);
    outgoing.once('close', onClose);
  });
}

/** The role chunk and the first content chunk of the recorded stream, then the socket drops (no [DONE]). */
async function breakStream(outgoing: http.ServerResponse): Promise<void> {
  const chunks = fixtureChunks('openai-text');
  startSse(outgoing);
  outgoing.write(sse(chunks[0]) + sse(chunks[1]));
  await new Promise((resolve) => setTimeout(resolve, 20));
  outgoing.destroy();
}

const OK_USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
const OK_CREATED = 1_770_000_000;
const OK_VECTOR = [0.25, -0.5, 0.75];

function okCompletion(model: string, label: string): Record<string, unknown> {
  return {
    id: `chatcmpl-fake-${label}`,
    object: 'chat.completion',
    created: OK_CREATED,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: `served by ${label}`, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: OK_USAGE,
  };
}

function okChunks(model: string, label: string, includeUsage: boolean): Record<string, unknown>[] {
  const chunk = (choices: unknown[], usage?: unknown) => ({
    id: `chatcmpl-fake-${label}`,
    object: 'chat.completion.chunk',
    created: OK_CREATED,
    model,
    choices,
    ...(includeUsage ? { usage: usage ?? null } : {}),
  });
  const chunks = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: `served by ${label}` }, logprobs: null, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
  ];
  if (includeUsage) chunks.push(chunk([], OK_USAGE));
  return chunks;
}

function okEmbeddings({ model, body }: OpenAiRequest): Record<string, unknown> {
  const input = body['input'];
  const count = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input.length : 1;
  const embedding = body['encoding_format'] === 'base64' ? Buffer.from(new Float32Array(OK_VECTOR).buffer).toString('base64') : OK_VECTOR;
  return {
    object: 'list',
    data: Array.from({ length: count }, (_, index) => ({ object: 'embedding', index, embedding })),
    model,
    usage: { prompt_tokens: 10, total_tokens: 10 },
  };
}

/** A whole successful answer: the recorded replay without a label, else the synthetic `ok` one. */
function sendSuccess(request: OpenAiRequest, label: string | undefined, outgoing: http.ServerResponse): void {
  if (request.stream) {
    startSse(outgoing);
    writeSuccessEvents(request, label, outgoing);
  } else if (request.embeddings) {
    sendJson(outgoing, 200, label === undefined ? fixtureText('openai-embedding.json') : JSON.stringify(okEmbeddings(request)));
  } else {
    sendJson(outgoing, 200, label === undefined ? fixtureText('openai-text.json') : JSON.stringify(okCompletion(request.model, label)));
  }
}

/** The events of a successful stream and [DONE], on SSE headers already sent. */
function writeSuccessEvents(request: OpenAiRequest, label: string | undefined, outgoing: http.ServerResponse): void {
  const includeUsage = (request.body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
  const chunks = label === undefined ? fixtureChunks('openai-text') : okChunks(request.model, label, includeUsage);
  for (const chunk of chunks) outgoing.write(sse(chunk));
  outgoing.end('data: [DONE]\n\n');
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
