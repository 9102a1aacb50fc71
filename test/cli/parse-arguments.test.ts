import { describe, expect, it } from 'vitest';
import { parseArguments, UsageError } from '../../functions/cli/parse-arguments.js';
import { command } from './cli-harness.js';

describe('parseArguments', () => {
  it.each([[[]], [['--help']], [['-h']], [['tenants', 'list', '--help']], [['help']]])(
    'asks for the usage text when the arguments are %j',
    (argv) => {
      const parsed = parseArguments(argv);

      expect(parsed.kind).toBe('help');
    },
  );

  it('maps every tenants create option to its body field when all are given', () => {
    const argv = [
      'tenants', 'create', '--id', 'acme', '--name', 'Acme', '--budget', '100', '--budget-duration', '1mo',
      '--rpm', '600', '--tpm', '100000', '--max-parallel-requests', '16', '--models', 'gpt-4o,demo', '--end-user-budget', '5',
      '--metadata', '{"team":"ml"}',
    ];

    const { call } = command(argv);

    expect(call).toEqual({
      method: 'POST',
      path: '/admin/tenants',
      view: 'tenant',
      body: {
        id: 'acme',
        name: 'Acme',
        max_budget: 100,
        budget_duration: '1mo',
        rpm_limit: 600,
        tpm_limit: 100000,
        max_parallel_requests: 16,
        models: ['gpt-4o', 'demo'],
        end_user_max_budget: 5,
        metadata: { team: 'ml' },
      },
    });
  });

  it('accepts --option=value when an option is written with an equals sign', () => {
    const { call } = command(['tenants', 'create', '--name=Acme Corp']);

    expect(call.body).toEqual({ name: 'Acme Corp' });
  });

  it('fails when tenants create has no --name', () => {
    expect(() => parseArguments(['tenants', 'create', '--id', 'acme'])).toThrow(/needs --name/);
  });

  it('lists tenants with GET /admin/tenants when asked for tenants list', () => {
    const { call } = command(['tenants', 'list']);

    expect(call).toEqual({ method: 'GET', path: '/admin/tenants', view: 'tenant-list' });
  });

  it('gets the tenant by id when asked for tenants get', () => {
    const { call } = command(['tenants', 'get', 'acme']);

    expect(call).toEqual({ method: 'GET', path: '/admin/tenants/acme', view: 'tenant' });
  });

  it('patches only the given fields when asked for tenants update', () => {
    const { call } = command(['tenants', 'update', 'acme', '--rpm', '120']);

    expect(call).toEqual({ method: 'PATCH', path: '/admin/tenants/acme', body: { rpm_limit: 120 }, view: 'tenant' });
  });

  it('patches max_parallel_requests when keys update has --max-parallel-requests', () => {
    const { call } = command(['keys', 'update', 'key_1', '--max-parallel-requests', '3']);

    expect(call).toEqual({ method: 'PATCH', path: '/admin/keys/key_1', body: { max_parallel_requests: 3 }, view: 'key' });
  });

  it('fails when --max-parallel-requests is not a number', () => {
    expect(() => parseArguments(['tenants', 'update', 'acme', '--max-parallel-requests', 'many'])).toThrow(
      /--max-parallel-requests must be a number/,
    );
  });

  it('fails when tenants update has nothing to change', () => {
    expect(() => parseArguments(['tenants', 'update', 'acme'])).toThrow(/Nothing to update/);
  });

  it('deletes the tenant when asked for tenants delete', () => {
    const { call } = command(['tenants', 'delete', 'acme']);

    expect(call).toEqual({ method: 'DELETE', path: '/admin/tenants/acme', view: 'deleted' });
  });

  it('maps every keys create option to its body field when all are given', () => {
    const argv = [
      'keys', 'create', '--tenant', 'acme', '--name', 'ci', '--budget', '50', '--budget-duration', '30d',
      '--rpm', '60', '--tpm', '10000', '--max-parallel-requests', '4', '--models', 'demo', '--expires-in', '30d',
    ];

    const { call } = command(argv);

    expect(call).toEqual({
      method: 'POST',
      path: '/admin/keys',
      view: 'created-key',
      body: {
        tenant_id: 'acme',
        name: 'ci',
        max_budget: 50,
        budget_duration: '30d',
        rpm_limit: 60,
        tpm_limit: 10000,
        max_parallel_requests: 4,
        models: ['demo'],
        duration: '30d',
      },
    });
  });

  it('sends expires_at when keys create has --expires-at', () => {
    const { call } = command(['keys', 'create', '--tenant', 'acme', '--expires-at', '2030-01-01T00:00:00Z']);

    expect(call.body).toEqual({ tenant_id: 'acme', expires_at: '2030-01-01T00:00:00Z' });
  });

  it('sends allow_routing_overrides when keys create has --allow-routing-overrides', () => {
    const { call } = command(['keys', 'create', '--tenant', 'acme', '--allow-routing-overrides', 'true']);

    expect(call.body).toEqual({ tenant_id: 'acme', allow_routing_overrides: true });
  });

  it('fails when --allow-routing-overrides is neither true nor false', () => {
    expect(() => parseArguments(['keys', 'update', 'key_1', '--allow-routing-overrides', 'yes'])).toThrow(/must be true or false/);
  });

  it('fails when keys create has both --expires-in and --expires-at', () => {
    expect(() =>
      parseArguments(['keys', 'create', '--tenant', 'acme', '--expires-in', '1d', '--expires-at', '2030-01-01T00:00:00Z']),
    ).toThrow(UsageError);
  });

  it('fails when keys create has no --tenant', () => {
    expect(() => parseArguments(['keys', 'create', '--name', 'ci'])).toThrow(/needs --tenant/);
  });

  it('filters by tenant_id in the query when keys list has --tenant', () => {
    const { call } = command(['keys', 'list', '--tenant', 'acme']);

    expect(call).toEqual({ method: 'GET', path: '/admin/keys', query: { tenant_id: 'acme' }, view: 'key-list' });
  });

  it('sends no query when keys list has no --tenant', () => {
    const { call } = command(['keys', 'list']);

    expect(call).toEqual({ method: 'GET', path: '/admin/keys', view: 'key-list' });
  });

  it.each([
    [['keys', 'get', 'key_1'], 'GET', '/admin/keys/key_1', 'key'],
    [['keys', 'revoke', 'key_1'], 'POST', '/admin/keys/key_1/revoke', 'key'],
    [['keys', 'rotate', 'key_1'], 'POST', '/admin/keys/key_1/rotate', 'created-key'],
    [['keys', 'update', 'key_1', '--name', 'x'], 'PATCH', '/admin/keys/key_1', 'key'],
  ])('calls %j as %s %s', (argv, method, path, view) => {
    const { call } = command(argv);

    expect(call).toMatchObject({ method, path, view });
  });

  it('percent-encodes the id when it has characters a path cannot hold', () => {
    const { call } = command(['keys', 'get', 'a/b?c']);

    expect(call.path).toBe('/admin/keys/a%2Fb%3Fc');
  });

  it('drops blanks and spaces when --models has them', () => {
    const { call } = command(['tenants', 'create', '--name', 'A', '--models', ' gpt-4o , ,demo,']);

    expect(call.body?.models).toEqual(['gpt-4o', 'demo']);
  });

  it('keeps --url, --master-key and --json when they are given', () => {
    const parsed = command(['tenants', 'list', '--url', 'http://127.0.0.1:9', '--master-key', 'sk-x', '--json']);

    expect(parsed).toMatchObject({ url: 'http://127.0.0.1:9', masterKey: 'sk-x', json: true });
  });

  it('leaves url and master key to the environment when they are not given', () => {
    const parsed = command(['tenants', 'list']);

    expect(parsed).toEqual({ kind: 'command', call: expect.any(Object), json: false });
  });

  it.each([
    [['tenants', 'create', '--name', 'A', '--budget', 'lots'], /--budget must be a number/],
    [['tenants', 'create', '--name', 'A', '--rpm', ''], /--rpm must be a number/],
    [['tenants', 'create', '--name', 'A', '--metadata', '{bad'], /--metadata must be a JSON object/],
    [['tenants', 'create', '--name', 'A', '--metadata', '[1]'], /--metadata must be a JSON object/],
    [['tenants', 'create', '--name', 'A', '--colour', 'red'], /Unknown option '--colour'/],
    [['tenants', 'list', '--rpm', '5'], /'tenants list' does not take --rpm/],
    [['keys', 'update', 'key_1', '--tenant', 'beta'], /'keys update' does not take --tenant/],
    [['users', 'list'], /Unknown command 'users'/],
    [['keys', 'delete', 'key_1'], /'keys' needs one of/],
    [['keys'], /'keys' needs one of/],
    [['tenants', 'get'], /Usage: tenants get <id>/],
    [['tenants', 'list', 'extra'], /Usage: tenants list/],
    [['tenants', 'list', '--json=yes'], /--json/],
  ])('fails with a usage error when the arguments are %j', (argv, message) => {
    const attempt = () => parseArguments(argv);

    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});
