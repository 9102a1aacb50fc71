/** The admin CLI's human output: aligned tables for lists, key/value tables for one object, CSV for usage. */
import { formatCsv, usageRecordsToCsv } from '../core/usage/usage-queries.js';
import type { UsageRecord } from '../core/usage/usage-record.js';
import { formatPicosAsUsd } from '../core/pricing/cost.js';
import type { View } from './parse-arguments.js';

interface Column {
  header: string;
  value(row: Record<string, unknown>): string;
  /** Numbers line up on the right. */
  align?: 'right';
}

const TENANT_COLUMNS: readonly Column[] = [
  fieldColumn('ID', 'id'),
  fieldColumn('NAME', 'name'),
  { header: 'BUDGET', value: budget },
  fieldColumn('RPM', 'rpm_limit'),
  fieldColumn('TPM', 'tpm_limit'),
  fieldColumn('PARALLEL', 'max_parallel_requests'),
  fieldColumn('MODELS', 'models', 'all'),
  fieldColumn('CREATED', 'created_at'),
];

const KEY_COLUMNS: readonly Column[] = [
  fieldColumn('ID', 'id'),
  fieldColumn('TENANT', 'tenant_id'),
  fieldColumn('NAME', 'name'),
  fieldColumn('PREFIX', 'key_prefix'),
  fieldColumn('STATUS', 'status'),
  { header: 'BUDGET', value: budget },
  fieldColumn('RPM', 'rpm_limit'),
  fieldColumn('TPM', 'tpm_limit'),
  fieldColumn('PARALLEL', 'max_parallel_requests'),
  fieldColumn('EXPIRES', 'expires_at', 'never'),
];

/** The numbers of a usage total or row, in the order the API gives them. */
const USAGE_NUMBER_FIELDS = [
  'requests', 'errors', 'prompt_tokens', 'completion_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd',
] as const;

const USAGE_NUMBER_COLUMNS: readonly Column[] = [
  fieldColumn('REQUESTS', 'requests', '0', 'right'),
  fieldColumn('ERRORS', 'errors', '0', 'right'),
  fieldColumn('PROMPT', 'prompt_tokens', '0', 'right'),
  fieldColumn('COMPLETION', 'completion_tokens', '0', 'right'),
  fieldColumn('CACHE_READ', 'cache_read_tokens', '0', 'right'),
  fieldColumn('CACHE_WRITE', 'cache_write_tokens', '0', 'right'),
  fieldColumn('REASONING', 'reasoning_tokens', '0', 'right'),
  { header: 'COST_USD', value: cost, align: 'right' },
];

const USAGE_REQUEST_COLUMNS: readonly Column[] = [
  fieldColumn('TIME', 'timestamp'),
  fieldColumn('REQUEST', 'request_id'),
  fieldColumn('KEY', 'key_id'),
  fieldColumn('MODEL', 'model'),
  fieldColumn('END_USER', 'end_user'),
  fieldColumn('STATUS', 'status'),
  fieldColumn('PROMPT', 'prompt_tokens', '0', 'right'),
  fieldColumn('COMPLETION', 'completion_tokens', '0', 'right'),
  { header: 'COST_USD', value: cost, align: 'right' },
  fieldColumn('LATENCY_MS', 'latency_ms', undefined, 'right'),
];

/** The text to print for a successful answer, newline-terminated. */
export function formatAnswer(view: View, answer: unknown): string {
  switch (view) {
    case 'tenant-list':
      return formatList(answer, TENANT_COLUMNS, 'No tenants.');
    case 'key-list':
      return formatList(answer, KEY_COLUMNS, 'No keys.');
    case 'tenant':
    case 'key':
    case 'created-key':
    case 'deleted':
      return formatKeyValue(asRecord(answer));
    case 'usage-report':
      return formatUsageReport(asRecord(answer));
    case 'usage-requests':
      return formatList(answer, USAGE_REQUEST_COLUMNS, 'No requests.');
  }
}

/** The CSV to print for a successful usage answer (RFC 4180, CRLF line ends). */
export function formatAnswerCsv(view: View, answer: unknown): string {
  const record = asRecord(answer);
  if (view === 'usage-requests') {
    const data = Array.isArray(record.data) ? record.data.filter(isRecord) : [];
    return usageRecordsToCsv(data as unknown as UsageRecord[]);
  }
  if (view === 'usage-report') {
    const totals = isRecord(record.totals) ? record.totals : {};
    if (typeof record.run_id === 'string') {
      return formatCsv(['run_id', ...USAGE_NUMBER_FIELDS], [[record.run_id, ...USAGE_NUMBER_FIELDS.map((field) => totals[field])]]);
    }
    const field = groupFieldOf(record);
    const rows = Array.isArray(record.rows) ? record.rows.filter(isRecord) : [];
    return formatCsv([field, ...USAGE_NUMBER_FIELDS], rows.map((row) => [row[field], ...USAGE_NUMBER_FIELDS.map((name) => row[name])]));
  }
  // Not a usage view: CSV has nothing to offer, the JSON answer is printed instead.
  return `${JSON.stringify(answer, null, 2)}\n`;
}

/** Rows under upper-case headers, columns two spaces apart, no trailing blanks. */
function formatTable(columns: readonly Column[], rows: readonly Record<string, unknown>[]): string {
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => column.value(row)))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  const pad = (cell: string, index: number) =>
    columns[index]?.align === 'right' ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0);
  return cells.map((line) => line.map(pad).join('  ').trimEnd()).join('\n') + '\n';
}

/**
 * A usage report: a line naming the range and grouping, one row per group and a TOTAL row
 * (a run has only its TOTAL).
 */
function formatUsageReport(report: Record<string, unknown>): string {
  const totals = isRecord(report.totals) ? report.totals : {};
  if (typeof report.run_id === 'string') {
    const columns: Column[] = [fieldColumn('RUN', 'label'), ...USAGE_NUMBER_COLUMNS];
    return formatTable(columns, [{ ...totals, label: report.run_id }]);
  }
  const field = groupFieldOf(report);
  const rows = Array.isArray(report.rows) ? report.rows.filter(isRecord) : [];
  const columns: Column[] = [{ header: field.toUpperCase(), value: (row) => text(row.label) }, ...USAGE_NUMBER_COLUMNS];
  const lines = [...rows.map((row) => ({ ...row, label: row[field] })), { ...totals, label: 'TOTAL' }];
  const heading = `Usage from ${text(report.from)} to ${text(report.to)} by ${text(report.group_by)}${rows.length === 0 ? ': none' : ''}\n`;
  return heading + formatTable(columns, lines);
}

/** The row field that holds the group value (`key_id` for group_by=key). */
function groupFieldOf(report: Record<string, unknown>): string {
  return report.group_by === 'key' ? 'key_id' : typeof report.group_by === 'string' ? report.group_by : 'group';
}

/** Dollars to the micro-dollar, the unit costs are counted in. */
/**
 * A row's cost, exact: from `cost_picos` (a record's integer, a report's decimal text) when present,
 * at least 6 decimals so columns line up, never rounded (a $0.0000002 request is not shown as 0).
 */
function cost(row: Record<string, unknown>): string {
  const picos = row['cost_picos'];
  const exact =
    typeof picos === 'string' && /^\d+$/.test(picos) ? BigInt(picos) : typeof picos === 'number' && Number.isSafeInteger(picos) && picos >= 0 ? BigInt(picos) : undefined;
  if (exact === undefined) return usd(row['cost_usd']);
  const [whole, fraction = ''] = formatPicosAsUsd(exact).split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
}

function usd(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(6) : '-';
}

/** One `field  value` line per field; nested objects (usage) as `usage.spend`. */
function formatKeyValue(record: Record<string, unknown>): string {
  const entries: [string, string][] = [];
  for (const [field, value] of Object.entries(record)) {
    if (field === 'usage' && isRecord(value)) {
      for (const [name, inner] of Object.entries(value)) entries.push([`usage.${name}`, text(inner)]);
    } else {
      entries.push([field, text(value)]);
    }
  }
  const width = Math.max(0, ...entries.map(([field]) => field.length));
  return entries.map(([field, value]) => `${field.padEnd(width)}  ${value}`.trimEnd()).join('\n') + '\n';
}

function formatList(answer: unknown, columns: readonly Column[], empty: string): string {
  const data = isRecord(answer) && Array.isArray(answer.data) ? answer.data.filter(isRecord) : [];
  return data.length === 0 ? `${empty}\n` : formatTable(columns, data);
}

/** A column showing one field of the row as text, `absent` (default `-`) when it is missing. */
function fieldColumn(header: string, field: string, absent?: string, align?: 'right'): Column {
  return { header, value: (row) => text(row[field], absent), ...(align ? { align } : {}) };
}

function budget(row: Record<string, unknown>): string {
  if (row.max_budget === undefined) return '-';
  return row.budget_duration === undefined ? `$${text(row.max_budget)} lifetime` : `$${text(row.max_budget)}/${text(row.budget_duration)}`;
}

function text(value: unknown, absent = '-'): string {
  if (value === undefined || value === null) return absent;
  if (Array.isArray(value)) return value.length === 0 ? absent : value.map((item) => text(item)).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : { value };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
