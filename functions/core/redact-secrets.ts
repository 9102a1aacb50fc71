import { GatewayError } from './errors.js';

/** What a scrubbed secret is replaced with, in messages and log fields. */
export const REDACTED = '[REDACTED]';

/** Shorter values (a placeholder, a region name) would blank ordinary words; real keys are far longer. */
const MIN_SECRET_LENGTH = 6;

/**
 * Scrubs configured secrets (provider keys, the master key) from text that may reach a
 * client or a log: providers quote the key they were sent, sometimes encoded.
 */
export interface SecretRedactor {
  /** Adds a secret (a provider key resolved at run time, after a refresh); the patterns are rebuilt only when it is new. */
  readonly add: (secret: string) => void;
  /** The text with every known secret, in each encoding recognised, replaced by `[REDACTED]`. */
  readonly redactText: (text: string) => string;
  /** The error itself when it quotes no secret; else a copy whose message, code and param are scrubbed. */
  readonly redactError: (error: GatewayError) => GatewayError;
}

/**
 * Matches each secret as providers and proxies echo it: in any letter case, URL-encoded,
 * JSON-escaped, and base64 / base64url-encoded on its own or inside a longer encoding
 * (a Basic credential `user:key`, a `Bearer key` header dumped as base64). The pattern is
 * built once per set of secrets, since it runs on every error.
 */
export function createSecretRedactor(initialSecrets: Iterable<string> = []): SecretRedactor {
  const secrets = new Set<string>();
  let pattern: RegExp | undefined;

  const add = (secret: string): void => {
    if (secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) return;
    secrets.add(secret);
    pattern = buildPattern(secrets);
  };
  for (const secret of initialSecrets) add(secret);

  const redactText = (text: string): string => (pattern === undefined || text === '' ? text : text.replace(pattern, REDACTED));

  const redactError = (error: GatewayError): GatewayError => {
    const message = redactText(error.message);
    const code = error.code === null ? null : redactText(error.code);
    const param = error.param === null ? null : redactText(error.param);
    if (message === error.message && code === error.code && param === error.param) return error;
    return new GatewayError({ status: error.status, message, type: error.type, code, param, headers: error.headers });
  };

  return { add, redactText, redactError };
}

function buildPattern(secrets: ReadonlySet<string>): RegExp {
  const variants = new Set<string>();
  for (const secret of secrets) {
    for (const variant of encodingsOf(secret)) {
      if (variant.length >= MIN_SECRET_LENGTH) variants.add(variant);
    }
  }
  // Longest first, so that an encoding which contains another is replaced whole.
  const alternatives = [...variants].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // Case-insensitive for all: an upper-cased key, `%2f` vs `%2F`; for base64 it can only redact more, never less.
  return new RegExp(alternatives.join('|'), 'gi');
}

/** The secret as text may carry it; each base64 form is the part fully determined by the secret's own bytes. */
function encodingsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const bytes = new TextEncoder().encode(secret);
  // The whole encoding (padding included) first, so that a key encoded alone leaves no stray characters.
  const base64 = [Buffer.from(bytes).toString('base64'), ...base64Cores(bytes)];
  return [
    secret,
    encodeURIComponent(secret),
    json,
    json.replaceAll('/', '\\/'), // some JSON encoders (PHP's, Go's HTML-safe mode) escape the solidus
    ...base64,
    ...base64.map((encoded) => encoded.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')),
  ];
}

/**
 * Base64 turns 3 bytes into 4 characters, so a secret inside a longer encoded string starts at
 * byte offset 0, 1 or 2 of a 3-byte group and reads differently in each case. For each
 * alignment, encode the secret behind that many filler bytes and keep only the characters
 * whose 6 bits all come from the secret: those appear verbatim in any encoding that contains it
 * at that alignment, whatever bytes surround it.
 */
function base64Cores(bytes: Uint8Array): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const aligned = new Uint8Array(offset + bytes.length);
    aligned.set(bytes, offset);
    const encoded = Buffer.from(aligned).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    cores.push(encoded.slice(first, end));
  }
  return cores;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
