import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type BuiltGateway } from '../../functions/core/build-gateway.js';
import type { SecretSource } from '../../functions/core/ports.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

/** A secret source whose stored value changes behind the gateway's back, like a rotated Secrets Manager secret. */
function rotatingSecrets(initial: string) {
  let stored = initial;
  let cached: string | undefined;
  const source: SecretSource & { rotate(value: string): void; reads: number } = {
    reads: 0,
    async get(name) {
      if (name !== 'OPENAI_API_KEY') return name === 'GATEWAY_MASTER_KEY' ? 'sk-master-rotation-test' : undefined;
      if (cached === undefined) {
        source.reads++;
        cached = stored;
      }
      return cached;
    },
    refresh() {
      cached = undefined;
    },
    rotate(value: string) {
      stored = value;
    },
  };
  return source;
}

let upstream: FakeUpstream;
let gateway: BuiltGateway;
let secrets: ReturnType<typeof rotatingSecrets>;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  secrets = rotatingSecrets('sk-before-rotation');
  gateway = await buildGateway({
    configText: `
model_list:
  - model_name: rotated
    litellm_params:
      model: openai/require-key:sk-after-rotation
      api_base: ${upstream.baseUrl}
`,
    secrets,
    upstream: createNodeHttpUpstreamClient(),
    clock: { now: Date.now },
    ids: { next: randomUUID },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
});
afterAll(() => upstream.close());

function ask() {
  return gateway.handle({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer sk-master-rotation-test' },
    body: new TextEncoder().encode(JSON.stringify({ model: 'rotated', messages: [{ role: 'user', content: 'hi' }] })),
    signal: new AbortController().signal,
  });
}

describe('provider keys rotated in the secret', () => {
  it('re-reads the secret after a 401 and retries once with the rotated key', async () => {
    const before = await ask();
    secrets.rotate('sk-after-rotation');

    const after = await ask();

    expect(before.status).toBe(401);
    expect(after.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers['authorization']).toBe('Bearer sk-after-rotation');
  });

  it('does not show the provider key in the error the client sees', async () => {
    secrets.rotate('sk-yet-another-key-123');
    secrets.refresh?.();

    const response = await ask();

    expect(response.status).toBe(401);
    expect(String(response.body)).not.toContain('sk-yet-another-key-123');
  });
});
