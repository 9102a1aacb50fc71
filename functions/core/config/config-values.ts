/** Readers of config values that collect problems by path instead of throwing: shared by every config section's parser. */
import type { ConfigString } from './config-types.js';

export const SECRET_PREFIX = 'os.environ/';

export type Mapping = Record<string, unknown>;

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalMapping(value: unknown, path: string, problems: string[]): Mapping {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    problems.push(`${path}: must be a mapping`);
    return {};
  }
  return value;
}

export function optionalConfigString(value: unknown, path: string, problems: string[]): ConfigString | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') {
    problems.push(`${path}: must be a string`);
    return undefined;
  }
  if (value.startsWith(SECRET_PREFIX)) {
    const secretName = value.slice(SECRET_PREFIX.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretName)) {
      problems.push(`${path}: "${value}" must name a variable, as os.environ/NAME`);
      return undefined;
    }
    return { secretName };
  }
  return value;
}

export function optionalNumber(
  value: unknown,
  path: string,
  problems: string[],
  rules: { min?: number; exclusiveMin?: boolean; integer?: boolean; max?: number },
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    problems.push(`${path}: must be a number`);
    return undefined;
  }
  if (rules.integer && !Number.isInteger(number)) {
    problems.push(`${path}: must be a whole number`);
    return undefined;
  }
  if (rules.min !== undefined && (rules.exclusiveMin ? number <= rules.min : number < rules.min)) {
    problems.push(`${path}: must be ${rules.exclusiveMin ? 'greater than' : 'at least'} ${rules.min}`);
    return undefined;
  }
  if (rules.max !== undefined && number > rules.max) {
    problems.push(`${path}: must be at most ${rules.max}`);
    return undefined;
  }
  return number;
}

export function optionalBoolean(value: unknown, path: string, problems: string[]): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    problems.push(`${path}: must be true or false`);
    return undefined;
  }
  return value;
}

export function optionalStringMap(value: unknown, path: string, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    problems.push(`${path}: must be a mapping of header name to value`);
    return {};
  }
  const result: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string' && typeof headerValue !== 'number') {
      problems.push(`${path}.${name}: must be a string`);
      continue;
    }
    result[name.toLowerCase()] = String(headerValue);
  }
  return result;
}

export function warnUnknownKeys(mapping: Mapping, known: ReadonlySet<string>, path: string, warnings: string[]): void {
  for (const key of Object.keys(mapping)) {
    if (!known.has(key)) warnings.push(`${path ? `${path}.` : ''}${key}: unknown key, ignored`);
  }
}

/** The longest timeout the gateway takes, in seconds (a day): far beyond Lambda's 15 minutes, within what timers can count. */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** A timeout in seconds as whole milliseconds, never 0 (a timer of 0 would fire at once). */
export function timeoutMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}
