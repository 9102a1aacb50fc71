import { GatewayError } from '../errors.js';
import type { UpstreamClient, UpstreamResponse } from '../ports.js';
import type { Provider, ProviderHttpRequest, ResolvedDeployment } from '../providers/provider.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { readBodyText } from './read-body.js';

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Sends one provider request and returns the response only when it succeeded;
 * a non-2xx answer becomes the provider's mapped GatewayError.
 */
export async function callProvider(
  upstream: UpstreamClient,
  provider: Provider,
  deployment: ResolvedDeployment,
  request: ProviderHttpRequest,
  signal: AbortSignal,
): Promise<UpstreamResponse> {
  requireApiKey(deployment);
  const response = await upstream.send({ ...request, signal, timeoutMs: deployment.timeoutMs });
  if (response.status >= 200 && response.status < 300) return response;
  const bodyText = await readBodyText(response.body, ERROR_BODY_LIMIT);
  throw provider.mapError(response.status, bodyText, response.headers);
}

/** A deployment whose provider needs a key but has none fails here, naming the variable to set (never a value). */
function requireApiKey(deployment: ResolvedDeployment): void {
  const entry = PROVIDERS[deployment.provider];
  if (!entry?.requiresApiKey || deployment.apiKey !== undefined) return;
  const variable = entry.apiKeyVariable ? ` (set ${entry.apiKeyVariable}, or api_key in the config)` : '';
  throw new GatewayError({
    status: 500,
    message: `No API key is configured for model "${deployment.modelName}" (${deployment.path})${variable}.`,
    type: 'server_error',
    code: 'provider_key_missing',
  });
}
