import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { chatCompletionsEvent, loadStreamingHandler, type StreamingHandler } from '../support/lambda-handler.js';

// The Lambda handler's half of "a client that leaves ends the upstream call". Lambda tells a
// function nothing when a function-URL client disconnects; what the function sees is its response
// stream breaking (reset, or a write that fails). The upstream here is silent after its role chunk
// and every timeout is an hour away, so only the handler's abort can close its connection.
// The handler is loaded with `awslambda` stubbed (test/support/lambda-handler.ts).

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
  return chatCompletionsEvent(MASTER_KEY, { model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
}

describe('gateway handler client disconnect', () => {
  let upstream: FakeUpstream;
  let handler: StreamingHandler;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    // What esbuild's `define` inlines on Lambda; a global of that name stands in for it here.
    const deployment = (name: string, upstreamModel: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/${upstreamModel}
      api_base: ${upstream.baseUrl}
      api_key: sk-handler-disconnect-provider-key
      timeout: 3600
      stream_timeout: 3600`;
    const configYaml = `
model_list:${deployment('reset', 'silent-stream:reset')}${deployment('failing-writes', 'silent-stream:failing-writes')}
router_settings:
  num_retries: 0
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  stream_keep_alive_seconds: 0.05
`;
    handler = await loadStreamingHandler({ masterKey: MASTER_KEY, globals: { __GATEWAY_CONFIG_YAML__: configYaml } });
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
