import type { ConfigString, DeploymentConfig } from '../config/config-types.js';
import type { GatewayError } from '../errors.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from '../openai/openai-types.js';
import type { UpstreamRequest } from '../ports.js';
import type { SseEvent } from '../streaming/sse-decoder.js';

/**
 * A deployment whose `api_base`/`api_version` references have been resolved to strings.
 * Its key is resolved per call (`apiKeySource`, through the secret source's cache), so a
 * rotated provider key is picked up without a restart; providers read `apiKey`.
 */
export interface ResolvedDeployment extends Omit<DeploymentConfig, 'apiKey' | 'apiBase' | 'apiVersion'> {
  readonly apiKeySource?: ConfigString;
  readonly apiKey?: string;
  readonly apiBase?: string;
  readonly apiVersion?: string;
}

/** What a provider needs besides the request: the deployment, and time and ids passed in. */
export interface ProviderContext {
  readonly deployment: ResolvedDeployment;
  readonly requestId: string;
  /** Unix seconds, for `created` fields the provider does not send. */
  readonly nowSeconds: number;
}

/** An upstream request before the gateway adds its abort signal and timeout. */
export interface ProviderHttpRequest extends Omit<UpstreamRequest, 'signal' | 'timeoutMs'> {
  /**
   * Sign with AWS SigV4 before sending (Bedrock), with the function's own credentials:
   * the gateway's signer (an edge adapter) adds the headers; the provider stays pure.
   */
  signing?: { service: string; region: string };
}

/**
 * Turns a provider's stream events into OpenAI chunks. State (ids, tool-call indexes,
 * usage seen so far) stays private to one stream.
 */
export interface ChatStreamTranslator {
  /**
   * Translates one event; may yield none, one or several chunks. Throws a GatewayError for an
   * in-stream provider error. For SSE providers the event is the SSE event (`event` = its name);
   * for AWS event-stream providers `event` is the frame's `:event-type` (or `:exception-type`)
   * and `data` its JSON payload.
   * Usage goes in a final chunk with `choices: []` and `usage` (as OpenAI's include_usage does);
   * the gateway removes it when the client did not ask for usage.
   */
  push(event: SseEvent): ChatCompletionChunk[];
  /** True once the provider signalled the end of the stream (e.g. OpenAI's `[DONE]`). */
  readonly finished: boolean;
  /** Flushes whatever the stream's end implies. */
  end(): ChatCompletionChunk[];
}

/**
 * A provider is pure translation: no I/O, no clock, no globals. The gateway sends
 * what `build*Request` returns and hands back what comes in.
 * Anthropic, Gemini and Bedrock implement the same shape (Bedrock frames its stream
 * as AWS event-stream, hence `streamFraming`).
 */
export interface Provider {
  /** How the provider frames a stream: SSE, or AWS event-stream binary frames (Bedrock). */
  readonly streamFraming: 'sse' | 'aws-event-stream';
  buildChatRequest(request: ChatCompletionRequest, context: ProviderContext): ProviderHttpRequest;
  parseChatResponse(body: unknown, context: ProviderContext): ChatCompletion;
  createChatStreamTranslator(context: ProviderContext): ChatStreamTranslator;
  /** Absent when the provider has no embeddings API. */
  buildEmbeddingRequest?(request: EmbeddingRequest, context: ProviderContext): ProviderHttpRequest;
  /** `request` lets a provider estimate tokens or honour `encoding_format` when its answer cannot. */
  parseEmbeddingResponse?(body: unknown, context: ProviderContext, request?: EmbeddingRequest): EmbeddingResponse;
  /** Maps a non-2xx answer to the OpenAI error the client sees, keeping the provider's message. */
  mapError(status: number, bodyText: string, headers: Readonly<Record<string, string | undefined>>): GatewayError;
}
