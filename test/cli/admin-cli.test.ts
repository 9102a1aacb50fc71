import { createHash } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/admin-cli.js';
import { createAdminHandler, type AdminHandler } from '../../functions/core/admin/admin-handler.js';
import { createInMemoryTenancyStore } from '../core/admin/in-memory-tenancy-store.js';
import { useAdminCli } from './cli-harness.js';

const MASTER_KEY = 'sk-cli-test-master-key';
const NOW = Date.parse('2026-01-01T00:00:00.000Z');

describe('admin CLI', () => {
  let handler: AdminHandler;
  const cli = useAdminCli(MASTER_KEY, () => handler);
  const { run } = cli;

  beforeEach(() => {
    let id = 0;
    let secret = 0;
    handler = createAdminHandler({
      store: createInMemoryTenancyStore(),
      clock: { now: () => NOW },
      ids: { next: () => String(++id) },
      randomSecret: () => `abcd${++secret}`.padEnd(43, 'x'),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
  });

  it('prints the new tenant as a key/value table when a tenant is created', async () => {
    const result = await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme', '--budget', '100', '--budget-duration', '1mo', '--rpm', '600']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'id               acme',
        'name             Acme',
        'max_budget       100',
        'budget_duration  1mo',
        'rpm_limit        600',
        'metadata         {}',
        'created_at       2026-01-01T00:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('prints an aligned table when tenants are listed', async () => {
    await run([
      'tenants', 'create', '--id', 'acme', '--name', 'Acme', '--budget', '100', '--budget-duration', '1mo', '--rpm', '600',
      '--max-parallel-requests', '8', '--models', 'gpt-4o,demo',
    ]);
    await run(['tenants', 'create', '--id', 'beta', '--name', 'Beta Industries', '--budget', '5']);

    const result = await run(['tenants', 'list']);

    expect(result.stdout).toBe(
      [
        'ID    NAME             BUDGET       RPM  TPM  PARALLEL  MODELS       CREATED',
        'acme  Acme             $100/1mo     600  -    8         gpt-4o,demo  2026-01-01T00:00:00.000Z',
        'beta  Beta Industries  $5 lifetime  -    -    -         all          2026-01-01T00:00:00.000Z',
        '',
      ].join('\n'),
    );
  });

  it('says there are none when the tenant list is empty', async () => {
    const result = await run(['tenants', 'list']);

    expect(result.stdout).toBe('No tenants.\n');
  });

  it('prints the secret once and a reminder when a key is created', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);

    const result = await run(['keys', 'create', '--tenant', 'acme', '--name', 'ci', '--expires-in', '30d']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`key         sk-gw-abcd1${'x'.repeat(38)}\n`);
    expect(result.stdout).toContain('expires_at  2026-01-31T00:00:00.000Z\n');
    expect(result.stderr).toMatch(/not shown again/);
  });

  it('prints an aligned table when a tenant\'s keys are listed', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);
    await run(['tenants', 'create', '--id', 'beta', '--name', 'Beta']);
    await run([
      'keys', 'create', '--tenant', 'acme', '--name', 'ci', '--rpm', '60', '--budget', '50', '--budget-duration', '30d',
      '--max-parallel-requests', '2',
    ]);
    await run(['keys', 'create', '--tenant', 'beta', '--name', 'other']);

    const result = await run(['keys', 'list', '--tenant', 'acme']);

    expect(result.stdout).toBe(
      [
        'ID     TENANT  NAME  PREFIX      STATUS  BUDGET   RPM  TPM  PARALLEL  EXPIRES',
        'key_1  acme    ci    sk-gw-abcd  active  $50/30d  60   -    2         never',
        '',
      ].join('\n'),
    );
  });

  it('never prints a secret or hash when keys are listed', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);
    const created = await run(['keys', 'create', '--tenant', 'acme', '--json']);
    const secret = JSON.parse(created.stdout).key as string;

    const result = await run(['keys', 'list', '--json']);

    expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toContain(createHash('sha256').update(secret).digest('hex'));
  });

  it('shows the status revoked when a key is revoked', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);
    await run(['keys', 'create', '--tenant', 'acme']);

    const result = await run(['keys', 'revoke', 'key_1']);

    expect(result.stdout).toMatch(/^status\s+revoked$/m);
  });

  it('prints a new secret for the same id when a key is rotated', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);
    await run(['keys', 'create', '--tenant', 'acme']);

    const result = await run(['keys', 'rotate', 'key_1']);

    expect(result.stdout).toMatch(/^id\s+key_1$/m);
    expect(result.stdout).toContain(`sk-gw-abcd2${'x'.repeat(38)}`);
  });

  it('prints one key as a key/value table when it is asked for', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);
    await run(['keys', 'create', '--tenant', 'acme', '--models', 'demo,gpt-4o']);

    const result = await run(['keys', 'get', 'key_1']);

    expect(result.stdout).toMatch(/^models\s+demo,gpt-4o$/m);
    expect(result.stdout).not.toMatch(/^key\s/m);
  });

  it('prints the raw JSON answer when --json is given', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);

    const result = await run(['tenants', 'get', 'acme', '--json']);

    expect(JSON.parse(result.stdout)).toEqual({ id: 'acme', name: 'Acme', metadata: {}, created_at: '2026-01-01T00:00:00.000Z' });
  });

  it('confirms the deletion when a tenant is deleted', async () => {
    await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme']);

    const result = await run(['tenants', 'delete', 'acme']);

    expect(result.stdout).toBe('id       acme\ndeleted  true\n');
  });

  it('exits 1 with the server\'s message when the tenant does not exist', async () => {
    const result = await run(['tenants', 'get', 'nobody']);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("Error: Tenant 'nobody' does not exist. (HTTP 404)\n");
    expect(result.stdout).toBe('');
  });

  it('exits 1 with the server\'s message when the server refuses a value', async () => {
    const result = await run(['tenants', 'create', '--id', 'acme', '--name', 'Acme', '--rpm', '0']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rpm_limit/);
  });

  it('exits 1 when the master key is wrong', async () => {
    const result = await run(['tenants', 'list'], { GATEWAY_MASTER_KEY: 'sk-wrong' });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: Incorrect API key provided. (HTTP 401)\n');
  });

  it('uses --master-key over the environment when both are given', async () => {
    const result = await run(['tenants', 'list', '--master-key', MASTER_KEY], { GATEWAY_MASTER_KEY: 'sk-wrong' });

    expect(result.code).toBe(0);
  });

  it('exits 1 without calling when there is no master key for a local URL', async () => {
    const result = await run(['tenants', 'list'], { GATEWAY_MASTER_KEY: undefined });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/GATEWAY_MASTER_KEY/);
  });

  it('uses --url over GATEWAY_ADMIN_URL when both are given', async () => {
    const result = await run(['tenants', 'list', '--url', cli.url], { GATEWAY_ADMIN_URL: 'http://127.0.0.1:1' });

    expect(result.code).toBe(0);
  });

  it('exits 1 naming the URL when the server cannot be reached', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const result = await run(['tenants', 'list', '--url', `http://127.0.0.1:${port}`]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Cannot reach http://127.0.0.1:${port}`);
  });

  it('exits 1 with the usage hint when the command is unknown', async () => {
    const result = await run(['users', 'list']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--help/);
  });

  it('prints the usage and exits 0 when asked for help', async () => {
    const result = await run(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run admin/);
  });
});

describe('admin CLI against a Lambda function URL', () => {
  const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' });

  async function capture(argv: string[], env: Record<string, string> = {}): Promise<{ url: string; init: RequestInit; code: number }> {
    const calls: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), init: init ?? {} });
      return new Response('{"object":"list","data":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const code = await main(argv, { stdout: () => {}, stderr: () => {}, env, fetch: fakeFetch, awsCredentials: credentials });
    const call = calls[0];
    if (!call) throw new Error('no request was sent');
    return { ...call, code };
  }

  it('signs with SigV4 for lambda in the URL\'s region when the URL is a function URL', async () => {
    const { init } = await capture(['keys', 'list', '--tenant', 'acme', '--url', 'https://abc123.lambda-url.eu-west-1.on.aws']);

    const headers = init.headers as Record<string, string>;
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('session-token');
  });

  it('signs the SHA-256 of the body when the call has one', async () => {
    const { init } = await capture(['tenants', 'create', '--name', 'Acme', '--url', 'https://abc123.lambda-url.us-east-2.on.aws']);

    const headers = init.headers as Record<string, string>;
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(init.body as string).digest('hex'));
    expect(headers['authorization']).toContain('x-amz-content-sha256');
  });

  it('sends no master key when the URL is a function URL', async () => {
    const { init } = await capture(['tenants', 'list', '--url', 'https://abc123.lambda-url.eu-west-1.on.aws'], { GATEWAY_MASTER_KEY: 'sk-master' });

    expect(JSON.stringify(init.headers)).not.toContain('sk-master');
  });

  it('calls the admin path with the query when the URL is a function URL', async () => {
    const { url } = await capture(['keys', 'list', '--tenant', 'acme', '--url', 'https://abc123.lambda-url.eu-west-1.on.aws/']);

    expect(url).toBe('https://abc123.lambda-url.eu-west-1.on.aws/admin/keys?tenant_id=acme');
  });
});
