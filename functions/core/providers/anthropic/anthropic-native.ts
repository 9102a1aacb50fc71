/**
 * Anthropic Messages in, Anthropic Messages out: the request a client of `POST /v1/messages`
 * sent, forwarded to an `anthropic/…` deployment without translation (the passthrough).
 *
 * What the gateway changes, and only that: `model` becomes the deployment's upstream model;
 * `max_tokens` is lowered when a budget clamps it (the caller passes the body already clamped).
 * Everything else in the body (thinking blocks and their signatures, `redacted_thinking`,
 * `cache_control` with `ttl`, server tools, `metadata`, `service_tier`, `container`,
 * `context_management`, …) reaches Anthropic as the client wrote it.
 */
import type { JsonObject } from '../../openai/openai-types.js';
import type { ProviderHttpRequest, ResolvedDeployment } from '../provider.js';
import { ANTHROPIC_VERSION, anthropicMessagesUrl } from './build-anthropic-request.js';

/** What the client sent besides the body that the provider must see too. */
export interface AnthropicClientRequest {
  /** The client's `anthropic-version` header. */
  readonly version?: string;
  /** The client's `anthropic-beta` header: comma-separated beta names. */
  readonly betas: readonly string[];
  /**
   * The query parameters forwarded to the provider (`beta=true`, as Claude Code sends it),
   * already encoded without `?`; empty when none.
   */
  readonly query: string;
}

/** Query parameters of `/v1/messages` forwarded upstream: the only one Anthropic's clients send. */
export const FORWARDED_QUERY_PARAMETERS: readonly string[] = ['beta'];

/** The client's headers and query, read once per request (header names lower-cased, as the edges give them). */
export function readAnthropicClientRequest(headers: Readonly<Record<string, string | undefined>>, query: string | undefined): AnthropicClientRequest {
  const version = headers['anthropic-version']?.trim();
  const forwarded = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(query ?? '')) if (FORWARDED_QUERY_PARAMETERS.includes(name)) forwarded.append(name, value);
  return {
    ...(version ? { version } : {}),
    betas: splitBetas(headers['anthropic-beta']),
    query: forwarded.toString(),
  };
}

/** `a, b,,c` → `[a, b, c]`. */
export function splitBetas(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .map((beta) => beta.trim())
    .filter((beta) => beta !== '');
}

/** Each beta once, in the order first seen (the client's first, then the deployment's). */
export function mergeBetas(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}

/**
 * The Messages request for an `anthropic/…` deployment: `${api_base}/v1/messages` (or
 * `/v1/messages/count_tokens`), with the client's query; headers `anthropic-version` (the
 * client's, else the deployment's `extra_headers`, else 2023-06-01) and `anthropic-beta` (the
 * client's betas plus those of `extra_headers`); other `extra_headers` as configured; the key last,
 * so nothing can replace it.
 */
export function buildAnthropicNativeRequest(
  body: JsonObject,
  client: AnthropicClientRequest,
  deployment: ResolvedDeployment,
  endpoint: 'messages' | 'count_tokens' = 'messages',
): ProviderHttpRequest {
  const { 'anthropic-beta': configuredBetas, 'anthropic-version': configuredVersion, ...extraHeaders } = lowerCased(deployment.extraHeaders);
  const betas = mergeBetas(client.betas, splitBetas(configuredBetas));
  const base = anthropicMessagesUrl(deployment.apiBase);
  const url = `${endpoint === 'count_tokens' ? `${base}/count_tokens` : base}${client.query === '' ? '' : `?${client.query}`}`;
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      accept: body['stream'] === true ? 'text/event-stream' : 'application/json',
      ...extraHeaders,
      'anthropic-version': client.version ?? configuredVersion ?? ANTHROPIC_VERSION,
      ...(betas.length > 0 ? { 'anthropic-beta': betas.join(',') } : {}),
      ...(deployment.apiKey ? { 'x-api-key': deployment.apiKey } : {}),
    },
    body: JSON.stringify({ ...body, model: deployment.upstreamModel }),
  };
}

/** Config headers keyed in lower case, so that `Anthropic-Beta:` in the config merges with the client's. */
export function lowerCased(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}
