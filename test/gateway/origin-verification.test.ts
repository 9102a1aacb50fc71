// Secrets Manager is mocked with aws-sdk-client-mock, as in secrets-manager-secret-source.test.ts:
// no local Secrets Manager engine exists to run against.
import { Writable } from 'node:stream';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ORIGIN_VERIFY_HEADER, createOriginCheck, withoutOriginHeader } from '../../functions/gateway/origin-verification.js';

const ORIGIN_SECRET = 'Q7pLx2VfN9sKd4TgHc8WmZr3YbJ6aEu1';
const ORIGIN_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:origin-verify-AbCdEf';
const MASTER_KEY = 'sk-origin-test-master-key';

interface Prelude {
  statusCode: number;
  headers: Record<string, string>;
}

type StreamingHandler = (event: unknown, responseStream: Writable, context: object) => Promise<void>;

/** The handler module loaded afresh (a cold start), with `awslambda` stubbed as Lambda provides it. */
async function coldStart(): Promise<(event: unknown) => Promise<{ status: number | undefined; text: string }>> {
  const preludes = new WeakMap<Writable, Prelude>();
  vi.stubGlobal('awslambda', {
    streamifyResponse: (handler: StreamingHandler) => handler,
    HttpResponseStream: {
      from: (stream: Writable, prelude: Prelude) => {
        preludes.set(stream, prelude);
        return stream;
      },
    },
  });
  vi.resetModules();
  const handler = (await import('../../functions/gateway/handler.js')).handler as unknown as StreamingHandler;
  return async (event) => {
    const chunks: string[] = [];
    const responseStream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    await handler(event, responseStream, {});
    return { status: preludes.get(responseStream)?.statusCode, text: chunks.join('') };
  };
}

function functionUrlEvent(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return {
    version: '2.0',
    rawPath: path,
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', ...headers },
    requestContext: { http: { method, path, sourceIp: '203.0.113.7' } },
    ...(body === undefined ? {} : { body, isBase64Encoded: false }),
  };
}

describe('createOriginCheck', () => {
  const check = createOriginCheck(ORIGIN_SECRET);

  it('accepts a request when it carries the secret in the origin-verify header', () => {
    expect(check({ [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET })).toBe(true);
  });

  it.each([
    ['no header', {}],
    ['an empty value', { [ORIGIN_VERIFY_HEADER]: '' }],
    ['a prefix of the secret', { [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET.slice(0, -1) }],
    ['the secret with a character more', { [ORIGIN_VERIFY_HEADER]: `${ORIGIN_SECRET}x` }],
    ['the secret in another header', { authorization: `Bearer ${ORIGIN_SECRET}` }],
  ])('refuses a request when it carries %s', (_name, headers) => {
    expect(check(headers)).toBe(false);
  });

  it('refuses to be built when the expected value is empty', () => {
    expect(() => createOriginCheck('')).toThrow(/empty/);
  });

  it('removes the origin-verify header, in any letter case, when the headers are passed on', () => {
    expect(withoutOriginHeader({ 'X-Gateway-Origin-Verify': ORIGIN_SECRET, authorization: 'Bearer k' })).toEqual({ authorization: 'Bearer k' });
  });
});

describe('gateway handler with edge protection', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  let logged: string[];

  beforeAll(() => {
    vi.stubEnv('PROVIDER_KEYS_SECRET_ARN', undefined);
    vi.stubEnv('TENANCY_TABLE', undefined);
    vi.stubEnv('COUNTERS_TABLE', undefined);
    vi.stubEnv('GATEWAY_MASTER_KEY', MASTER_KEY);
    vi.stubEnv('ORIGIN_VERIFY_SECRET_ARN', ORIGIN_SECRET_ARN);
    vi.stubEnv('AWS_REGION', 'us-east-1');
  });

  beforeEach(() => {
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand, { SecretId: ORIGIN_SECRET_ARN }).resolves({ SecretString: ORIGIN_SECRET });
    logged = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((line) => {
      logged.push(String(line));
      return true;
    });
  });

  afterAll(() => {
    secretsManager.restore();
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('answers 403 in the OpenAI error shape when a request comes without the origin header', async () => {
    const invoke = await coldStart();

    const { status, text } = await invoke(functionUrlEvent('GET', '/health'));

    expect(status).toBe(403);
    expect(JSON.parse(text)).toEqual({
      error: { message: expect.any(String), type: 'permission_error', param: null, code: 'direct_access_forbidden' },
    });
  });

  it('answers 403 before authenticating when a request with the master key comes without the origin header', async () => {
    const invoke = await coldStart();

    const { status } = await invoke(functionUrlEvent('GET', '/v1/models', { authorization: `Bearer ${MASTER_KEY}` }));

    expect(status).toBe(403);
    expect(logged.filter((line) => line.includes('gateway_ready'))).toHaveLength(0);
  });

  it('serves a request when it carries the origin header', async () => {
    const invoke = await coldStart();

    const { status } = await invoke(functionUrlEvent('GET', '/v1/models', { authorization: `Bearer ${MASTER_KEY}`, [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET }));

    expect(status).toBe(200);
    // The refused request's proof (no gateway_ready line) holds only because a served one logs it.
    expect(logged.some((line) => line.includes('gateway_ready'))).toBe(true);
  });

  it('reads the secret once when a container serves many requests', async () => {
    const invoke = await coldStart();

    for (let index = 0; index < 3; index++) await invoke(functionUrlEvent('GET', '/health', { [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET }));
    await invoke(functionUrlEvent('GET', '/health'));

    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('answers 503 and reads the secret again on the next request when Secrets Manager fails', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: ORIGIN_SECRET });
    const invoke = await coldStart();
    const headers = { [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET };

    const first = await invoke(functionUrlEvent('GET', '/health', headers));
    const second = await invoke(functionUrlEvent('GET', '/health', headers));

    expect([first.status, second.status]).toEqual([503, 200]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('keeps the origin secret out of every log line', async () => {
    const invoke = await coldStart();

    await invoke(functionUrlEvent('POST', '/v1/chat/completions', { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', [ORIGIN_VERIFY_HEADER]: ORIGIN_SECRET }, JSON.stringify({ model: 'nope', messages: [] })));
    await invoke(functionUrlEvent('GET', '/health', { [ORIGIN_VERIFY_HEADER]: `${ORIGIN_SECRET}-wrong` }));

    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('')).not.toContain(ORIGIN_SECRET);
  });
});
