import type { OpenAICompatibleDialect } from './openai-compatible/openai-compatible-provider.js';
import { trimTrailingSlash } from './openai-compatible/openai-compatible-provider.js';

/** The `api-version` sent when the deployment names none: the latest GA data-plane version. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/**
 * Azure OpenAI speaks OpenAI's body but addresses a *deployment*:
 * `{api_base}/openai/deployments/{deployment}/chat/completions?api-version=…`, with an `api-key` header.
 */
export const azureDialect: OpenAICompatibleDialect = {
  url: (deployment, operation) =>
    `${trimTrailingSlash(deployment.apiBase ?? '')}/openai/deployments/${encodeURIComponent(deployment.upstreamModel)}/${operation}` +
    `?api-version=${encodeURIComponent(deployment.apiVersion ?? DEFAULT_AZURE_API_VERSION)}`,
  authHeaders: (deployment): Record<string, string> => (deployment.apiKey ? { 'api-key': deployment.apiKey } : {}),
};
