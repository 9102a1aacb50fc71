import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDynamoDbCounterStore } from '../../functions/platform/dynamodb/dynamodb-counter-store.js';
import { createDynamoDbTenancy } from '../../functions/platform/dynamodb/dynamodb-tenancy.js';
import { createTestTables } from '../support/dynamodb-test-tables.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';
import { TENANCY_CONFIG } from './tenancy-setup.js';

/** Virtual keys in a working tenancy table, but counters behind an address where nothing answers. */
async function gatewayWithDeadCounters(config: string): Promise<{ gateway: RunningGateway; secret: string }> {
  const { client, names } = await createTestTables(inject('dynamoDbEndpoint'));
  const working = createDynamoDbTenancy(client, names, { now: Date.now });
  const deadClient = new DynamoDBClient({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  const tenancy = { ...working, counters: createDynamoDbCounterStore({ client: deadClient, tableName: names.counters }) };
  const gateway = await startGateway(config, { tenancy });
  const headers = { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' };
  await fetch(`${gateway.url}/admin/tenants`, { method: 'POST', headers, body: JSON.stringify({ id: 'outage', name: 'Outage' }) });
  const key = (await (await fetch(`${gateway.url}/admin/keys`, { method: 'POST', headers, body: JSON.stringify({ tenant_id: 'outage', rpm_limit: 10 }) })).json()) as { key: string };
  return { gateway, secret: key.key };
}

function chat(gateway: RunningGateway, secret: string) {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}` },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

const gateways: RunningGateway[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
});

describe('when the counter store is unreachable', () => {
  it('refuses with 503 limits_unavailable by default (fail closed) and logs the choice', async () => {
    const { gateway, secret } = await gatewayWithDeadCounters(TENANCY_CONFIG);
    gateways.push(gateway);

    const response = await chat(gateway, secret);

    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('limits_unavailable');
    expect(gateway.logLines.some((line) => line.event === 'admission.store_unavailable' && line.fields?.['decision'] === 'fail_closed')).toBe(true);
  });

  it('admits without limits when limits_fail_open is set, and logs the choice', async () => {
    const { gateway, secret } = await gatewayWithDeadCounters(`${TENANCY_CONFIG}  limits_fail_open: true\n`);
    gateways.push(gateway);

    const response = await chat(gateway, secret);

    expect(response.status).toBe(200);
    expect(gateway.logLines.some((line) => line.event === 'admission.store_unavailable' && line.fields?.['decision'] === 'fail_open')).toBe(true);
  });
});
