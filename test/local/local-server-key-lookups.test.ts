import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../../functions/core/build-gateway.js';
import type { GatewayHandler } from '../../functions/core/http/gateway-http.js';
import type { TenancyStore } from '../../functions/core/tenancy/tenancy-store.js';
import { createLocalAdminHandler } from '../../functions/local/local-tenancy.js';
import { startLocalServer, type LocalServer } from '../../functions/local/local-server.js';
import { createDynamoDbTenancy } from '../../functions/platform/dynamodb/dynamodb-tenancy.js';
import { createEnvironmentSecretSource } from '../../functions/platform/environment-secret-source.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';
import { useTestTables } from '../support/dynamodb-test-tables.js';

const MASTER_KEY = 'sk-key-lookups-master-key-0123456789';
const CONFIG = `
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
  key_cache_ttl_seconds: 60
`;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const tables = useTestTables();
let server: LocalServer;
let admin: GatewayHandler;
/** Key lookups that reached DynamoDB. */
let lookups = 0;

beforeAll(async () => {
  const clock = { now: Date.now };
  const tenancy = createDynamoDbTenancy(tables.client, tables.names, clock);
  const counted: TenancyStore = Object.create(tenancy.store, {
    findKeyByHash: { value: (keyHash: string) => (lookups++, tenancy.store.findKeyByHash(keyHash)) },
  });
  const gateway = await buildGateway({
    configText: CONFIG,
    secrets: createEnvironmentSecretSource({ GATEWAY_MASTER_KEY: MASTER_KEY }),
    upstream: createNodeHttpUpstreamClient(),
    clock,
    ids: { next: randomUUID },
    logger: silent,
    tenancy: { store: counted, counters: tenancy.counters },
  });
  admin = createLocalAdminHandler(tenancy, clock, silent);
  server = await startLocalServer({ handle: gateway.handle, preflight: gateway.preflight, maxRequestBytes: gateway.maxRequestBytes, port: 0 });
});
afterAll(() => server?.close());

async function createKey(tenantId: string): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const response = await admin({ method: 'POST', path, headers: {}, body: Buffer.from(JSON.stringify(body)), signal: new AbortController().signal });
    return JSON.parse(response.body as string) as { key: string };
  };
  await call('/admin/tenants', { id: tenantId, name: tenantId });
  return (await call('/admin/keys', { tenant_id: tenantId })).key;
}

function chat(key: string): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('local server: authentication in the preflight and the handler', () => {
  it('looks a virtual key up once although the preflight and the handler both authenticate it', async () => {
    const key = await createKey(`lookups-${randomUUID().slice(0, 8)}`);
    lookups = 0;

    const response = await chat(key);

    expect(response.status).toBe(200);
    expect(lookups).toBe(1);
  });
});
