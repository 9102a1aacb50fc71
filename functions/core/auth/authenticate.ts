import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../errors.js';
import type { KeyStore, Principal } from './key-store.js';

/** The key a client presented: `Authorization: Bearer …`, Azure clients' `api-key:`, or Anthropic clients' `x-api-key:` header. */
export function presentedKey(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const authorization = headers['authorization'];
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match?.[1]?.trim() || undefined;
  }
  return headers['api-key']?.trim() || headers['x-api-key']?.trim() || undefined;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Builds the authenticator: the master key first (compared in constant time, on
 * digests so lengths leak nothing), then the key store. Messages never echo the key.
 */
export function createAuthenticator(masterKey: string | undefined, keyStore?: KeyStore) {
  const masterDigest = masterKey === undefined ? undefined : sha256(masterKey);
  return async (headers: Readonly<Record<string, string | undefined>>): Promise<Principal> => {
    const key = presentedKey(headers);
    if (key === undefined) {
      throw new AuthenticationError(
        'You didn\'t provide an API key. Send it as "Authorization: Bearer <key>" (or an "api-key" header).',
      );
    }
    if (masterDigest !== undefined && timingSafeEqual(sha256(key), masterDigest)) return { kind: 'master' };
    const principal = await keyStore?.authenticate(key);
    if (principal !== undefined) return principal;
    throw new AuthenticationError('Incorrect API key provided.');
  };
}
