import { GatewayError, ServiceUnavailableError } from '../errors.js';
import type { UpstreamResponse } from '../ports.js';
import type { Provider, ProviderHttpRequest, ResolvedDeployment } from '../providers/provider.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import type { GatewayContext } from './gateway-context.js';
import { withoutUpstreamCredentialText } from './upstream-credentials-error.js';
import { readBodyPrefix } from './read-body.js';

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Sends one provider request and returns the response only when it succeeded; a non-2xx
 * answer becomes the provider's mapped GatewayError. A 401 with a key from the secret
 * source triggers one re-read of the secret and, if the key changed (it was rotated),
 * one retry with the new key.
 */
export async function callProvider(
  gateway: Pick<GatewayContext, 'upstream' | 'providerKeys' | 'signer'>,
  provider: Provider,
  deployment: ResolvedDeployment,
  build: (deployment: ResolvedDeployment) => ProviderHttpRequest,
  signal: AbortSignal,
  /** The longest silence from the provider (a per-request `timeout` override, else the deployment's). */
  idleTimeoutMs = deployment.timeoutMs,
): Promise<UpstreamResponse> {
  const send = async (request: ProviderHttpRequest) => {
    const { signing: _signing, ...ready } = await signed(gateway, request);
    return gateway.upstream.send({ ...ready, signal, timeoutMs: idleTimeoutMs });
  };
  const keyed = await keyFor(gateway, deployment);
  let response = await send(build(keyed));
  if (response.status === 401 && gateway.providerKeys.isRefreshable(deployment)) {
    gateway.providerKeys.refresh();
    const rekeyed = await keyFor(gateway, deployment);
    if (rekeyed.apiKey !== keyed.apiKey) {
      await readBodyPrefix(response.body, ERROR_BODY_LIMIT);
      response = await send(build(rekeyed));
    }
  }
  if (response.status >= 200 && response.status < 300) return response;
  const bodyText = await readBodyPrefix(response.body, ERROR_BODY_LIMIT);
  throw withoutUpstreamCredentialText(response.status, deployment.id, provider.mapError(response.status, bodyText, response.headers));
}

async function signed(gateway: Pick<GatewayContext, 'signer'>, request: ProviderHttpRequest): Promise<ProviderHttpRequest> {
  if (request.signing === undefined) return request;
  if (!gateway.signer) {
    throw new GatewayError({ status: 500, message: 'This gateway cannot sign AWS requests.', type: 'server_error', code: 'signing_unavailable' });
  }
  try {
    return await gateway.signer(request);
  } catch {
    throw new ServiceUnavailableError('AWS credentials for signing the provider request are unavailable right now.', 'aws_credentials_unavailable');
  }
}

async function keyFor(gateway: Pick<GatewayContext, 'providerKeys'>, deployment: ResolvedDeployment): Promise<ResolvedDeployment> {
  let keyed: ResolvedDeployment;
  try {
    keyed = await gateway.providerKeys.withKey(deployment);
  } catch {
    throw new ServiceUnavailableError(`The provider key for model "${deployment.modelName}" cannot be read right now. Retry shortly.`, 'provider_keys_unavailable');
  }
  requireApiKey(keyed);
  return keyed;
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
