/**
 * Upstream answers larger than `general_settings.max_upstream_response_mb` (issue 11, item 7):
 * the real gateway and the official OpenAI SDK against a fake provider on 127.0.0.1 whose 200
 * never ends. Reading stops at the limit, the connection is dropped, the client gets one 502,
 * and the deployment is neither retried, nor fallen back from, nor cooled down.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

const MIB = 1024 * 1024;
/** The fake never sends more than this, so that a gateway without a limit cannot take the machine down. */
const FAKE_SAFETY_STOP_BYTES = 256 * MIB;

interface EndlessUpstream {
  readonly baseUrl: string;
  /** Upstream model names, one per request received. */
  readonly models: string[];
  /** Bytes of body written for each endless answer, final once its connection closed. */
  readonly endlessBytesSent: number[];
  /** Resolves once the endless answer of this index (in the order they began) has seen its connection close. */
  endlessClosed(index: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `endless`: a 200 application/json that starts a completion and never finishes its content (it
 * writes as fast as the reader takes, until the connection closes). `endless-once`: the first such
 * request is endless, later ones answer. `endless-event` (streamed): one chunk saying "hello", then a
 * `data:` line that never ends. Anything else: a small valid completion naming the model.
 */
async function startEndlessUpstream(): Promise<EndlessUpstream> {
  const models: string[] = [];
  const endlessBytesSent: number[] = [];
  const closings: Array<Promise<void>> = [];
  const sockets = new Set<Socket>();
  const seen = new Map<string, number>();

  const server = http.createServer(async (request, response) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const model = String((JSON.parse(raw) as { model?: unknown }).model);
    models.push(model);
    const turn = seen.get(model) ?? 0;
    seen.set(model, turn + 1);
    if (model === 'endless' || (model === 'endless-once' && turn === 0)) return sendEndless(response);
    if (model === 'endless-event') return sendEndless(response, 'stream');
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-small',
        object: 'chat.completion',
        created: 1,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: `served by ${model}` }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
      }),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function sendEndless(response: http.ServerResponse, form: 'json' | 'stream' = 'json'): Promise<void> {
    const index = endlessBytesSent.push(0) - 1;
    const piece = Buffer.alloc(64 * 1024, 'a');
    closings[index] = new Promise((resolve) => response.once('close', resolve));
    if (form === 'json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-endless","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"');
    } else {
      const chunk = (delta: string) => `{"id":"chatcmpl-endless","object":"chat.completion.chunk","created":1,"model":"endless-event","choices":[{"index":0,"delta":${delta}`;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${chunk('{"role":"assistant","content":"hello"},"finish_reason":null}]}')}\n\n`);
      response.write(`data: ${chunk('{"content":"')}`);
    }
    while (!response.destroyed && endlessBytesSent[index]! < FAKE_SAFETY_STOP_BYTES) {
      endlessBytesSent[index]! += piece.byteLength;
      if (!response.write(piece)) await drainedOrClosed(response);
    }
    response.destroy();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    models,
    endlessBytesSent,
    endlessClosed: (index) => closings[index] ?? Promise.reject(new Error(`no endless answer ${index}`)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Samples the process's resident memory until stopped: the largest growth over the starting figure. */
function watchMemory(): { stop(): number } {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) - start;
    },
  };
}

let upstream: EndlessUpstream;
let gateway: RunningGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startEndlessUpstream();
  const deployment = (name: string, model: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${model}
      api_base: ${upstream.baseUrl}
      api_key: sk-endless-provider-key-0000`;
  gateway = await startGateway(`
model_list:${deployment('endless', 'endless')}${deployment('endless-once', 'endless-once')}${deployment('endless-event', 'endless-event')}${deployment('backup', 'backup')}
router_settings:
  num_retries: 2
  allowed_fails: 1
  fallbacks:
    - endless: [backup]
    - endless-once: [backup]
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function failureOf(model: string): Promise<APIError> {
  const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('an upstream answer larger than max_upstream_response_mb', () => {
  it('answers one 502 upstream_response_too_large, after one attempt and no fallback, with bounded memory, when the 200 body never ends', async () => {
    const memory = watchMemory();

    const error = await failureOf('endless');
    await upstream.endlessClosed(0);
    const growth = memory.stop();

    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_response_too_large');
    expect(error.message).toContain('32 MB (general_settings.max_upstream_response_mb)');
    expect(error.headers?.get('x-gateway-attempts')).toBe('1');
    expect(upstream.models.filter((model) => model === 'endless')).toHaveLength(1);
    expect(upstream.models).not.toContain('backup');
    // The fake wrote what the socket buffers hold past the 32 MB read, then saw the connection drop.
    expect(upstream.endlessBytesSent[0]).toBeLessThan(48 * MIB);
    // 32 MB of text plus read buffers; without the limit the fake's 256 MB (thrice) is read whole.
    expect(growth).toBeLessThan(160 * MIB);
  }, 60_000);

  it('does not cool the deployment down, so that the next request is served by it, when its answer was too large', async () => {
    const tooLarge = await failureOf('endless-once');

    const next = await client.chat.completions.create({ model: 'endless-once', messages: [{ role: 'user', content: 'hi' }] });

    expect(tooLarge.code).toBe('upstream_response_too_large');
    expect(next.choices[0]?.message.content).toBe('served by endless-once');
    expect(upstream.models).not.toContain('backup');
  }, 60_000);

  it('ends a started stream with one upstream_response_too_large error event when a streamed event never ends', async () => {
    const index = upstream.endlessBytesSent.length;
    const stream = await client.chat.completions.create({ model: 'endless-event', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';

    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    await upstream.endlessClosed(index);

    expect(text).toBe('hello');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('streamed event is larger than');
    expect(upstream.endlessBytesSent[index]).toBeLessThan(48 * MIB);
  }, 60_000);
});

/** Waits for `drain` or `close`, removing both listeners after (one wait per write would otherwise pile them up). */
function drainedOrClosed(response: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
