/**
 * The admin API over a TenancyStore: tenants and their virtual keys under `/admin`, and cost
 * queries over the usage table (`/admin/usage`, `/admin/usage/requests`) when a usage store is
 * given. Pure: time, ids and randomness come in as options. It does not authenticate: on AWS
 * the admin function URL uses IAM, and locally the server checks the master key first.
 */
import { hashVirtualKey } from '../auth/virtual-key-store.js';
import {
  GatewayError,
  InternalGatewayError,
  InvalidRequestError,
  MethodNotAllowedError,
  RouteNotFoundError,
} from '../errors.js';
import type { GatewayHandler, GatewayHttpRequest, GatewayHttpResponse } from '../http/gateway-http.js';
import type { Clock, IdSource, Logger } from '../ports.js';
import { AlreadyExistsError, NotFoundError, type TenancyStore } from '../tenancy/tenancy-store.js';
import type { Tenant, VirtualKey } from '../tenancy/tenancy-types.js';
import { InvalidUsageCursorError, type UsageQueryStore } from '../usage/usage-query-store.js';
import {
  parseUsageReportQuery,
  parseUsageRequestsQuery,
  queryUsageReport,
  queryUsageRequests,
  usageRecordsToCsv,
} from '../usage/usage-queries.js';
import { MASTER_SCOPE } from '../usage/usage-record.js';
import type { AdminCounterReader } from './admin-counter-reader.js';
import { AdminConflictError, AdminNotFoundError } from './admin-errors.js';
import {
  applyChanges,
  parseJsonObject,
  parseKeyFields,
  parseTenantFields,
  parseTenantId,
  parseTenantReference,
} from './admin-validation.js';
import { formatKeySecret, KEY_SECRET_PREFIX, keyPrefixOf } from './key-secret.js';

export interface AdminHandlerOptions {
  store: TenancyStore;
  /** Adds `usage` to `GET /admin/keys/{id}`; omitted when absent. */
  counters?: AdminCounterReader;
  /** Serves `GET /admin/usage` and `GET /admin/usage/requests`; without it they answer 501. */
  usage?: UsageQueryStore;
  clock: Clock;
  /** Fresh ids for generated tenant ids (`tenant_<id>`) and key ids (`key_<id>`). */
  ids: IdSource;
  /** 43 base64url characters from 32 random bytes; the handler prepends `sk-gw-`. */
  randomSecret: () => string;
  logger: Logger;
}

/**
 * The admin API as an edge sees it. It reads `request.query` (`tenant_id=acme`); when that
 * is absent, a `?…` left on `path` is read instead.
 */
export type AdminHandler = GatewayHandler;

/** A key as the admin API shows it: everything but the hash. */
export type PublicVirtualKey = Omit<VirtualKey, 'key_hash'>;

interface Route {
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, (context: RouteContext) => Promise<GatewayHttpResponse>>>;
}

interface RouteContext {
  readonly request: GatewayHttpRequest;
  readonly parameters: readonly string[];
  readonly query: URLSearchParams;
}

/** Longer ids are never issued; they are not looked up (a store's key size is bounded). */
const MAX_ID_LENGTH = 256;


/** Builds the admin API handler; every answer is JSON, every error OpenAI-shaped. */
export function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const { store, counters, usage, clock, ids, randomSecret, logger } = options;

  const nowIso = (): string => new Date(clock.now()).toISOString();

  async function requireTenant(id: string, param: string | null = null): Promise<Tenant> {
    const tenant = id.length > MAX_ID_LENGTH ? undefined : await store.getTenant(id);
    if (!tenant) throw new AdminNotFoundError(`Tenant '${id}' does not exist.`, param);
    return tenant;
  }

  async function requireKey(id: string): Promise<VirtualKey> {
    // A secret pasted where the id belongs is neither looked up nor echoed.
    if (id.startsWith(KEY_SECRET_PREFIX)) {
      throw new AdminNotFoundError("That is a key's secret, not its id: pass the id (key_…) shown when the key was created.");
    }
    const key = id.length > MAX_ID_LENGTH ? undefined : await store.getKey(id);
    if (!key) throw new AdminNotFoundError(`Key '${id}' does not exist.`);
    return key;
  }

  function requireUsage(): UsageQueryStore {
    if (!usage) {
      throw new GatewayError({
        status: 501,
        message: 'Usage queries are not configured for this admin API (no usage table).',
        type: 'invalid_request_error',
        code: 'usage_not_configured',
      });
    }
    return usage;
  }

  /** Raw records live in per-tenant partitions: the tenant is given, or is the key's. */
  async function tenantOfRequests(tenantId: string | undefined, keyId: string | undefined): Promise<string> {
    if (tenantId !== undefined) return tenantId;
    if (keyId === undefined) {
      throw new InvalidRequestError("'tenant_id' is required (or 'key_id', whose tenant is then used).", 'tenant_id');
    }
    if (keyId === MASTER_SCOPE) return MASTER_SCOPE;
    if (keyId.startsWith(KEY_SECRET_PREFIX)) {
      throw new AdminNotFoundError("That is a key's secret, not its id: pass the id (key_…).", 'key_id');
    }
    const key = keyId.length > MAX_ID_LENGTH ? undefined : await store.getKey(keyId);
    if (!key) throw new AdminNotFoundError(`Key '${keyId}' does not exist.`, 'key_id');
    return key.tenant_id;
  }

  function newSecret(): { secret: string; key_hash: string; key_prefix: string } {
    const secret = formatKeySecret(randomSecret());
    return { secret, key_hash: hashVirtualKey(secret), key_prefix: keyPrefixOf(secret) };
  }

  const routes: readonly Route[] = [
    {
      pattern: /^\/admin\/tenants$/,
      methods: {
        GET: async ({ query }) => {
          rejectQuery(query, []);
          const tenants = await store.listTenants();
          return json(200, { object: 'list', data: sortByCreation(tenants).map(toPublicTenant) });
        },
        POST: async ({ request }) => {
          const { id, ...body } = parseJsonObject(request.body);
          const changes = parseTenantFields(body);
          if (changes.name === undefined) throw new InvalidRequestError("'name' is required.", 'name');
          const tenantId = id === undefined || id === null ? `tenant_${ids.next()}` : parseTenantId(id);
          const tenant = applyChanges<Tenant, typeof changes>(
            { id: tenantId, name: '', metadata: {}, created_at: nowIso() },
            changes,
          );
          try {
            await store.createTenant(tenant);
          } catch (error) {
            if (error instanceof AlreadyExistsError) {
              throw new AdminConflictError(`Tenant '${tenantId}' already exists.`, 'id');
            }
            throw error;
          }
          logger.info('admin_tenant_created', { tenantId });
          return json(201, toPublicTenant(tenant));
        },
      },
    },
    {
      pattern: /^\/admin\/tenants\/([^/]+)$/,
      methods: {
        GET: async ({ parameters: [id] }) => json(200, toPublicTenant(await requireTenant(id as string))),
        PATCH: async ({ request, parameters: [id] }) => {
          const changes = parseTenantFields(parseJsonObject(request.body), ['id', 'created_at']);
          const tenant = applyChanges(await requireTenant(id as string), changes);
          await store.putTenant(tenant);
          logger.info('admin_tenant_updated', { tenantId: tenant.id, fields: Object.keys(changes) });
          return json(200, toPublicTenant(tenant));
        },
        DELETE: async ({ parameters: [id] }) => {
          const tenantId = id as string;
          await requireTenant(tenantId);
          // Only active keys block: revoke them first. A revoked key of a deleted tenant
          // can never authenticate again (its tenant lookup fails). Not atomic with a key
          // created at the same moment; the admin API is a single operator's tool.
          const active = (await store.listKeys(tenantId)).filter((key) => key.status === 'active');
          if (active.length > 0) {
            throw new AdminConflictError(
              `Tenant '${tenantId}' still has ${active.length} active key(s); revoke them before deleting it.`,
            );
          }
          await store.deleteTenant(tenantId);
          logger.info('admin_tenant_deleted', { tenantId });
          return json(200, { id: tenantId, deleted: true });
        },
      },
    },
    {
      pattern: /^\/admin\/keys$/,
      methods: {
        GET: async ({ query }) => {
          rejectQuery(query, ['tenant_id']);
          const tenantId = query.get('tenant_id') ?? undefined;
          if (tenantId !== undefined) await requireTenant(parseTenantReference(tenantId), 'tenant_id');
          const keys = await store.listKeys(tenantId);
          return json(200, { object: 'list', data: sortByCreation(keys).map(toPublicKey) });
        },
        POST: async ({ request }) => {
          const { tenant_id: tenantReference, ...body } = parseJsonObject(request.body);
          if (tenantReference === undefined || tenantReference === null) {
            throw new InvalidRequestError("'tenant_id' is required.", 'tenant_id');
          }
          const now = clock.now();
          const changes = parseKeyFields(body, now, ['status']);
          const tenant = await requireTenant(parseTenantReference(tenantReference), 'tenant_id');
          const { secret, key_hash, key_prefix } = newSecret();
          const key = applyChanges<VirtualKey, typeof changes>(
            {
              id: `key_${ids.next()}`,
              tenant_id: tenant.id,
              key_hash,
              key_prefix,
              status: 'active',
              metadata: {},
              created_at: new Date(now).toISOString(),
            },
            changes,
          );
          try {
            await store.createKey(key);
          } catch (error) {
            // An id or hash collision: with 256-bit secrets, a broken id or random source.
            if (error instanceof AlreadyExistsError) throw new AdminConflictError('The new key collided with an existing one; retry.');
            throw error;
          }
          logger.info('admin_key_created', { keyId: key.id, tenantId: key.tenant_id });
          return json(201, withSecret(key, secret));
        },
      },
    },
    {
      pattern: /^\/admin\/keys\/([^/]+)$/,
      methods: {
        GET: async ({ parameters: [id] }) => {
          const key = await requireKey(id as string);
          if (!counters) return json(200, toPublicKey(key));
          const tenant = await store.getTenant(key.tenant_id);
          if (!tenant) return json(200, toPublicKey(key));
          const usage = await counters.readKeyUsage(key, tenant);
          return json(200, { ...toPublicKey(key), usage });
        },
        PATCH: async ({ request, parameters: [id] }) => {
          const changes = parseKeyFields(parseJsonObject(request.body), clock.now(), ['tenant_id', 'status']);
          const key = applyChanges(await requireKey(id as string), changes);
          await store.putKey(key);
          logger.info('admin_key_updated', { keyId: key.id, tenantId: key.tenant_id, fields: Object.keys(changes) });
          return json(200, toPublicKey(key));
        },
      },
    },
    {
      pattern: /^\/admin\/keys\/([^/]+)\/revoke$/,
      methods: {
        POST: async ({ parameters: [id] }) => {
          const key: VirtualKey = { ...(await requireKey(id as string)), status: 'revoked' };
          await store.putKey(key);
          logger.info('admin_key_revoked', { keyId: key.id, tenantId: key.tenant_id });
          return json(200, toPublicKey(key));
        },
      },
    },
    {
      pattern: /^\/admin\/keys\/([^/]+)\/rotate$/,
      methods: {
        POST: async ({ parameters: [id] }) => {
          const current = await requireKey(id as string);
          if (current.status !== 'active') {
            throw new AdminConflictError(`Key '${current.id}' is ${current.status}; only active keys can be rotated.`);
          }
          const { secret, key_hash, key_prefix } = newSecret();
          const key: VirtualKey = { ...current, key_hash, key_prefix };
          await store.putKey(key);
          logger.info('admin_key_rotated', { keyId: key.id, tenantId: key.tenant_id });
          return json(200, withSecret(key, secret));
        },
      },
    },
    {
      pattern: /^\/admin\/usage$/,
      methods: {
        GET: async ({ query }) => {
          const reader = requireUsage();
          const report = await queryUsageReport(reader, parseUsageReportQuery(query, clock.now()));
          return json(200, report);
        },
      },
    },
    {
      pattern: /^\/admin\/usage\/requests$/,
      methods: {
        GET: async ({ request, query }) => {
          const reader = requireUsage();
          const parsed = parseUsageRequestsQuery(query, clock.now());
          const tenantId = await tenantOfRequests(parsed.filters.tenant_id, parsed.filters.key_id);
          const page = await queryUsageRequests(reader, { ...parsed, filters: { ...parsed.filters, tenant_id: tenantId } });
          if (!acceptsCsv(request.headers.accept)) return json(200, page);
          return {
            status: 200,
            headers: {
              'content-type': 'text/csv; charset=utf-8',
              ...(page.next_cursor === null ? {} : { 'x-next-cursor': page.next_cursor }),
            },
            body: usageRecordsToCsv(page.data),
          };
        },
      },
    },
  ];

  return async (request) => {
    const { path, query } = splitPath(request);
    try {
      const match = findRoute(routes, path);
      if (!match) throw new RouteNotFoundError(request.method, path);
      const operation = match.route.methods[request.method.toUpperCase()];
      if (!operation) throw new MethodNotAllowedError(request.method, path, Object.keys(match.route.methods));
      return await operation({ request, parameters: match.parameters, query: new URLSearchParams(query) });
    } catch (error) {
      return errorResponse(toAdminError(error, logger, request.method, path));
    }
  };
}

function findRoute(routes: readonly Route[], path: string): { route: Route; parameters: string[] } | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    try {
      return { route, parameters: match.slice(1).map((segment) => decodeURIComponent(segment)) };
    } catch {
      throw new InvalidRequestError('The URL path is not valid percent-encoding.');
    }
  }
  return undefined;
}

function splitPath(request: GatewayHttpRequest): { path: string; query: string } {
  const questionMark = request.path.indexOf('?');
  const bare = questionMark === -1 ? request.path : request.path.slice(0, questionMark);
  const query = request.query ?? (questionMark === -1 ? '' : request.path.slice(questionMark + 1));
  const path = bare.length > 1 && bare.endsWith('/') ? bare.slice(0, -1) : bare;
  return { path, query };
}

function rejectQuery(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) throw new InvalidRequestError(`Unrecognized query parameter: ${name}`, name);
  }
}

/** True when the Accept header names `text/csv` (with a non-zero quality). */
function acceptsCsv(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return type === 'text/csv' && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

function toAdminError(error: unknown, logger: Logger, method: string, path: string): GatewayError {
  if (error instanceof GatewayError) return error;
  // The store's own errors: lost races between the read and the write of an update.
  if (error instanceof NotFoundError) return new AdminNotFoundError(error.message);
  if (error instanceof AlreadyExistsError) return new AdminConflictError(error.message);
  if (error instanceof InvalidUsageCursorError) return new InvalidRequestError(error.message, 'cursor');
  logger.error('admin_unhandled_error', { method, path: redact(path), ...describeError(error) });
  return new InternalGatewayError();
}

const SECRET_PATTERN = /sk-[A-Za-z0-9_-]{8,}|\b[0-9a-f]{64}\b/gi;

/** Secrets and hashes never reach the log, even when an SDK message quotes an item. */
function redact(text: string): string {
  return text.replace(SECRET_PATTERN, '[redacted]');
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  return { errorName: error.name, errorMessage: redact(error.message) };
}

function sortByCreation<T extends { id: string; created_at: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

const TENANT_FIELD_ORDER: readonly (keyof Tenant)[] = [
  'id', 'name', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit', 'max_parallel_requests', 'models', 'end_user_max_budget',
  'metadata', 'created_at',
];
const KEY_FIELD_ORDER: readonly (keyof PublicVirtualKey)[] = [
  'id', 'tenant_id', 'name', 'key_prefix', 'status', 'models', 'max_budget', 'budget_duration', 'rpm_limit', 'tpm_limit',
  'max_parallel_requests', 'expires_at', 'allow_routing_overrides', 'metadata', 'created_at',
];

/** The same fields in a fixed order, whatever order the store returned them in; unknown ones last. */
function inOrder<T extends object>(record: T, order: readonly (keyof T)[]): T {
  const ordered: Partial<T> = {};
  for (const field of order) if (record[field] !== undefined) ordered[field] = record[field];
  return { ...ordered, ...record };
}

function toPublicTenant(tenant: Tenant): Tenant {
  return inOrder(tenant, TENANT_FIELD_ORDER);
}

/** A key as the admin API shows it: the fields in a fixed order, `key_hash` left out. */
export function toPublicKey(key: VirtualKey): PublicVirtualKey {
  const { key_hash: _hash, ...rest } = key;
  return inOrder<PublicVirtualKey>(rest, KEY_FIELD_ORDER);
}

function withSecret(key: VirtualKey, secret: string): { id: string; key: string } & Omit<PublicVirtualKey, 'id'> {
  const { id, ...rest } = toPublicKey(key);
  return { id, key: secret, ...rest };
}

function json(status: number, value: unknown): GatewayHttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function errorResponse(error: GatewayError): GatewayHttpResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: JSON.stringify(error.toBody()),
  };
}
