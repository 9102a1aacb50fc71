import { trimTrailingSlash } from '../openai-compatible/openai-compatible-provider.js';
import type { ResolvedDeployment } from '../provider.js';

export const DEFAULT_GEMINI_API_BASE = 'https://generativelanguage.googleapis.com';

export type GeminiModelMethod = 'generateContent' | 'streamGenerateContent' | 'batchEmbedContents';

/** `api_base` without a trailing slash or `/v1beta`, so either spelling of the base works. */
export function geminiApiBase(apiBase: string | undefined): string {
  const base = trimTrailingSlash(apiBase ?? DEFAULT_GEMINI_API_BASE);
  return base.endsWith('/v1beta') ? base.slice(0, -'/v1beta'.length) : base;
}

/** The model as Gemini's path wants it: `gemini-2.5-flash`, also when the config wrote `models/gemini-2.5-flash`. */
export function geminiModelId(upstreamModel: string): string {
  return upstreamModel.startsWith('models/') ? upstreamModel.slice('models/'.length) : upstreamModel;
}

/**
 * `POST {base}/v1beta/models/{model}:{method}`; streams ask for SSE framing (`alt=sse`), without
 * which Gemini streams one JSON array. The key travels in a header, never in the URL (URLs get logged).
 */
export function geminiModelUrl(deployment: ResolvedDeployment, method: GeminiModelMethod): string {
  const url = `${geminiApiBase(deployment.apiBase)}/v1beta/models/${encodeURIComponent(geminiModelId(deployment.upstreamModel))}:${method}`;
  return method === 'streamGenerateContent' ? `${url}?alt=sse` : url;
}

/** JSON headers, the deployment's extra headers, then the key (so an extra header cannot replace it). */
export function geminiHeaders(deployment: ResolvedDeployment, accept: 'application/json' | 'text/event-stream'): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept,
    ...deployment.extraHeaders,
    ...(deployment.apiKey ? { 'x-goog-api-key': deployment.apiKey } : {}),
  };
}
