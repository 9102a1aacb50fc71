import type { SecretSource } from '../core/ports.js';

/**
 * Resolves `os.environ/NAME` references from an environment map (normally `process.env`).
 * Reads on every call, so values set after creation are seen; an empty string counts as unset.
 */
export function createEnvironmentSecretSource(env: Readonly<Record<string, string | undefined>>): SecretSource {
  return {
    get(name) {
      const value = env[name];
      return Promise.resolve(value === '' ? undefined : value);
    },
  };
}
