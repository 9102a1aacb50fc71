import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// middy's streaming mode calls `awslambda.streamifyResponse` when the handler module loads,
// so the global is stubbed first and the module imported afterwards.

interface Prelude {
  statusCode: number;
  headers: Record<string, string>;
}

interface Invocation {
  prelude: Prelude | undefined;
  chunks: string[];
  text: string;
}

type StreamingHandler = (event: unknown, responseStream: Writable, context: object) => Promise<void>;

const MASTER_KEY = 'sk-handler-test-master-key';

function installAwsLambdaStub(preludes: WeakMap<Writable, Prelude>): void {
  vi.stubGlobal('awslambda', {
    streamifyResponse: (handler: StreamingHandler) => handler,
    HttpResponseStream: {
      from: (stream: Writable, prelude: Prelude) => {
        preludes.set(stream, prelude);
        return stream;
      },
    },
  });
}

async function loadHandler(): Promise<(event: unknown) => Promise<Invocation>> {
  const preludes = new WeakMap<Writable, Prelude>();
  installAwsLambdaStub(preludes);
  vi.resetModules();
  const module = await import('../../functions/gateway/handler.js');
  const handler = module.handler as unknown as StreamingHandler;

  return async (event) => {
    const chunks: string[] = [];
    const responseStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (chunk.length > 0) chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    await handler(event, responseStream, {});
    return { prelude: preludes.get(responseStream), chunks, text: chunks.join('') };
  };
}

function functionUrlEvent(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', ...options.headers },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' } },
    body: options.body === undefined ? undefined : Buffer.from(options.body).toString('base64'),
    isBase64Encoded: options.body !== undefined,
  };
}

const STREAMING_CHAT_REQUEST = JSON.stringify({
  model: 'demo',
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});

describe('gateway handler', () => {
  let invoke: (event: unknown) => Promise<Invocation>;

  beforeAll(async () => {
    vi.stubEnv('PROVIDER_KEYS_SECRET_ARN', undefined);
    vi.stubEnv('GATEWAY_MASTER_KEY', MASTER_KEY);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    invoke = await loadHandler();
  });

  afterAll(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('answers 200 when asked for /health', async () => {
    const event = functionUrlEvent('GET', '/health');

    const { prelude } = await invoke(event);

    expect(prelude?.statusCode).toBe(200);
  });

  it('streams server-sent events when a chat completion is requested with stream and the master key', async () => {
    const event = functionUrlEvent('POST', '/v1/chat/completions', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` },
      body: STREAMING_CHAT_REQUEST,
    });

    const { prelude, text } = await invoke(event);

    expect(prelude?.statusCode).toBe(200);
    expect(prelude?.headers['content-type']).toMatch(/^text\/event-stream/);
    const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.startsWith('data: '))).toBe(true);
    expect(lines.at(-1)).toBe('data: [DONE]');
  });

  it('answers 401 with an OpenAI-shaped error when the request has no key', async () => {
    const event = functionUrlEvent('POST', '/v1/chat/completions', {
      headers: { 'content-type': 'application/json' },
      body: STREAMING_CHAT_REQUEST,
    });

    const { prelude, text } = await invoke(event);

    expect(prelude?.statusCode).toBe(401);
    expect(JSON.parse(text)).toEqual({
      error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.any(String) },
    });
  });
});

describe('gateway handler with an invalid bundled config', () => {
  let invoke: (event: unknown) => Promise<Invocation>;
  let logged: string[];

  beforeAll(async () => {
    logged = [];
    vi.stubEnv('PROVIDER_KEYS_SECRET_ARN', undefined);
    vi.stubEnv('GATEWAY_MASTER_KEY', MASTER_KEY);
    vi.spyOn(process.stdout, 'write').mockImplementation((line) => {
      logged.push(String(line));
      return true;
    });
    // What esbuild's `define` inlines on Lambda; a global of that name stands in for it here.
    vi.stubGlobal('__GATEWAY_CONFIG_YAML__', 'model_list:\n  - model_name: claude\n    litellm_params:\n      model: antropic/claude\n');
    invoke = await loadHandler();
  });

  afterAll(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('answers 500 gateway_misconfigured when the gateway cannot be built', async () => {
    const event = functionUrlEvent('GET', '/health');

    const { prelude, text } = await invoke(event);

    expect(prelude?.statusCode).toBe(500);
    expect(JSON.parse(text)).toEqual({
      error: {
        message: expect.any(String),
        type: 'server_error',
        param: null,
        code: 'gateway_misconfigured',
      },
    });
  });

  it('logs the build failure without the master key when the gateway cannot be built', async () => {
    const event = functionUrlEvent('GET', '/health');

    await invoke(event);

    const failures = logged.filter((line) => line.includes('"gateway_build_failed"'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('antropic');
    expect(logged.join('')).not.toContain(MASTER_KEY);
  });
});
