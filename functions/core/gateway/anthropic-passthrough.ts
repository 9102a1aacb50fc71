import { toGatewayError, type GatewayError } from '../errors.js';
import type { ChatCompletion, ChatCompletionChunk, JsonObject } from '../openai/openai-types.js';
import { pricingFor } from '../pricing/cost.js';
import type { AnthropicClientRequest } from '../providers/anthropic/anthropic-native.js';
import { buildAnthropicNativeRequest } from '../providers/anthropic/anthropic-native.js';
import { anthropicProvider } from '../providers/anthropic/anthropic-provider.js';
import { mapAnthropicStreamError } from '../providers/anthropic/map-anthropic-error.js';
import { mapAnthropicUsage, mergeAnthropicStreamUsage } from '../providers/anthropic/map-anthropic-usage.js';
import { anthropicEventOfBedrockFrame, buildBedrockInvokeRequest, isBedrockClaude } from '../providers/bedrock/bedrock-invoke-native.js';
import { bedrockProvider } from '../providers/bedrock/bedrock-provider.js';
import { isObject, parseJsonObject } from '../providers/json-values.js';
import type { Provider, ProviderHttpRequest, ResolvedDeployment } from '../providers/provider.js';
import { PROVIDERS } from '../providers/provider-catalog.js';
import { upstreamStreamTruncated } from '../providers/stream-chunks.js';
import { decodeAwsEventStreamBatches } from '../streaming/aws-event-stream-decoder.js';
import { decodeSseBatches } from '../streaming/sse-decoder.js';
import { toAnthropicErrorBody } from '../anthropic-api/anthropic-error.js';
import { callProvider } from './call-provider.js';
import type { GatewayContext, RecordedUsage, RequestContext } from './gateway-context.js';
import { readBodyText } from './read-body.js';
import { completionUsage, createStreamUsageObserver, readUpstreamUsage, rejectedUsageLogger } from './usage-observer.js';
import { commitWhenStarted, followAttemptSignal, streamFailureHandler } from './stream-commit.js';

/**
 * Deployments that speak Anthropic Messages themselves: `anthropic/…`, and Claude on Bedrock
 * (InvokeModel takes the Messages body). `/v1/messages` reaches them without translation.
 */
export type NativeDialect = 'anthropic' | 'bedrock';

export function nativeDialectOf(deployment: ResolvedDeployment): NativeDialect | undefined {
  const wire = PROVIDERS[deployment.provider]?.wire;
  if (wire === 'anthropic') return 'anthropic';
  if (wire === 'bedrock' && isBedrockClaude(deployment)) return 'bedrock';
  return undefined;
}

/** One attempt's answer on the Anthropic route, whichever way it was served (natively or translated). */
export type AnthropicServed =
  | { kind: 'json'; text: string; usage: RecordedUsage; headers: Record<string, string> }
  | { kind: 'stream'; body: AsyncIterable<string>; usage: () => RecordedUsage; headers: Record<string, string> };

/** One native attempt: the deployment, its abort signal, the body as sent (gateway fields taken out, max_tokens clamped) and the client's headers. */
export interface NativeAttempt {
  readonly deployment: ResolvedDeployment;
  readonly dialect: NativeDialect;
  readonly signal: AbortSignal;
  readonly timeoutOverrideMs?: number;
  readonly body: JsonObject;
  readonly client: AnthropicClientRequest;
  readonly promptEstimate: () => number;
}

/** The provider module (for its error mapping), the request builder and the stream framing of a dialect. */
export function nativeCall(dialect: NativeDialect, body: JsonObject, client: AnthropicClientRequest) {
  if (dialect === 'anthropic') {
    return { provider: anthropicProvider as Provider, framing: 'sse' as const, build: (keyed: ResolvedDeployment): ProviderHttpRequest => buildAnthropicNativeRequest(body, client, keyed) };
  }
  return { provider: bedrockProvider as Provider, framing: 'aws-event-stream' as const, build: (keyed: ResolvedDeployment): ProviderHttpRequest => buildBedrockInvokeRequest(body, client, keyed) };
}

/**
 * A non-streaming native attempt: the provider's message is handed to the client byte for byte;
 * its usage (mapped to OpenAI's shape by mapAnthropicUsage) is what admission, settlement and the
 * usage record read. A body that is not a message object fails the attempt (502), so the router may fail over.
 */
export async function completeNative(gateway: GatewayContext, request: RequestContext, attempt: NativeAttempt): Promise<AnthropicServed> {
  const { deployment, signal } = attempt;
  const { provider, build } = nativeCall(attempt.dialect, attempt.body, attempt.client);
  const upstream = await callProvider(gateway, provider, deployment, build, signal, attempt.timeoutOverrideMs);
  const text = await readBodyText(upstream.body, gateway.settings.maxUpstreamResponseBytes);
  const message = parseJsonObject(text, 'a message');
  if (message['type'] === 'error') throw mapAnthropicStreamError(message);
  const usage = completionUsage(estimateSource(message), attempt.promptEstimate, rejectedUsageLogger(gateway, request, deployment));
  return { kind: 'json', text, usage, headers: {} };
}

/**
 * A streaming native attempt, with chat-completions.ts startStream's rules: resolves once the
 * provider's first content event (anything but `message_start` and `ping`) has arrived, holding
 * what came before it; or, when the provider has begun but stays silent for a keep-alive
 * interval, at that point. Until then a failure (an `error` event, a broken or empty stream)
 * rejects so that the router can fail over; afterwards the stream ends with one Anthropic
 * `error` event. Every event reaches the client as the provider sent it, one read at a time.
 */
export async function startNativeStream(gateway: GatewayContext, request: RequestContext, attempt: NativeAttempt): Promise<AnthropicServed> {
  const { deployment } = attempt;
  const upstream = followAttemptSignal(attempt.signal);
  const { provider, framing, build } = nativeCall(attempt.dialect, attempt.body, attempt.client);
  const upstreamBody = (await callProvider(gateway, provider, deployment, build, upstream.signal, attempt.timeoutOverrideMs)).body;
  const usage = createAnthropicUsageObserver(attempt.promptEstimate, deployment, rejectedUsageLogger(gateway, request, deployment));
  let committed = false;
  const onError = streamFailureHandler(gateway, request);
  const relayed = relayAnthropicStream(upstreamBody, {
    framing,
    maxEventBytes: gateway.settings.maxUpstreamResponseBytes,
    signal: request.signal,
    committed: () => committed,
    observe: usage.observe,
    onError,
  });
  const body = await commitWhenStarted(gateway, request, {
    iterator: relayed[Symbol.asyncIterator](),
    started: usage.started,
    deployment,
    timeoutOverrideMs: attempt.timeoutOverrideMs,
    upstream,
    onCommit: () => (committed = true),
    errorEvent: (error) => anthropicErrorEvent(onError(error)),
  });
  return { kind: 'stream', headers: {}, usage: usage.usage, body };
}

interface RelayOptions {
  framing: 'sse' | 'aws-event-stream';
  maxEventBytes: number;
  /** The client's signal: once it is gone there is no one to tell of a failure. */
  signal: AbortSignal;
  /** False while the router may still fail over: failures are then thrown. */
  committed: () => boolean;
  /** Sees every event before the client does (usage, start of content). */
  observe: (type: string, payload: JsonObject) => void;
  onError: (error: GatewayError) => GatewayError;
}

/**
 * Upstream bytes (SSE, or Bedrock's event-stream frames each carrying one Anthropic event) →
 * Anthropic SSE events, forwarded as each read completes them (never buffered whole). An
 * `error` event from the provider is relayed in its own type after the commit (its message
 * scrubbed of configured secrets), thrown before it. A stream that stops without
 * `message_stop` (or an error) is truncated: one gateway `error` event after the commit.
 */
export async function* relayAnthropicStream(upstreamBody: AsyncIterable<Uint8Array>, options: RelayOptions): AsyncGenerator<string> {
  let stopped = false;
  try {
    const decode = options.framing === 'aws-event-stream' ? decodeAwsEventStreamBatches : decodeSseBatches;
    for await (const batch of decode(upstreamBody, { maxEventBytes: options.maxEventBytes })) {
      let text = '';
      for (const frame of batch) {
        const event = options.framing === 'aws-event-stream' ? anthropicEventOfBedrockFrame(frame) : frame;
        if (event === undefined) continue;
        const payload = parseJsonObject(event.data, 'a stream event');
        const type = typeof payload['type'] === 'string' ? payload['type'] : (event.event ?? '');
        if (type === 'error') {
          const error = mapAnthropicStreamError(payload);
          if (!options.committed()) throw error;
          const redacted = options.onError(error);
          text += sseEvent('error', JSON.stringify({ type: 'error', error: { type: error.code ?? 'api_error', message: redacted.message } }));
          stopped = true;
          continue;
        }
        options.observe(type, payload);
        if (type === 'message_stop') stopped = true;
        text += sseEvent(event.event ?? type, event.data);
      }
      if (text !== '') yield text;
    }
    if (!stopped) throw upstreamStreamTruncated();
  } catch (error) {
    if (!options.committed()) throw error;
    if (options.signal.aborted) return;
    yield anthropicErrorEvent(options.onError(toGatewayError(error)));
  }
}

/** One SSE event as Anthropic frames it (`event:` named, the data as the provider sent it). */
function sseEvent(name: string, data: string): string {
  const lines = data.includes('\n') ? data.split('\n').map((line) => `data: ${line}`).join('\n') : `data: ${data}`;
  return `event: ${name}\n${lines}\n\n`;
}

/** A gateway failure after the stream started, as Anthropic's `error` event. */
export function anthropicErrorEvent(error: GatewayError): string {
  return sseEvent('error', JSON.stringify(toAnthropicErrorBody(error)));
}

/**
 * Reads a native stream's usage for metering without touching the events: `message_start`
 * carries the input (and cache) counts, `message_delta` the final ones; together they are mapped
 * by mapAnthropicUsage and handed to the stream usage observer, as a translated stream's usage
 * chunk would be. Text, thinking and tool input are counted too, for the estimate when the
 * provider's usage never comes (a client gone, a broken stream).
 */
function createAnthropicUsageObserver(promptEstimate: () => number, deployment: ResolvedDeployment, onRejected: (field: string) => void) {
  const observer = createStreamUsageObserver(promptEstimate, pricingFor(deployment), onRejected);
  let atStart: unknown;
  /** The exact input counts (cache reads and writes included) `message_start` gave, if believable. */
  let promptAtStart: RecordedUsage | undefined;
  let finalUsageSeen = false;
  let generatedCharacters = 0;
  let started = false;
  return {
    started: () => started,
    /**
     * The provider's final usage; or, for a stream that ended early (the client pressed Esc, the
     * stream broke), the exact input counts of `message_start` with only the output estimated —
     * never the prompt re-estimated at the uncached rate, which would bill a cached turn ~10× over.
     */
    usage(): RecordedUsage {
      if (finalUsageSeen || promptAtStart === undefined) return observer.usage();
      return { ...promptAtStart, completionTokens: Math.max(promptAtStart.completionTokens, Math.ceil(generatedCharacters / 4)), estimated: true };
    },
    observe(type: string, payload: JsonObject): void {
      if (type !== 'message_start' && type !== 'ping') started = true;
      switch (type) {
        case 'message_start': {
          const message = payload['message'];
          atStart = isObject(message) ? message['usage'] : undefined;
          const read = isObject(atStart) ? readUpstreamUsage(mapAnthropicUsage(mergeAnthropicStreamUsage(atStart, undefined))) : undefined;
          promptAtStart = read?.kind === 'reported' ? read.usage : undefined;
          return;
        }
        case 'content_block_delta': {
          const generated = deltaText(payload['delta']);
          generatedCharacters += generated.length;
          if (generated !== '') observer.observe(chunkOf({ choices: [{ index: 0, delta: { content: generated }, finish_reason: null }] }));
          return;
        }
        case 'message_delta': {
          const atDelta = payload['usage'];
          if (!isObject(atStart) && !isObject(atDelta)) return;
          finalUsageSeen = true;
          observer.observe(chunkOf({ choices: [], usage: mapAnthropicUsage(mergeAnthropicStreamUsage(atStart, atDelta)) }));
          return;
        }
        default:
          return;
      }
    },
  };
}

function deltaText(delta: unknown): string {
  if (!isObject(delta)) return '';
  for (const field of ['text', 'thinking', 'partial_json']) {
    const value = delta[field];
    if (typeof value === 'string') return value;
  }
  return '';
}

function chunkOf(fields: { choices: unknown[]; usage?: unknown }): ChatCompletionChunk {
  return fields as unknown as ChatCompletionChunk;
}

/** The parts of a message the gateway's estimate reads (only used when the provider's usage is missing or unbelievable). */
function estimateSource(message: JsonObject): ChatCompletion {
  let content = '';
  const calls: Array<{ function: { arguments: string } }> = [];
  for (const block of Array.isArray(message['content']) ? message['content'] : []) {
    if (!isObject(block)) continue;
    for (const field of ['text', 'thinking']) if (typeof block[field] === 'string') content += block[field];
    if (block['input'] !== undefined) calls.push({ function: { arguments: JSON.stringify(block['input']) } });
  }
  const usage = isObject(message['usage']) ? mapAnthropicUsage(message['usage']) : undefined;
  return { choices: [{ message: { content, ...(calls.length > 0 ? { tool_calls: calls } : {}) } }], ...(usage ? { usage } : {}) } as unknown as ChatCompletion;
}
