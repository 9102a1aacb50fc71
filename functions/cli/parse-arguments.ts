/**
 * The admin CLI's command line → one admin API request and how to show its answer.
 * Pure: no I/O, no environment; failures throw UsageError with a message for people.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** How the CLI prints a successful answer (ignored with `--json`). */
export type View =
  | 'tenant-list'
  | 'key-list'
  | 'tenant'
  | 'key'
  | 'created-key'
  | 'deleted'
  | 'usage-report'
  | 'usage-requests';

/** `--format`: `json` is the same as `--json`; `csv` only for the usage commands. */
const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface AdminCall {
  method: HttpMethod;
  /** Under the admin URL, e.g. `/admin/keys/key_1/revoke`; ids are percent-encoded. */
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  view: View;
}

export interface ParsedCommand {
  kind: 'command';
  call: AdminCall;
  /** `--url`; the caller falls back to `GATEWAY_ADMIN_URL`, then `http://127.0.0.1:4000`. */
  url?: string;
  /** `--master-key`; the caller falls back to `GATEWAY_MASTER_KEY`. */
  masterKey?: string;
  json: boolean;
  /** Present when `--format csv` was given (usage commands): print CSV instead of a table. */
  format?: 'csv';
}

export type ParsedArguments = ParsedCommand | { kind: 'help'; text: string };

export const USAGE = `Usage: npm run admin -- <command> [options]

Tenants
  tenants create --name <name> [--id <id>] [--budget <usd>] [--budget-duration 1d|7d|30d|1mo]
                 [--rpm <n>] [--tpm <n>] [--max-parallel-requests <n>] [--models a,b]
                 [--end-user-budget <usd>] [--metadata <json>]
  tenants list
  tenants get <id>
  tenants update <id> [--name …] [--budget …] [--budget-duration …] [--rpm …] [--tpm …]
                 [--max-parallel-requests …] [--models …] [--end-user-budget …] [--metadata …]
  tenants delete <id>

Keys
  keys create --tenant <id> [--name <name>] [--budget <usd>] [--budget-duration 1d|7d|30d|1mo]
              [--rpm <n>] [--tpm <n>] [--max-parallel-requests <n>] [--models a,b]
              [--expires-in 30d|12h | --expires-at <ISO-8601>] [--allow-routing-overrides true|false]
              [--metadata <json>]
  keys list [--tenant <id>]
  keys get <id>
  keys update <id> [--name …] [--budget …] [--budget-duration …] [--rpm …] [--tpm …]
              [--max-parallel-requests …] [--models …] [--expires-in … | --expires-at …]
              [--allow-routing-overrides …] [--metadata …]
  keys revoke <id>
  keys rotate <id>

Usage and cost (from the usage table's roll-ups; dates YYYY-MM-DD or ISO timestamps, inclusive,
default the last 7 days)
  usage [--tenant <id>] [--key <key id>] [--model <name>] [--end-user <id>] [--run <run id> (with --tenant)]
        [--from <date>] [--to <date>] [--group-by day|hour|model|key|end_user] [--format table|csv|json]
  usage requests (--tenant <id> | --key <key id>) [--model …] [--end-user …] [--run …] [--from …] [--to …]
        [--limit <n>] [--cursor <next cursor>] [--format table|csv|json]

Options
  --url <url>          the gateway (default: GATEWAY_ADMIN_URL, else http://127.0.0.1:4000); an
                       https://….lambda-url.<region>.on.aws URL is called with SigV4 (AWS credentials)
  --master-key <key>   for other URLs (default: GATEWAY_MASTER_KEY)
  --json               print the raw JSON answer
  -h, --help           this text
`;

const OPTIONS = {
  url: { type: 'string' },
  'master-key': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  id: { type: 'string' },
  name: { type: 'string' },
  tenant: { type: 'string' },
  budget: { type: 'string' },
  'budget-duration': { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  'max-parallel-requests': { type: 'string' },
  models: { type: 'string' },
  'end-user-budget': { type: 'string' },
  'expires-in': { type: 'string' },
  'expires-at': { type: 'string' },
  'allow-routing-overrides': { type: 'string' },
  metadata: { type: 'string' },
  key: { type: 'string' },
  model: { type: 'string' },
  'end-user': { type: 'string' },
  run: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'group-by': { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  format: { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const GLOBAL_OPTIONS: readonly OptionName[] = ['url', 'master-key', 'json', 'help'];
const LIMIT_OPTIONS: readonly OptionName[] = [
  'name', 'budget', 'budget-duration', 'rpm', 'tpm', 'max-parallel-requests', 'models', 'metadata',
];
const TENANT_OPTIONS: readonly OptionName[] = [...LIMIT_OPTIONS, 'end-user-budget'];
const KEY_OPTIONS: readonly OptionName[] = [...LIMIT_OPTIONS, 'expires-in', 'expires-at', 'allow-routing-overrides'];
const USAGE_FILTER_OPTIONS: readonly OptionName[] = ['tenant', 'key', 'model', 'end-user', 'run', 'from', 'to', 'format'];

/** Which query parameter each usage option sets. */
const QUERY_PARAMETERS: Partial<Record<OptionName, string>> = {
  tenant: 'tenant_id',
  key: 'key_id',
  model: 'model',
  'end-user': 'end_user',
  run: 'run_id',
  from: 'from',
  to: 'to',
  'group-by': 'group_by',
  limit: 'limit',
  cursor: 'cursor',
};

/** Which body field each option sets, and how its text becomes a value. */
const BODY_FIELDS: Partial<Record<OptionName, { field: string; convert: (text: string, option: string) => unknown }>> = {
  id: { field: 'id', convert: (text) => text },
  tenant: { field: 'tenant_id', convert: (text) => text },
  name: { field: 'name', convert: (text) => text },
  budget: { field: 'max_budget', convert: toNumber },
  'budget-duration': { field: 'budget_duration', convert: (text) => text },
  rpm: { field: 'rpm_limit', convert: toNumber },
  tpm: { field: 'tpm_limit', convert: toNumber },
  'max-parallel-requests': { field: 'max_parallel_requests', convert: toNumber },
  models: { field: 'models', convert: toList },
  'end-user-budget': { field: 'end_user_max_budget', convert: toNumber },
  'expires-in': { field: 'duration', convert: (text) => text },
  'expires-at': { field: 'expires_at', convert: (text) => text },
  'allow-routing-overrides': { field: 'allow_routing_overrides', convert: toBoolean },
  metadata: { field: 'metadata', convert: toJsonObject },
};

interface CommandSpec {
  /** Names of the positional arguments after `<group> <action>`. */
  positionals: readonly string[];
  options: readonly OptionName[];
  required?: readonly OptionName[];
  build(positionals: readonly string[], values: Values): AdminCall;
}

const COMMANDS: Record<string, Record<string, CommandSpec>> = {
  tenants: {
    create: {
      positionals: [],
      options: ['id', ...TENANT_OPTIONS],
      required: ['name'],
      build: (_, values) => ({ method: 'POST', path: '/admin/tenants', body: bodyFrom(values), view: 'tenant' }),
    },
    list: {
      positionals: [],
      options: [],
      build: () => ({ method: 'GET', path: '/admin/tenants', view: 'tenant-list' }),
    },
    get: {
      positionals: ['id'],
      options: [],
      build: ([id]) => ({ method: 'GET', path: `/admin/tenants/${encode(id)}`, view: 'tenant' }),
    },
    update: {
      positionals: ['id'],
      options: TENANT_OPTIONS,
      build: ([id], values) => ({ method: 'PATCH', path: `/admin/tenants/${encode(id)}`, body: nonEmptyBody(values), view: 'tenant' }),
    },
    delete: {
      positionals: ['id'],
      options: [],
      build: ([id]) => ({ method: 'DELETE', path: `/admin/tenants/${encode(id)}`, view: 'deleted' }),
    },
  },
  keys: {
    create: {
      positionals: [],
      options: ['tenant', ...KEY_OPTIONS],
      required: ['tenant'],
      build: (_, values) => ({ method: 'POST', path: '/admin/keys', body: bodyFrom(values), view: 'created-key' }),
    },
    list: {
      positionals: [],
      options: ['tenant'],
      build: (_, values) => ({
        method: 'GET',
        path: '/admin/keys',
        ...(values.tenant === undefined ? {} : { query: { tenant_id: values.tenant } }),
        view: 'key-list',
      }),
    },
    get: {
      positionals: ['id'],
      options: [],
      build: ([id]) => ({ method: 'GET', path: `/admin/keys/${encode(id)}`, view: 'key' }),
    },
    update: {
      positionals: ['id'],
      options: KEY_OPTIONS,
      build: ([id], values) => ({ method: 'PATCH', path: `/admin/keys/${encode(id)}`, body: nonEmptyBody(values), view: 'key' }),
    },
    revoke: {
      positionals: ['id'],
      options: [],
      build: ([id]) => ({ method: 'POST', path: `/admin/keys/${encode(id)}/revoke`, view: 'key' }),
    },
    rotate: {
      positionals: ['id'],
      options: [],
      build: ([id]) => ({ method: 'POST', path: `/admin/keys/${encode(id)}/rotate`, view: 'created-key' }),
    },
  },
  usage: {
    report: {
      positionals: [],
      options: [...USAGE_FILTER_OPTIONS, 'group-by'],
      build: (_, values) => ({ method: 'GET', path: '/admin/usage', ...queryFrom(values), view: 'usage-report' }),
    },
    requests: {
      positionals: [],
      options: [...USAGE_FILTER_OPTIONS, 'limit', 'cursor'],
      build: (_, values) => ({ method: 'GET', path: '/admin/usage/requests', ...queryFrom(values), view: 'usage-requests' }),
    },
  },
};

/** `usage` alone is `usage report`. */
const DEFAULT_ACTIONS: Readonly<Record<string, string>> = { usage: 'report' };

/** `argv` without the node and script names (`process.argv.slice(2)`). */
export function parseArguments(argv: readonly string[]): ParsedArguments {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [group, givenAction, ...rest] = positionals;
  if (values.help === true || group === undefined || group === 'help') return { kind: 'help', text: USAGE };

  const actions = COMMANDS[group];
  if (!actions) throw new UsageError(`Unknown command '${group}'; use 'tenants', 'keys' or 'usage'.`);
  const action = givenAction ?? DEFAULT_ACTIONS[group];
  const spec = action === undefined ? undefined : actions[action];
  if (!spec) {
    throw new UsageError(`'${group}' needs one of: ${Object.keys(actions).join(', ')}.`);
  }
  const commandName = `${group} ${action}`;
  if (rest.length !== spec.positionals.length) {
    const expected = spec.positionals.map((name) => `<${name}>`).join(' ');
    throw new UsageError(`Usage: ${commandName}${expected === '' ? '' : ` ${expected}`} (see --help).`);
  }
  for (const option of Object.keys(values) as OptionName[]) {
    if (!GLOBAL_OPTIONS.includes(option) && !spec.options.includes(option)) {
      throw new UsageError(`'${commandName}' does not take --${option}.`);
    }
  }
  for (const option of spec.required ?? []) {
    if (values[option] === undefined) throw new UsageError(`'${commandName}' needs --${option}.`);
  }
  if (values['expires-in'] !== undefined && values['expires-at'] !== undefined) {
    throw new UsageError('Give either --expires-in or --expires-at, not both.');
  }
  const format = parseFormat(values.format);
  if (values.json === true && format === 'csv') throw new UsageError('Give either --json or --format csv, not both.');

  return {
    kind: 'command',
    call: spec.build(rest, values),
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(values['master-key'] === undefined ? {} : { masterKey: values['master-key'] }),
    json: values.json === true || format === 'json',
    ...(format === 'csv' ? { format } : {}),
  };
}

function parseFormat(text: string | undefined): OutputFormat | undefined {
  if (text === undefined) return undefined;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(text)) {
    throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, not '${text}'.`);
  }
  return text as OutputFormat;
}

/** The query of a usage call; values go as given (the API validates and names what is wrong). */
function queryFrom(values: Values): { query?: Record<string, string> } {
  const query: Record<string, string> = {};
  for (const [option, value] of Object.entries(values) as [OptionName, unknown][]) {
    const parameter = QUERY_PARAMETERS[option];
    if (parameter !== undefined && typeof value === 'string') query[parameter] = value;
  }
  return Object.keys(query).length === 0 ? {} : { query };
}

function bodyFrom(values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(values) as [OptionName, unknown][]) {
    const mapping = BODY_FIELDS[option];
    if (mapping && typeof value === 'string') body[mapping.field] = mapping.convert(value, option);
  }
  return body;
}

function nonEmptyBody(values: Values): Record<string, unknown> {
  const body = bodyFrom(values);
  if (Object.keys(body).length === 0) throw new UsageError('Nothing to update: give at least one option to change.');
  return body;
}

function encode(id: string | undefined): string {
  return encodeURIComponent(id ?? '');
}

function toNumber(text: string, option: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${option} must be a number, not '${text}'.`);
  return value;
}

function toBoolean(text: string, option: string): boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  throw new UsageError(`--${option} must be true or false, not '${text}'.`);
}

function toList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function toJsonObject(text: string, option: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--${option} must be a JSON object, e.g. '{"team":"ml"}'.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`--${option} must be a JSON object, e.g. '{"team":"ml"}'.`);
  }
  return value as Record<string, unknown>;
}
