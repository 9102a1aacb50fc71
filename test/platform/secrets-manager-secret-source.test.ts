// Secrets Manager is mocked with aws-sdk-client-mock: no local Secrets Manager engine exists to run against.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretSource } from '../../functions/core/ports.js';
import { createSecretsManagerSecretSource } from '../../functions/platform/secrets-manager-secret-source.js';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gateway-keys-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

function givenSecretString(secretString: string | undefined): void {
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: secretString });
}

function source(fallback?: SecretSource): SecretSource {
  return createSecretsManagerSecretSource({
    client: new SecretsManagerClient({ region: 'eu-west-1' }),
    secretId: SECRET_ID,
    ...(fallback ? { fallback } : {}),
  });
}

function staticSource(values: Record<string, string>): SecretSource {
  return { get: (name) => Promise.resolve(values[name]) };
}

describe('createSecretsManagerSecretSource', () => {
  afterEach(() => {
    secretsManager.reset();
  });

  it('returns the value stored under the name when the secret holds it', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-openai","GROQ_API_KEY":"gsk-groq"}');

    const value = await source().get('GROQ_API_KEY');

    expect(value).toBe('gsk-groq');
  });

  it('reads the secret once when it is asked for many names in turn', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-openai","GROQ_API_KEY":"gsk-groq"}');
    const secrets = source();

    await secrets.get('OPENAI_API_KEY');
    await secrets.get('GROQ_API_KEY');
    await secrets.get('MISSING');

    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads the secret once when the first calls are concurrent', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-openai"}');
    const secrets = source();

    const values = await Promise.all([secrets.get('OPENAI_API_KEY'), secrets.get('OPENAI_API_KEY'), secrets.get('X')]);

    expect(values).toEqual(['sk-openai', 'sk-openai', undefined]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('asks the fallback when the secret lacks the name', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-openai"}');
    const secrets = source(staticSource({ GATEWAY_MASTER_KEY: 'sk-master' }));

    const value = await secrets.get('GATEWAY_MASTER_KEY');

    expect(value).toBe('sk-master');
  });

  it('prefers the secret over the fallback when both hold the name', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-from-secret"}');
    const secrets = source(staticSource({ OPENAI_API_KEY: 'sk-from-environment' }));

    const value = await secrets.get('OPENAI_API_KEY');

    expect(value).toBe('sk-from-secret');
  });

  it('returns undefined when neither the secret nor a fallback holds the name', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-openai"}');

    const value = await source().get('GROQ_API_KEY');

    expect(value).toBeUndefined();
  });

  it('treats the secret as an empty object when its string is empty', async () => {
    givenSecretString('');
    const secrets = source(staticSource({ OPENAI_API_KEY: 'sk-from-environment' }));

    const value = await secrets.get('OPENAI_API_KEY');

    expect(value).toBe('sk-from-environment');
  });

  it('treats the secret as an empty object when it has no string', async () => {
    givenSecretString(undefined);

    const value = await source().get('OPENAI_API_KEY');

    expect(value).toBeUndefined();
  });

  it('fails without quoting the secret when it is not valid JSON', async () => {
    givenSecretString('OPENAI_API_KEY=sk-live-very-secret');

    const error: unknown = await source().get('OPENAI_API_KEY').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/is not valid JSON/);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('sk-live-very-secret');
  });

  it('fails without quoting the secret when it is a JSON array', async () => {
    givenSecretString('["sk-live-very-secret"]');

    const error: unknown = await source().get('OPENAI_API_KEY').catch((caught: unknown) => caught);

    expect((error as Error).message).toMatch(/holds an array; expected a JSON object/);
    expect((error as Error).message).not.toContain('sk-live-very-secret');
  });

  it('fails naming the key but not its value when a value is not a string', async () => {
    givenSecretString('{"OPENAI_API_KEY":{"value":"sk-live-very-secret"}}');

    const error: unknown = await source().get('OPENAI_API_KEY').catch((caught: unknown) => caught);

    expect((error as Error).message).toMatch(/non-string values for: OPENAI_API_KEY/);
    expect((error as Error).message).not.toContain('sk-live-very-secret');
  });

  it('reads the secret again when the previous read failed', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('socket hang up'))
      .resolves({ SecretString: '{"OPENAI_API_KEY":"sk-openai"}' });
    const secrets = source();
    await secrets.get('OPENAI_API_KEY').catch(() => undefined);

    const value = await secrets.get('OPENAI_API_KEY');

    expect(value).toBe('sk-openai');
  });
});

describe('createSecretsManagerSecretSource caching', () => {
  afterEach(() => {
    secretsManager.reset();
  });

  it('reads the secret again once its TTL has passed', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-old"}');
    let now = 0;
    const secrets = createSecretsManagerSecretSource({ client: new SecretsManagerClient({ region: 'eu-west-1' }), secretId: SECRET_ID, ttlMs: 1000, now: () => now });
    await secrets.get('OPENAI_API_KEY');
    givenSecretString('{"OPENAI_API_KEY":"sk-new"}');

    const withinTtl = await secrets.get('OPENAI_API_KEY');
    now = 1000;
    const afterTtl = await secrets.get('OPENAI_API_KEY');

    expect(withinTtl).toBe('sk-old');
    expect(afterTtl).toBe('sk-new');
  });

  it('reads the secret again at once after refresh when the last read is older than the minimum interval', async () => {
    givenSecretString('{"OPENAI_API_KEY":"sk-old"}');
    let nowMs = 1_000_000;
    const secrets = createSecretsManagerSecretSource({ client: new SecretsManagerClient({ region: 'eu-west-1' }), secretId: SECRET_ID, now: () => nowMs });
    await secrets.get('OPENAI_API_KEY');
    givenSecretString('{"OPENAI_API_KEY":"sk-rotated"}');
    nowMs += 30_000;

    secrets.refresh?.();

    expect(await secrets.get('OPENAI_API_KEY')).toBe('sk-rotated');
  });
});
