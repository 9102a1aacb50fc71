/**
 * Stored responses belong to the tenant whose key created them: another tenant's key gets exactly
 * the 404 of a missing id, on every route that names one. Two tenants on DynamoDB Local, the
 * responses stored in the counters table as on AWS.
 */
import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDynamoDbResponseStore } from '../../functions/platform/dynamodb/dynamodb-response-store.js';
import { createDynamoDbTenancy } from '../../functions/platform/dynamodb/dynamodb-tenancy.js';
import { localDynamoDbClient } from '../../functions/platform/dynamodb/dynamodb-local.js';
import { ensureTables } from '../../functions/platform/dynamodb/table-definitions.js';
import { startFakeResponsesUpstream, type FakeResponsesUpstream } from '../support/fake-responses-upstream.js';
import { startGateway, type RunningGateway } from '../support/start-gateway.js';
import { tenantWithKey, type TenancyEnvironment } from './tenancy-setup.js';

let upstream: FakeResponsesUpstream;
let gateway: RunningGateway;
let acme: OpenAI;
let globex: OpenAI;

beforeAll(async () => {
  upstream = await startFakeResponsesUpstream();
  const suffix = randomUUID().slice(0, 8);
  const names = { tenancy: `tenancy-${suffix}`, counters: `counters-${suffix}` };
  const client = localDynamoDbClient(inject('dynamoDbEndpoint'));
  await ensureTables(client, names);
  const tenancy = createDynamoDbTenancy(client, names, { now: Date.now });
  gateway = await startGateway(
    `
model_list:
  - model_name: demo
    litellm_params:
      model: demo/echo
  - model_name: codex
    litellm_params:
      model: openai/gpt-5.1-codex-max
      api_base: ${upstream.baseUrl}
      api_key: sk-openai-tenancy-provider-key-0000
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`,
    { tenancy, responseStore: createDynamoDbResponseStore({ client, tableName: names.counters }) },
  );
  const environment = { gateway } as TenancyEnvironment;
  const acmeKey = await tenantWithKey(environment, { id: 'acme' });
  const globexKey = await tenantWithKey(environment, { id: 'globex' });
  acme = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: acmeKey.secret, maxRetries: 0 });
  globex = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: globexKey.secret, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const statusOf = (promise: Promise<unknown>) => promise.then(() => 200, (error: InstanceType<typeof OpenAI.APIError>) => error.status);

describe.each(['demo', 'codex'])('a %s response stored by one tenant', (model) => {
  it('is a 404 on retrieve, input_items and delete when another tenant names it', async () => {
    const created = await acme.responses.create({ model, input: 'mine' });

    const statuses = [
      await statusOf(globex.responses.retrieve(created.id)),
      await statusOf(globex.responses.inputItems.list(created.id)),
      await statusOf(globex.responses.delete(created.id)),
    ];

    expect(statuses).toEqual([404, 404, 404]);
    expect(await statusOf(acme.responses.retrieve(created.id))).toBe(200);
  });

  it('is a 404 naming previous_response_id when another tenant continues it', async () => {
    const created = await acme.responses.create({ model, input: 'mine' });
    const sentBefore = upstream.requests.length;

    const failure = await globex.responses.create({ model, input: 'theirs', previous_response_id: created.id }).catch((error: unknown) => error);

    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((failure as InstanceType<typeof OpenAI.APIError>).param).toBe('previous_response_id');
    expect(upstream.requests.length).toBe(sentBefore);
  });
});
