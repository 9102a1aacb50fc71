/** Every virtual key's secret starts with this, so scanners and people recognise it. */
export const KEY_SECRET_PREFIX = 'sk-gw-';

/** 32 random bytes in base64url, unpadded. */
const RANDOM_PART = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `candidate` could be a virtual key secret (prefix, then 43 base64url characters).
 * Checked before any store lookup, so a random bearer token costs no read.
 */
export function hasKeySecretShape(candidate: string): boolean {
  return candidate.startsWith(KEY_SECRET_PREFIX) && RANDOM_PART.test(candidate.slice(KEY_SECRET_PREFIX.length));
}

/** How many characters of the secret are kept as `key_prefix` (`sk-gw-` and four more). */
const SHOWN_PREFIX_LENGTH = KEY_SECRET_PREFIX.length + 4;

/**
 * The secret for a new or rotated key from `randomPart` (43 base64url characters,
 * i.e. 32 random bytes). Throws a plain Error, never echoing the value, when the
 * random source is wired wrong.
 */
export function formatKeySecret(randomPart: string): string {
  if (!RANDOM_PART.test(randomPart)) {
    throw new Error('randomSecret must return 43 base64url characters (32 random bytes).');
  }
  return `${KEY_SECRET_PREFIX}${randomPart}`;
}

/** The part of a secret safe to store and show in lists, e.g. `sk-gw-ab12`. */
export function keyPrefixOf(secret: string): string {
  return secret.slice(0, SHOWN_PREFIX_LENGTH);
}
