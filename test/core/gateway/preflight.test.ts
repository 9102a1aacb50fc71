import { beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type BuiltGateway } from '../../../functions/core/build-gateway.js';
import type { PreflightRequest } from '../../../functions/core/gateway/preflight.js';

const MASTER_KEY = 'sk-preflight-master-key-0123456789';
const CONFIG = `
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
general_settings:
  master_key: ${MASTER_KEY}
  max_request_size_mb: 1
`;

let gateway: BuiltGateway;
beforeAll(async () => {
  let sequence = 0;
  gateway = await buildGateway({
    configText: CONFIG,
    secrets: { get: async () => undefined },
    upstream: { send: () => Promise.reject(new Error('no upstream in this test')) },
    clock: { now: () => 0 },
    ids: { next: () => `generated-${++sequence}` },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
});

const withKey = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

function request(method: string, path: string, headers: Record<string, string | undefined> = {}): PreflightRequest {
  return { method, path, headers };
}

describe('preflight', () => {
  it('lets a request with the master key proceed', async () => {
    const answer = await gateway.preflight(request('POST', '/v1/chat/completions', withKey(MASTER_KEY)));

    expect(answer).toBeUndefined();
  });

  it('lets /health proceed without a key', async () => {
    const answer = await gateway.preflight(request('GET', '/health'));

    expect(answer).toBeUndefined();
  });

  it('answers 401 invalid_api_key in the OpenAI shape when no key is sent', async () => {
    const answer = await gateway.preflight(request('POST', '/v1/chat/completions'));

    expect(answer?.status).toBe(401);
    expect(JSON.parse(answer?.body as string)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
  });

  it("answers 401 in Anthropic's shape when a wrong key is sent to /v1/messages", async () => {
    const answer = await gateway.preflight(request('POST', '/v1/messages', { 'x-api-key': 'sk-wrong-key-000000000000' }));

    expect(answer?.status).toBe(401);
    expect(JSON.parse(answer?.body as string)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('answers 404 for an unknown route before looking at the key', async () => {
    const answer = await gateway.preflight(request('POST', '/v1/unknown'));

    expect(answer?.status).toBe(404);
  });

  it('answers 405 with an Allow header for the wrong method', async () => {
    const answer = await gateway.preflight(request('GET', '/v1/chat/completions', withKey(MASTER_KEY)));

    expect(answer?.status).toBe(405);
    expect(answer?.headers['allow']).toBe('POST');
  });

  it('answers 413 when an authenticated request declares a body over the limit', async () => {
    const answer = await gateway.preflight(request('POST', '/v1/chat/completions', withKey(MASTER_KEY, { 'content-length': String(1024 * 1024 + 1) })));

    expect(answer?.status).toBe(413);
  });

  it('answers 401 rather than 413 when an unauthenticated request declares a body over the limit', async () => {
    const answer = await gateway.preflight(request('POST', '/v1/chat/completions', { 'content-length': String(1024 * 1024 + 1) }));

    expect(answer?.status).toBe(401);
  });

  it("echoes the client's x-request-id and adds the gateway's own id on a refusal", async () => {
    const answer = await gateway.preflight(request('POST', '/v1/chat/completions', { 'x-request-id': 'client-42' }));

    expect(answer?.headers['x-request-id']).toBe('client-42');
    expect(answer?.headers['x-gateway-request-id']).toMatch(/^generated-/);
  });

  it('answers 401 to an admin request that carries a key other than the master key', async () => {
    const answer = await gateway.preflight(request('GET', '/admin/tenants', withKey('sk-not-the-master-key-0000')), { admin: true });

    expect(answer?.status).toBe(401);
  });

  it('lets an admin request with the master key proceed whatever the admin path', async () => {
    const answer = await gateway.preflight(request('DELETE', '/admin/anything', withKey(MASTER_KEY)), { admin: true });

    expect(answer).toBeUndefined();
  });
});
