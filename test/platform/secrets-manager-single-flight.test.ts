// Secrets Manager is mocked with aws-sdk-client-mock: no local Secrets Manager engine exists to run
// against. Everything else is real: the gateway core, the node:http upstream client, and a fake
// provider on 127.0.0.1 that refuses every key but one with a 401.
import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type BuiltGateway } from '../../functions/core/build-gateway.js';
import { createEnvironmentSecretSource } from '../../functions/platform/environment-secret-source.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';
import { createSecretsManagerSecretSource } from '../../functions/platform/secrets-manager-secret-source.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.js';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gateway-keys-AbCdEf';
const MASTER_KEY = 'sk-master-single-flight-test';
const ACCEPTED_KEY = 'sk-accepted-by-the-provider';
const BURST = 50;

const secretsManager = mockClient(SecretsManagerClient);

function givenProviderKey(key: string): void {
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: JSON.stringify({ OPENAI_API_KEY: key }) });
}

function secretReads(): number {
  return secretsManager.commandCalls(GetSecretValueCommand).length;
}

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
afterEach(() => {
  secretsManager.reset();
});

/** A gateway whose provider key comes from the (mocked) secret, on a clock the test moves. */
async function gatewayOnClock(clock: { nowMs: number }): Promise<BuiltGateway> {
  return buildGateway({
    configText: `
model_list:
  - model_name: strict
    litellm_params:
      model: openai/require-key:${ACCEPTED_KEY}
      api_base: ${upstream.baseUrl}
      api_key: os.environ/OPENAI_API_KEY
`,
    secrets: createSecretsManagerSecretSource({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      secretId: SECRET_ID,
      fallback: createEnvironmentSecretSource({ GATEWAY_MASTER_KEY: MASTER_KEY }),
      now: () => clock.nowMs,
    }),
    upstream: createNodeHttpUpstreamClient(),
    clock: { now: () => clock.nowMs },
    ids: { next: randomUUID },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

async function burst(gateway: BuiltGateway): Promise<number[]> {
  const responses = await Promise.all(
    Array.from({ length: BURST }, () =>
      gateway.handle({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${MASTER_KEY}` },
        body: new TextEncoder().encode(JSON.stringify({ model: 'strict', messages: [{ role: 'user', content: 'hi' }] })),
        signal: new AbortController().signal,
      }),
    ),
  );
  return responses.map((response) => response.status);
}

describe('refreshing provider keys from Secrets Manager after upstream 401s', () => {
  it('reads the secret once for 50 concurrent 401s, then not at all for a second burst within the interval', async () => {
    const clock = { nowMs: 1_700_000_000_000 };
    givenProviderKey('sk-refused-by-the-provider');
    const gateway = await gatewayOnClock(clock);
    await burst(gateway); // the first read of the secret, at start-up
    clock.nowMs += 30_000;
    secretsManager.resetHistory();

    const first = await burst(gateway);
    const readsInFirstBurst = secretReads();
    clock.nowMs += 10_000;
    const second = await burst(gateway);

    expect(first).toEqual(Array(BURST).fill(401));
    expect(readsInFirstBurst).toBe(1);
    expect(second).toEqual(Array(BURST).fill(401));
    expect(secretReads()).toBe(1);
  });

  it('serves all 50 concurrent requests with the rotated key after one read when the key was rotated', async () => {
    const clock = { nowMs: 1_700_000_000_000 };
    givenProviderKey('sk-before-rotation');
    const gateway = await gatewayOnClock(clock);
    await burst(gateway);
    clock.nowMs += 30_000;
    secretsManager.resetHistory();
    givenProviderKey(ACCEPTED_KEY);

    const statuses = await burst(gateway);

    expect(statuses).toEqual(Array(BURST).fill(200));
    expect(secretReads()).toBe(1);
  });
});

describe('createSecretsManagerSecretSource refresh', () => {
  const source = (clock: { nowMs: number }, minRefreshIntervalMs?: number) =>
    createSecretsManagerSecretSource({
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      secretId: SECRET_ID,
      now: () => clock.nowMs,
      ...(minRefreshIntervalMs !== undefined ? { minRefreshIntervalMs } : {}),
    });

  it('keeps the values when refresh comes sooner than the minimum interval after the last read', async () => {
    const clock = { nowMs: 1_700_000_000_000 };
    givenProviderKey('sk-first');
    const secrets = source(clock);
    await secrets.get('OPENAI_API_KEY');
    givenProviderKey('sk-second');
    clock.nowMs += 29_999;

    secrets.refresh!();

    expect(await secrets.get('OPENAI_API_KEY')).toBe('sk-first');
    expect(secretReads()).toBe(1);
  });

  it('takes the minimum interval from its options', async () => {
    const clock = { nowMs: 1_700_000_000_000 };
    givenProviderKey('sk-first');
    const secrets = source(clock, 5_000);
    await secrets.get('OPENAI_API_KEY');
    givenProviderKey('sk-second');
    clock.nowMs += 5_000;

    secrets.refresh!();

    expect(await secrets.get('OPENAI_API_KEY')).toBe('sk-second');
  });

  it('joins a read in flight when refresh comes during it, even with no minimum interval', async () => {
    const clock = { nowMs: 1_700_000_000_000 };
    givenProviderKey('sk-first');
    const secrets = source(clock, 0);

    const reads = [secrets.get('OPENAI_API_KEY')];
    secrets.refresh!();
    reads.push(secrets.get('OPENAI_API_KEY'));
    await Promise.all(reads);

    expect(secretReads()).toBe(1);
  });
});
