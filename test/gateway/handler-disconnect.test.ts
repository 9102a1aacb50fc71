import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

// The Lambda handler's half of "a client that leaves ends the upstream call". Lambda tells a
// function nothing when a function-URL client disconnects; what the function sees is its response
// stream breaking (reset, or a write that fails). The upstream here is silent after its role chunk
// and every timeout is an hour away, so only the handler's abort can close its connection.
// middy's streaming mode calls `awslambda.streamifyResponse` when the handler module loads, so the
// global is stubbed first and the module imported afterwards (as in handler.test.ts).

type StreamingHandler = (event: unknown, responseStream: Writable, context: object) => Promise<void>;

const MASTER_KEY = 'sk-handler-disconnect-master-key';

/** A response stream that receives bytes until the client leaves; then it breaks as `leave` says. */
function responseStream() {
  let received = '';
  let gone = false;
  let firstBytes: () => void = () => undefined;
  const gotBytes = new Promise<void>((resolve) => (firstBytes = resolve));
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (gone) return callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      received += chunk.toString('utf8');
      if (received !== '') firstBytes();
      callback();
    },
  });
  stream.on('error', () => undefined);
  return {
    stream,
    gotBytes,
    received: () => received,
    leave(how: 'reset' | 'failing-writes') {
      gone = true;
      if (how === 'reset') stream.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    },
  };
}

function chatEvent(model: string) {
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  return {
    version: '2.0',
    rawPath: '/v1/chat/completions',
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` },
    requestContext: { http: { method: 'POST', path: '/v1/chat/completions', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' } },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

describe('gateway handler client disconnect', () => {
  let upstream: FakeUpstream;
  let handler: StreamingHandler;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    vi.stubGlobal('awslambda', {
      streamifyResponse: (wrapped: StreamingHandler) => wrapped,
      HttpResponseStream: { from: (stream: Writable) => stream },
    });
    // What esbuild's `define` inlines on Lambda; a global of that name stands in for it here.
    const deployment = (name: string, upstreamModel: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${upstreamModel}
      api_base: ${upstream.baseUrl}
      api_key: sk-handler-disconnect-provider-key
      timeout: 3600
      stream_timeout: 3600`;
    vi.stubGlobal('__GATEWAY_CONFIG_YAML__', `
model_list:${deployment('reset', 'silent-stream:reset')}${deployment('failing-writes', 'silent-stream:failing-writes')}
router_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  stream_keep_alive_seconds: 0.05
`);
    vi.stubEnv('PROVIDER_KEYS_SECRET_ARN', undefined);
    vi.stubEnv('TENANCY_TABLE', undefined);
    vi.stubEnv('ORIGIN_VERIFY_SECRET_ARN', undefined);
    vi.stubEnv('GATEWAY_MASTER_KEY', MASTER_KEY);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.resetModules();
    handler = (await import('../../functions/gateway/handler.js')).handler as unknown as StreamingHandler;
  });

  afterAll(async () => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await upstream?.close();
  });

  it.each([
    ['its response stream is reset', 'reset'],
    ['writes to its response stream fail', 'failing-writes'],
  ] as const)('closes the upstream connection when the client leaves a silent stream and %s', async (_how, how) => {
    const client = responseStream();
    const invocation = handler(chatEvent(how), client.stream, {});
    const settled = invocation.then(() => 'ended', () => 'failed');
    await client.gotBytes;

    client.leave(how);

    const closed = await upstream.whenClosed(`silent-stream:${how}`);
    expect(closed.model).toBe(`silent-stream:${how}`);
    expect(client.received()).toMatch(/^data: \{/);
    expect(await settled).toBe('failed');
  });
});
