import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ProviderHttpRequest } from '../../functions/core/providers/provider.js';
import { createSigV4RequestSigner, type AwsCredentialIdentity } from '../../functions/platform/sigv4-request-signer.js';

const SIGNING_DATE = new Date('2024-01-02T03:04:05Z');
const STATIC_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SESSION_CREDENTIALS: AwsCredentialIdentity = { ...STATIC_CREDENTIALS, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'session-token-example' };

function bedrockRequest(overrides: Partial<ProviderHttpRequest> = {}): ProviderHttpRequest {
  return {
    method: 'POST',
    url: 'https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: '{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}',
    signing: { service: 'bedrock', region: 'eu-west-1' },
    ...overrides,
  };
}

function signerWith(credentials: AwsCredentialIdentity) {
  return createSigV4RequestSigner({ credentials: async () => credentials, now: () => SIGNING_DATE });
}

/** SigV4 written out from AWS's specification, to check the SDK signer against (path segments encoded twice, as for every service but S3). */
function expectedSignature(request: ProviderHttpRequest, headers: Record<string, string>, signedHeaders: string[], credentials: AwsCredentialIdentity): string {
  const url = new URL(request.url);
  const { region, service } = request.signing!;
  const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalPath = url.pathname.split('/').map(encode).join('/');
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const canonicalRequest = [
    request.method,
    canonicalPath,
    '',
    ...signedHeaders.map((name) => `${name}:${headers[name]}`),
    '',
    signedHeaders.join(';'),
    sha256(request.body ?? ''),
  ].join('\n');
  const amzDate = headers['x-amz-date']!;
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  let key = hmac(`AWS4${credentials.secretAccessKey}`, amzDate.slice(0, 8));
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('createSigV4RequestSigner', () => {
  it('passes a request without signing through unchanged', async () => {
    const request = bedrockRequest({ signing: undefined, headers: { authorization: 'Bearer sk-1' } });

    const signed = await signerWith(STATIC_CREDENTIALS)(request);

    expect(signed).toBe(request);
  });

  it('scopes the credential to the date, region and service the request names', async () => {
    const signed = await signerWith(STATIC_CREDENTIALS)(bedrockRequest({ signing: { service: 'bedrock', region: 'eu-west-1' } }));

    expect(signed.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240102\/eu-west-1\/bedrock\/aws4_request, /);
  });

  it('signs content-type, accept, host and x-amz-date with long-term credentials', async () => {
    const signed = await signerWith(STATIC_CREDENTIALS)(bedrockRequest());

    expect(signed.headers['authorization']).toContain('SignedHeaders=accept;content-type;host;x-amz-date, ');
    expect(signed.headers).toMatchObject({ host: 'bedrock-runtime.eu-west-1.amazonaws.com', 'x-amz-date': '20240102T030405Z' });
    expect(signed.headers).not.toHaveProperty('x-amz-security-token');
  });

  it('adds and signs x-amz-security-token with temporary credentials (the Lambda role)', async () => {
    const signed = await signerWith(SESSION_CREDENTIALS)(bedrockRequest());

    expect(signed.headers['x-amz-security-token']).toBe('session-token-example');
    expect(signed.headers['authorization']).toContain('SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, ');
  });

  it('produces the signature the SigV4 specification gives, with the encoded model id encoded once more', async () => {
    const request = bedrockRequest();

    const signed = await signerWith(SESSION_CREDENTIALS)(request);

    const signature = /Signature=([0-9a-f]{64})$/.exec(signed.headers['authorization'] ?? '')?.[1];
    const signedHeaders = ['accept', 'content-type', 'host', 'x-amz-date', 'x-amz-security-token'];
    expect(signature).toBe(expectedSignature(request, signed.headers, signedHeaders, SESSION_CREDENTIALS));
  });

  it('keeps the port in the host header of a non-default port', async () => {
    const signed = await signerWith(STATIC_CREDENTIALS)(bedrockRequest({ url: 'http://127.0.0.1:8123/model/m/converse' }));

    expect(signed.headers['host']).toBe('127.0.0.1:8123');
  });

  it('keeps the request headers, url and body', async () => {
    const request = bedrockRequest();

    const signed = await signerWith(STATIC_CREDENTIALS)(request);

    expect(signed).toMatchObject({ method: 'POST', url: request.url, body: request.body, headers: request.headers });
  });

  it('does not send x-amz-content-sha256 (Bedrock does not need it)', async () => {
    const signed = await signerWith(STATIC_CREDENTIALS)(bedrockRequest());

    expect(signed.headers).not.toHaveProperty('x-amz-content-sha256');
  });

  it('rejects when the credentials cannot be found', async () => {
    const signer = createSigV4RequestSigner({ credentials: () => Promise.reject(new Error('no credentials')) });

    const signing = signer(bedrockRequest());

    await expect(signing).rejects.toThrow('no credentials');
  });

  it('asks the credential provider on every request, so refreshed credentials are used', async () => {
    let calls = 0;
    const signer = createSigV4RequestSigner({ credentials: async () => ({ ...STATIC_CREDENTIALS, accessKeyId: `AKID${++calls}` }), now: () => SIGNING_DATE });

    await signer(bedrockRequest());
    const second = await signer(bedrockRequest());

    expect(second.headers['authorization']).toContain('Credential=AKID2/');
  });
});
