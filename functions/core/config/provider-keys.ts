import type { SecretSource } from '../ports.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import { isSecretReference } from './config-types.js';

/**
 * Provider keys, resolved at call time through the secret source (which caches with a
 * bounded TTL), so a key rotated in Secrets Manager is used without a redeploy; after a
 * provider refuses a key, `refresh` makes the next resolution read the secret afresh.
 * Every value resolved is reported to `onSecret`, so messages can be scrubbed of it.
 */
export interface ProviderKeys {
  /** The deployment with `apiKey` filled in (unchanged when it needs none). */
  withKey(deployment: ResolvedDeployment): Promise<ResolvedDeployment>;
  /** True when the key comes from the secret source (so a refresh could change it). */
  isRefreshable(deployment: ResolvedDeployment): boolean;
  /**
   * Asks the secret source to read afresh. Called on every upstream 401, so the source decides
   * how often that really reads (Secrets Manager: one read in flight at a time, at most one per
   * `minRefreshIntervalMs`); a burst of 401s must not become a burst of reads.
   */
  refresh(): void;
}

export function createProviderKeys(secrets: SecretSource, onSecret: (value: string) => void): ProviderKeys {
  return {
    async withKey(deployment) {
      const source = deployment.apiKeySource;
      if (source === undefined) return deployment;
      const apiKey = isSecretReference(source) ? await secrets.get(source.secretName) : source;
      if (apiKey === undefined || apiKey === '') return deployment;
      onSecret(apiKey);
      return { ...deployment, apiKey };
    },
    isRefreshable: (deployment) => isSecretReference(deployment.apiKeySource) && secrets.refresh !== undefined,
    refresh: () => secrets.refresh?.(),
  };
}
