import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/core/auth/key-store.js';
import { InvalidRequestError } from '../../../functions/core/errors.js';
import { ROUTING_OVERRIDE_FIELDS, takeRoutingOverrides } from '../../../functions/core/gateway/routing-overrides.js';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import type { Tenant, VirtualKey } from '../../../functions/core/tenancy/tenancy-types.js';

const MASTER: Principal = { kind: 'master' };

const TENANT: Tenant = { id: 'tenant_acme', name: 'Acme', metadata: {}, created_at: '2026-01-15T12:00:00.000Z' };

function virtualKey(overrides: Partial<VirtualKey> = {}): Principal {
  const key: VirtualKey = {
    id: 'key_3f9c',
    tenant_id: TENANT.id,
    key_hash: 'a'.repeat(64),
    key_prefix: 'sk-gw-ab12',
    status: 'active',
    metadata: {},
    created_at: '2026-01-15T12:00:00.000Z',
    ...overrides,
  };
  return { kind: 'virtual', key, tenant: TENANT };
}

const CHAT = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] } satisfies JsonObject;

/** The InvalidRequestError takeRoutingOverrides throws for `body`, or undefined when it throws none. */
function refusal(body: JsonObject, principal: Principal = MASTER): InvalidRequestError | undefined {
  try {
    takeRoutingOverrides(body, principal);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
}

describe('takeRoutingOverrides with the master key', () => {
  it('honours fallbacks, num_retries and timeout (seconds, as milliseconds)', () => {
    const taken = takeRoutingOverrides({ ...CHAT, fallbacks: ['claude-sonnet'], num_retries: 3, timeout: 5 }, MASTER);

    expect(taken.overrides).toEqual({ fallbacks: ['claude-sonnet'], numRetries: 3, timeoutMs: 5_000 });
    expect(taken.ignored).toEqual([]);
  });

  it('strips the override fields from the body it returns, keeping the rest', () => {
    const taken = takeRoutingOverrides({ ...CHAT, temperature: 0.2, fallbacks: ['claude-sonnet'], num_retries: 3, timeout: 5 }, MASTER);

    expect(taken.body).toEqual({ ...CHAT, temperature: 0.2 });
  });

  it('leaves the body it was given untouched', () => {
    const body: JsonObject = { ...CHAT, fallbacks: ['claude-sonnet'], num_retries: 3, timeout: 5 };

    takeRoutingOverrides(body, MASTER);

    expect(body).toEqual({ ...CHAT, fallbacks: ['claude-sonnet'], num_retries: 3, timeout: 5 });
  });

  it('honours only the fields present', () => {
    expect(takeRoutingOverrides({ ...CHAT, num_retries: 0 }, MASTER).overrides).toEqual({ numRetries: 0 });
  });

  it('honours an empty fallbacks list (no fallbacks for this request)', () => {
    expect(takeRoutingOverrides({ ...CHAT, fallbacks: [] }, MASTER).overrides).toEqual({ fallbacks: [] });
  });

  it('returns a body without override fields as it is, with no overrides', () => {
    const body: JsonObject = { ...CHAT };

    const taken = takeRoutingOverrides(body, MASTER);

    expect(taken.body).toBe(body);
    expect(taken.overrides).toBeUndefined();
    expect(taken.ignored).toEqual([]);
  });

  it('accepts the bounds: num_retries 0 and 10, timeout 86400 s', () => {
    expect(takeRoutingOverrides({ ...CHAT, num_retries: 10, timeout: 86_400 }, MASTER).overrides).toEqual({ numRetries: 10, timeoutMs: 86_400_000 });
  });

  it('reads a tiny timeout (0.0001 s) as 1 ms, not 0', () => {
    expect(takeRoutingOverrides({ ...CHAT, timeout: 0.0001 }, MASTER).overrides).toEqual({ timeoutMs: 1 });
  });

  it('strips override fields sent as null from the body too', () => {
    const taken = takeRoutingOverrides({ ...CHAT, timeout: null, fallbacks: null }, MASTER);

    expect(taken.body).toEqual(CHAT);
  });
});

describe('takeRoutingOverrides with a virtual key', () => {
  it.each([
    ['without allow_routing_overrides', {}],
    ['with allow_routing_overrides: false', { allow_routing_overrides: false }],
  ])('strips the override fields %s and names them as ignored', (_case, key) => {
    const taken = takeRoutingOverrides({ ...CHAT, fallbacks: ['claude-sonnet'], num_retries: 3, timeout: 5 }, virtualKey(key));

    expect(taken.body).toEqual(CHAT);
    expect(taken.overrides).toBeUndefined();
    expect(taken.ignored).toEqual([...ROUTING_OVERRIDE_FIELDS]);
  });

  it('names only the fields present as ignored', () => {
    expect(takeRoutingOverrides({ ...CHAT, timeout: 5 }, virtualKey()).ignored).toEqual(['timeout']);
  });

  it('ignores invalid override values it would not honour anyway, without an error', () => {
    const taken = takeRoutingOverrides({ ...CHAT, num_retries: 11, timeout: '5' }, virtualKey());

    expect(taken.ignored).toEqual(['num_retries', 'timeout']);
    expect(taken.body).toEqual(CHAT);
  });

  it('honours the overrides with allow_routing_overrides: true', () => {
    const taken = takeRoutingOverrides({ ...CHAT, fallbacks: ['claude-sonnet'], num_retries: 3, timeout: 5 }, virtualKey({ allow_routing_overrides: true }));

    expect(taken.overrides).toEqual({ fallbacks: ['claude-sonnet'], numRetries: 3, timeoutMs: 5_000 });
    expect(taken.ignored).toEqual([]);
    expect(taken.body).toEqual(CHAT);
  });

  it('refuses invalid values with allow_routing_overrides: true', () => {
    expect(refusal({ ...CHAT, num_retries: 11 }, virtualKey({ allow_routing_overrides: true }))).toMatchObject({ status: 400, param: 'num_retries' });
  });
});

describe('invalid override values', () => {
  it.each<[string, unknown, string]>([
    ['fallbacks as a string', 'claude-sonnet', 'fallbacks'],
    ['fallbacks with a number', ['claude-sonnet', 3], 'fallbacks'],
    ['fallbacks with an empty name', [''], 'fallbacks'],
    ['fallbacks as a mapping', { 'gpt-4o': ['claude-sonnet'] }, 'fallbacks'],
    ['num_retries 11', 11, 'num_retries'],
    ['num_retries -1', -1, 'num_retries'],
    ['num_retries 1.5', 1.5, 'num_retries'],
    ['num_retries "2"', '2', 'num_retries'],
    ['timeout 0', 0, 'timeout'],
    ['timeout -1', -1, 'timeout'],
    ['timeout 86401', 86_401, 'timeout'],
    ['timeout "5"', '5', 'timeout'],
  ])('refuses %s with a 400 naming the param', (_case, value, param) => {
    const error = refusal({ ...CHAT, [param]: value });

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param });
  });
});
