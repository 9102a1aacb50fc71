import type { Logger, SecretSource } from '../ports.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import type { ResolvedDeployment } from '../providers/provider.js';
import type { ConfigString, GatewayConfig } from './config-types.js';
import { isSecretReference } from './config-types.js';

export interface ResolvedConfig {
  deployments: ResolvedDeployment[];
  masterKey?: string;
  masterKeyOrigin: 'config' | 'environment' | 'generated' | 'none';
  /** Every secret value resolved, so that messages can be scrubbed of them. */
  secretValues: string[];
}

const MASTER_KEY_VARIABLE = 'GATEWAY_MASTER_KEY';

/**
 * Resolves every `os.environ/NAME` through the SecretSource, once, at start-up (a
 * cold start on Lambda). A missing variable is logged by name, never by value.
 */
export async function resolveConfig(
  config: GatewayConfig,
  secrets: SecretSource,
  logger: Logger,
  fallbackMasterKey?: string,
): Promise<ResolvedConfig> {
  const secretValues = new Set<string>();
  const resolve = async (value: ConfigString | undefined, path: string, isSecret: boolean): Promise<string | undefined> => {
    if (value === undefined) return undefined;
    if (!isSecretReference(value)) {
      if (isSecret) secretValues.add(value);
      return value;
    }
    const resolved = await secrets.get(value.secretName);
    if (resolved === undefined || resolved === '') {
      logger.warn('config.secret_missing', { path, variable: value.secretName });
      return undefined;
    }
    if (isSecret) secretValues.add(resolved);
    return resolved;
  };

  const deployments = await Promise.all(
    config.deployments.map(async (deployment): Promise<ResolvedDeployment> => {
      const entry = PROVIDERS[deployment.provider];
      const { apiKey: configuredKey, ...rest } = deployment;
      // A literal key is a secret to scrub from messages; references are resolved per call (see provider-keys.ts).
      if (typeof configuredKey === 'string') secretValues.add(configuredKey);
      return {
        ...rest,
        apiKeySource: configuredKey ?? (entry?.apiKeyVariable ? { secretName: entry.apiKeyVariable } : undefined),
        apiBase: (await resolve(deployment.apiBase, `${deployment.path}.litellm_params.api_base`, false)) ?? entry?.defaultApiBase,
        apiVersion: await resolve(deployment.apiVersion, `${deployment.path}.litellm_params.api_version`, false),
      };
    }),
  );

  const configured = config.generalSettings.masterKey;
  let masterKey = await resolve(configured, 'general_settings.master_key', true);
  let masterKeyOrigin: ResolvedConfig['masterKeyOrigin'] = masterKey === undefined ? 'none' : isSecretReference(configured) ? 'environment' : 'config';
  if (masterKey === undefined && !(isSecretReference(configured) && configured.secretName === MASTER_KEY_VARIABLE)) {
    masterKey = await resolve({ secretName: MASTER_KEY_VARIABLE }, 'GATEWAY_MASTER_KEY', true);
    if (masterKey !== undefined) masterKeyOrigin = 'environment';
  }
  if (masterKey === undefined && fallbackMasterKey !== undefined) {
    masterKey = fallbackMasterKey;
    masterKeyOrigin = 'generated';
    secretValues.add(fallbackMasterKey);
  }
  return { deployments, masterKey, masterKeyOrigin, secretValues: [...secretValues] };
}
