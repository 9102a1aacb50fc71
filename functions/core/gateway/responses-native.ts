import { GatewayError, toGatewayError } from '../errors.js';
import type { ChatCompletion, ChatCompletionChunk, JsonObject } from '../openai/openai-types.js';
import { pricingFor } from '../pricing/cost.js';
import { trimTrailingSlash } from '../providers/openai-compatible/openai-compatible-provider.js';
import { isObject, parseJsonObject } from '../providers/json-values.js';
import type { Provider, ProviderHttpRequest, ResolvedDeployment } from '../providers/provider.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { providerFor } from '../providers/provider-registry.js';
import { upstreamStreamTruncated } from '../providers/stream-chunks.js';
import { decodeSseBatches } from '../streaming/sse-decoder.js';
import { clientErrorStatus, errorTypeForStatus } from '../providers/openai-compatible/map-openai-error.js';
import { callProvider } from './call-provider.js';
import type { GatewayContext, RecordedUsage, RequestContext } from './gateway-context.js';
import { readBodyText } from './read-body.js';
import { commitWhenStarted, followAttemptSignal, streamFailureHandler } from './stream-commit.js';
import { completionUsage, createStreamUsageObserver, rejectedUsageLogger } from './usage-observer.js';

/**
 * Deployments that speak the Responses API themselves: OpenAI (`openai/…`) and Azure OpenAI.
 * Other OpenAI-compatible servers (vLLM, Groq, …) mostly do not, so they are translated.
 */
export function speaksResponses(deployment: ResolvedDeployment): boolean {
  const wire = PROVIDERS[deployment.provider]?.wire;
  return wire === 'azure' || (wire === 'openai-compatible' && deployment.provider === 'openai');
}

/** One attempt's answer on the Responses route, natively or translated. */
export type ResponsesServed =
  | { kind: 'json'; text: string; usage: RecordedUsage; headers: Record<string, string> }
  | { kind: 'stream'; body: AsyncIterable<string>; usage: () => RecordedUsage; headers: Record<string, string> };

/** What a translated answer adds to its stored record. */
export interface StoredParts {
  readonly conversation: readonly JsonObject[];
  readonly inputItems: readonly JsonObject[];
  readonly response: JsonObject;
}

export interface NativeResponsesAttempt {
  readonly deployment: ResolvedDeployment;
  readonly signal: AbortSignal;
  readonly timeoutOverrideMs?: number;
  /** The client's body with the gateway's routing fields out and `max_output_tokens` clamped when a budget requires. */
  readonly body: JsonObject;
  readonly promptEstimate: () => number;
  /** Told of the response id the provider gave, once its answer is complete (for the store). */
  readonly onCompleted: (responseId: string) => void;
}

/**
 * The provider's Responses URL for an operation (`''` = create, `/{id}`, `/{id}/input_items`).
 * OpenAI: `{api_base}/responses`. Azure: the v1 surface `{api_base}/openai/v1/responses`, where the
 * deployment name goes in the body's `model` rather than in the path (Azure OpenAI's Responses docs).
 */
export function responsesUrl(deployment: ResolvedDeployment, suffix: string, query?: string): string {
  const base = trimTrailingSlash(deployment.apiBase ?? '');
  const root = PROVIDERS[deployment.provider]?.wire === 'azure' ? `${base}/openai/v1/responses` : `${base}/responses`;
  return `${root}${suffix}${query ? `?${query}` : ''}`;
}

function authHeaders(deployment: ResolvedDeployment): Record<string, string> {
  if (deployment.apiKey === undefined) return {};
  return PROVIDERS[deployment.provider]?.wire === 'azure' ? { 'api-key': deployment.apiKey } : { authorization: `Bearer ${deployment.apiKey}` };
}

/** A request to the deployment's Responses API; the client's body reaches it unchanged but for `model`. */
export function buildResponsesRequest(deployment: ResolvedDeployment, method: 'POST' | 'GET' | 'DELETE', suffix: string, body?: JsonObject, query?: string): ProviderHttpRequest {
  return {
    method,
    url: responsesUrl(deployment, suffix, query),
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      accept: body?.['stream'] === true ? 'text/event-stream' : 'application/json',
      ...deployment.extraHeaders,
      ...authHeaders(deployment),
    },
    ...(body === undefined ? {} : { body: JSON.stringify({ ...body, model: deployment.upstreamModel }) }),
  };
}

export function responsesProvider(deployment: ResolvedDeployment): Provider {
  return providerFor(PROVIDERS[deployment.provider]!.wire);
}

/**
 * The Responses API's usage (`input_tokens`, `input_tokens_details.cached_tokens`, `output_tokens`,
 * `output_tokens_details.reasoning_tokens`) in the chat shape the gateway's usage reader checks.
 */
export function chatUsageOfResponseUsage(usage: unknown): JsonObject | undefined {
  if (!isObject(usage)) return undefined;
  const inputDetails = isObject(usage['input_tokens_details']) ? usage['input_tokens_details'] : {};
  const outputDetails = isObject(usage['output_tokens_details']) ? usage['output_tokens_details'] : {};
  return {
    prompt_tokens: usage['input_tokens'] ?? null,
    completion_tokens: usage['output_tokens'] ?? null,
    total_tokens: usage['total_tokens'] ?? null,
    prompt_tokens_details: { cached_tokens: inputDetails['cached_tokens'] ?? null },
    completion_tokens_details: { reasoning_tokens: outputDetails['reasoning_tokens'] ?? null },
  } as JsonObject;
}

/** The parts of a Response the gateway's estimate reads (only when the provider's usage is missing or unbelievable). */
function estimateSource(response: JsonObject): ChatCompletion {
  let content = '';
  for (const item of Array.isArray(response['output']) ? response['output'] : []) {
    if (!isObject(item)) continue;
    if (typeof item['arguments'] === 'string') content += item['arguments'];
    if (typeof item['input'] === 'string') content += item['input'];
    for (const part of Array.isArray(item['content']) ? item['content'] : []) if (isObject(part) && typeof part['text'] === 'string') content += part['text'];
  }
  const usage = chatUsageOfResponseUsage(response['usage']);
  return { choices: [{ message: { content } }], ...(usage ? { usage } : {}) } as unknown as ChatCompletion;
}

/** A non-streaming native attempt: OpenAI's Response handed to the client byte for byte; its usage read for metering. */
export async function completeNativeResponse(gateway: GatewayContext, request: RequestContext, attempt: NativeResponsesAttempt): Promise<ResponsesServed> {
  const { deployment } = attempt;
  const build = (keyed: ResolvedDeployment) => buildResponsesRequest(keyed, 'POST', '', attempt.body);
  const upstream = await callProvider(gateway, responsesProvider(deployment), deployment, build, attempt.signal, attempt.timeoutOverrideMs);
  const text = await readBodyText(upstream.body, gateway.settings.maxUpstreamResponseBytes);
  const response = parseJsonObject(text, 'a response');
  const usage = completionUsage(estimateSource(response), attempt.promptEstimate, rejectedUsageLogger(gateway, request, deployment));
  const responseId = typeof response['id'] === 'string' ? response['id'] : undefined;
  if (responseId !== undefined) attempt.onCompleted(responseId);
  return { kind: 'json', text, usage, headers: {} };
}

/** Events that say nothing yet about the answer: until another arrives, the router may still fail over. */
const PRELUDE_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);
/** Events that end a Response stream. */
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * A streaming native attempt, committed by stream-commit.ts's rule once the first event past the
 * prelude (`response.created`, `response.in_progress`) has arrived. Until then a failure (an
 * `error` or `response.failed` event, a broken or empty stream) rejects so the router may fail
 * over; afterwards the events are relayed as received and a failure ends the stream with one `error` event.
 */
export async function startNativeResponseStream(gateway: GatewayContext, request: RequestContext, attempt: NativeResponsesAttempt): Promise<ResponsesServed> {
  const { deployment } = attempt;
  const upstream = followAttemptSignal(attempt.signal);
  const build = (keyed: ResolvedDeployment) => buildResponsesRequest(keyed, 'POST', '', attempt.body);
  const upstreamBody = (await callProvider(gateway, responsesProvider(deployment), deployment, build, upstream.signal, attempt.timeoutOverrideMs)).body;
  const usage = createStreamUsageObserver(attempt.promptEstimate, pricingFor(deployment), rejectedUsageLogger(gateway, request, deployment));
  let started = false;
  let committed = false;
  const onError = streamFailureHandler(gateway, request);
  const observe = (type: string, payload: JsonObject) => {
    if (!PRELUDE_EVENTS.has(type)) started = true;
    if (GENERATED_DELTAS.has(type)) {
      const delta = typeof payload['delta'] === 'string' ? payload['delta'] : '';
      usage.observe(chunkOf({ choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] }));
    }
    if (TERMINAL_EVENTS.has(type) && isObject(payload['response'])) {
      const response = payload['response'];
      const chatUsage = chatUsageOfResponseUsage(response['usage']);
      if (chatUsage !== undefined) usage.observe(chunkOf({ choices: [], usage: chatUsage }));
      if (type !== 'response.failed' && typeof response['id'] === 'string') attempt.onCompleted(response['id']);
    }
  };
  // The stream's sequence numbers so far: a gateway error event continues them.
  const sequence = { last: -1 };
  const relayed = relayResponsesStream(upstreamBody, { maxEventBytes: gateway.settings.maxUpstreamResponseBytes, signal: request.signal, committed: () => committed, observe, onError, sequence });
  const body = await commitWhenStarted(gateway, request, {
    iterator: relayed[Symbol.asyncIterator](),
    started: () => started,
    deployment,
    timeoutOverrideMs: attempt.timeoutOverrideMs,
    upstream,
    onCommit: () => (committed = true),
    errorEvent: (error) => responsesErrorEvent(onError(error), ++sequence.last),
  });
  return { kind: 'stream', headers: {}, usage: usage.usage, body };
}

/** Deltas of generated text, counted for the estimate when the provider's usage never comes. */
const GENERATED_DELTAS = new Set([
  'response.output_text.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_summary_text.delta',
  'response.reasoning_text.delta',
]);

interface RelayOptions {
  maxEventBytes: number;
  signal: AbortSignal;
  committed: () => boolean;
  observe: (type: string, payload: JsonObject) => void;
  onError: (error: GatewayError) => GatewayError;
  /** The last `sequence_number` relayed, so that an error event the gateway adds continues the count. */
  sequence: { last: number };
}

/**
 * Upstream SSE → the same events, forwarded as each read completes them (never buffered whole).
 * Before the commit an `error` or `response.failed` event is thrown (the router may fail over);
 * after it, relayed as sent. A stream that stops without a terminal event gets one `error` event.
 */
export async function* relayResponsesStream(upstreamBody: AsyncIterable<Uint8Array>, options: RelayOptions): AsyncGenerator<string> {
  let finished = false;
  try {
    for await (const batch of decodeSseBatches(upstreamBody, { maxEventBytes: options.maxEventBytes })) {
      let text = '';
      for (const event of batch) {
        if (event.data === '[DONE]') continue;
        const payload = parseJsonObject(event.data, 'a stream event');
        const type = typeof payload['type'] === 'string' ? payload['type'] : (event.event ?? '');
        if (typeof payload['sequence_number'] === 'number') options.sequence.last = payload['sequence_number'];
        if (type === 'error' || type === 'response.failed') {
          const error = responsesStreamError(payload);
          if (!options.committed()) throw error;
          // After the commit the failure is relayed, as the Anthropic relay does: its message scrubbed of configured
          // secrets (a provider may quote the key) and its code kept for the usage record.
          const redacted = options.onError(error);
          if (type === 'error') {
            text += responsesErrorEvent(redacted, payload['sequence_number'] as number);
            finished = true;
            continue;
          }
          const response = payload['response'];
          if (isObject(response) && isObject(response['error']) && redacted.message !== error.message) {
            text += `event: ${type}\ndata: ${JSON.stringify({ ...payload, response: { ...response, error: { ...response['error'], message: redacted.message } } })}\n\n`;
            finished = true;
            continue;
          }
        }
        options.observe(type, payload);
        if (TERMINAL_EVENTS.has(type) || type === 'error') finished = true;
        text += `event: ${event.event ?? type}\ndata: ${event.data}\n\n`;
      }
      if (text !== '') yield text;
    }
    if (!finished) throw upstreamStreamTruncated();
  } catch (error) {
    if (!options.committed()) throw error;
    if (options.signal.aborted) return;
    yield responsesErrorEvent(options.onError(toGatewayError(error)), ++options.sequence.last);
  }
}

/** The gateway error for a provider's `error` event or `response.failed` (its `response.error`). */
export function responsesStreamError(payload: JsonObject): GatewayError {
  const response = isObject(payload['response']) ? payload['response'] : undefined;
  // OpenAI's `error` event carries code and message at its top level; `response.failed` in `response.error`.
  const details = isObject(payload['error']) ? payload['error'] : response && isObject(response['error']) ? response['error'] : { code: payload['code'], message: payload['message'], param: payload['param'] };
  const code = typeof details['code'] === 'string' ? details['code'] : null;
  const status = clientErrorStatus(STATUS_BY_CODE[code ?? ''] ?? 502);
  return new GatewayError({
    status,
    message: typeof details['message'] === 'string' ? details['message'] : 'The upstream provider failed the response.',
    type: typeof details['type'] === 'string' ? details['type'] : errorTypeForStatus(status),
    code,
    param: typeof details['param'] === 'string' ? details['param'] : null,
  });
}

/** Codes OpenAI puts in stream errors, with the status the same failure answers outside a stream. */
const STATUS_BY_CODE: Record<string, number> = {
  insufficient_quota: 429,
  rate_limit_exceeded: 429,
  server_error: 500,
  invalid_prompt: 400,
  context_length_exceeded: 400,
};

/** A gateway failure inside a Responses stream: the API's own `error` event, numbered after the events before it. */
export function responsesErrorEvent(error: GatewayError, sequenceNumber: number): string {
  const body = error.toBody().error;
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: body.code ?? body.type, message: body.message, param: body.param, sequence_number: sequenceNumber })}\n\n`;
}

function chunkOf(fields: { choices: unknown[]; usage?: unknown }): ChatCompletionChunk {
  return fields as unknown as ChatCompletionChunk;
}
