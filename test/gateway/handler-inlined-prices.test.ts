import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InlinedPrices } from '../../functions/platform/genai-price-catalog.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';
import { chatCompletionsEvent, loadStreamingHandler, type Prelude, type StreamingHandler } from '../support/lambda-handler.js';

// The Lambda handler prices with what `cdk synth` inlined (esbuild's `define` of
// __GATEWAY_PRICES_JSON__), not with a database it never loads. Globals of the define's names
// stand in for it, and `awslambda` is stubbed before the module loads (test/support/lambda-handler.ts).

const MASTER_KEY = 'sk-handler-prices-master-key';

// The fake upstream's `ok` answers with 10 prompt and 5 completion tokens.
const INLINED: InlinedPrices = {
  source: '@pydantic/genai-prices 0.1.8',
  prices: { 'openai/ok': { inputPerToken: 1e-6, outputPerToken: 2e-6 } },
};

function chatEvent() {
  return chatCompletionsEvent(MASTER_KEY, { model: 'priced', messages: [{ role: 'user', content: 'hi' }] }, { rawQueryString: '' });
}

describe('gateway handler with inlined prices', () => {
  let upstream: FakeUpstream;
  let handler: StreamingHandler;
  const preludes = new WeakMap<Writable, Prelude>();
  const stdout: string[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const configYaml = `
model_list:
  - model_name: priced
    litellm_params:
      model: openai/ok
      api_base: ${upstream.baseUrl}
      api_key: sk-handler-prices-provider-key
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`;
    handler = await loadStreamingHandler({
      masterKey: MASTER_KEY,
      globals: { __GATEWAY_CONFIG_YAML__: configYaml, __GATEWAY_PRICES_JSON__: JSON.stringify(INLINED) },
      onPrelude: (stream, prelude) => preludes.set(stream, prelude),
      onStdout: (chunk) => stdout.push(chunk),
    });
  });

  afterAll(async () => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await upstream?.close();
  });

  it('costs a completion at the inlined prices when the config sets none', async () => {
    const responseStream = new Writable({ write: (_chunk, _encoding, callback) => callback() });

    await handler(chatEvent(), responseStream, {});

    // 10 × $0.000001 + 5 × $0.000002
    expect(preludes.get(responseStream)?.statusCode).toBe(200);
    expect(preludes.get(responseStream)?.headers['x-gateway-cost-usd']).toBe('0.00002');
  });

  it('names the inlined price source in its gateway_ready line', () => {
    const ready = stdout.filter((line) => line.includes('"gateway_ready"')).map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ priceSource: '@pydantic/genai-prices 0.1.8' });
  });
});
