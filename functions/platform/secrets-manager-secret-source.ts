import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../core/ports.js';

export interface SecretsManagerSecretSourceOptions {
  /** Passed in, never constructed here, so tests can mock it and callers choose region and retries. */
  readonly client: SecretsManagerClient;
  /** Name or ARN of a secret whose string is a JSON object `{ "NAME": "value", ... }`. */
  readonly secretId: string;
  /** Asked for names the secret does not hold. */
  readonly fallback?: SecretSource;
  /** How long one read is trusted before the next `get` reads again. @default 300000 (5 minutes) */
  readonly ttlMs?: number;
  /**
   * The shortest time between a read and one that `refresh()` causes: every upstream 401 asks
   * for a refresh, and a burst of them (or a provider refusing a key for minutes) must not turn
   * into a burst of GetSecretValue calls. @default 30000 (30 seconds)
   */
  readonly minRefreshIntervalMs?: number;
  /** Milliseconds since the epoch (the gateway's clock). @default Date.now */
  readonly now?: () => number;
}

/**
 * A SecretSource backed by one Secrets Manager secret holding a JSON object of
 * NAME → string. The secret is read lazily, on the first `get`, and trusted for
 * `ttlMs` (a rotated key reaches every instance within it); `refresh()` forgets it, unless a
 * read is in flight (the refresh joins it) or the last read began less than
 * `minRefreshIntervalMs` ago (it is as fresh as a new one would be, within that bound).
 * Concurrent calls share one read. A failed read is not cached, so a later call
 * retries. An unset or blank secret string counts as `{}`; an empty value counts as absent.
 */
export function createSecretsManagerSecretSource(options: SecretsManagerSecretSourceOptions): SecretSource {
  const { client, secretId, fallback } = options;
  const ttlMs = options.ttlMs ?? 300_000;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30_000;
  const now = options.now ?? Date.now;
  let values: Promise<ReadonlyMap<string, string>> | undefined;
  let readAt = 0;
  let inFlight: Promise<unknown> | undefined;

  const load = (): Promise<ReadonlyMap<string, string>> => {
    if (values !== undefined && now() - readAt >= ttlMs) values = undefined;
    if (values === undefined) {
      readAt = now();
      const read = readSecretValues(client, secretId).catch((error: unknown) => {
        if (values === read) values = undefined;
        throw error;
      });
      values = read;
      inFlight = read;
      const settled = () => {
        if (inFlight === read) inFlight = undefined;
      };
      read.then(settled, settled);
    }
    return values;
  };

  return {
    refresh() {
      if (inFlight !== undefined || now() - readAt < minRefreshIntervalMs) return;
      values = undefined;
    },
    async get(name) {
      const value = (await load()).get(name);
      if (value !== undefined && value !== '') return value;
      return fallback?.get(name);
    },
  };
}

async function readSecretValues(client: SecretsManagerClient, secretId: string): Promise<ReadonlyMap<string, string>> {
  const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return parseSecretString(output.SecretString, secretId);
}

/** Messages name the secret and the offending keys, never the secret's text or values. */
function parseSecretString(secretString: string | undefined, secretId: string): ReadonlyMap<string, string> {
  if (secretString === undefined || secretString.trim() === '') return new Map();

  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // JSON.parse's own message quotes the input, so it is deliberately dropped (and not kept as `cause`).
    throw new Error(
      `Secret ${secretId} is not valid JSON; expected an object like {"OPENAI_API_KEY":"sk-..."}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`;
    throw new Error(
      `Secret ${secretId} holds ${kind}; expected a JSON object like {"OPENAI_API_KEY":"sk-..."}.`,
    );
  }

  const entries = Object.entries(parsed);
  const notStrings = entries.filter(([, value]) => typeof value !== 'string').map(([name]) => name);
  if (notStrings.length > 0) {
    throw new Error(`Secret ${secretId} has non-string values for: ${notStrings.join(', ')}.`);
  }
  return new Map(entries as [string, string][]);
}
