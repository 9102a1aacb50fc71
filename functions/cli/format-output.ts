/** The admin CLI's human output: aligned tables for lists, key/value tables for one object. */
import type { View } from './parse-arguments.js';

interface Column {
  header: string;
  value(row: Record<string, unknown>): string;
}

const TENANT_COLUMNS: readonly Column[] = [
  { header: 'ID', value: (row) => text(row.id) },
  { header: 'NAME', value: (row) => text(row.name) },
  { header: 'BUDGET', value: budget },
  { header: 'RPM', value: (row) => text(row.rpm_limit) },
  { header: 'TPM', value: (row) => text(row.tpm_limit) },
  { header: 'MODELS', value: (row) => text(row.models, 'all') },
  { header: 'CREATED', value: (row) => text(row.created_at) },
];

const KEY_COLUMNS: readonly Column[] = [
  { header: 'ID', value: (row) => text(row.id) },
  { header: 'TENANT', value: (row) => text(row.tenant_id) },
  { header: 'NAME', value: (row) => text(row.name) },
  { header: 'PREFIX', value: (row) => text(row.key_prefix) },
  { header: 'STATUS', value: (row) => text(row.status) },
  { header: 'BUDGET', value: budget },
  { header: 'RPM', value: (row) => text(row.rpm_limit) },
  { header: 'TPM', value: (row) => text(row.tpm_limit) },
  { header: 'EXPIRES', value: (row) => text(row.expires_at, 'never') },
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
  }
}

/** Rows under upper-case headers, columns two spaces apart, no trailing blanks. */
export function formatTable(columns: readonly Column[], rows: readonly Record<string, unknown>[]): string {
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => column.value(row)))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells.map((line) => line.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

/** One `field  value` line per field; nested objects (usage) as `usage.spend`. */
export function formatKeyValue(record: Record<string, unknown>): string {
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
