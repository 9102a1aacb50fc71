import type { ChatCompletion, ChatCompletionChunk, JsonObject } from '../openai/openai-types.js';
import { costPicos, formatPicosAsUsd, picosToUsd, type Pricing, type TokenUsage } from '../pricing/cost.js';
import type { GatewayContext, RecordedUsage, RequestContext } from './gateway-context.js';
import type { ResolvedDeployment } from '../providers/provider.js';

/**
 * No single request comes near this many tokens (the largest context windows hold about
 * 10 million): a count beyond it is a provider's error, not a bill.
 */
export const MAX_TOKENS_PER_REQUEST = 100_000_000;

/** What a provider said about a request's tokens: believable counts, nothing, or counts the gateway will not bill on. */
export type UpstreamUsage =
  | { kind: 'reported'; usage: RecordedUsage }
  | { kind: 'absent' }
  | { kind: 'rejected'; field: string };

/**
 * The provider's usage object (OpenAI's shape; other providers' usage is mapped to it first)
 * → token counts. Budgets and spend are settled on these numbers, so each must be a
 * non-negative integer within MAX_TOKENS_PER_REQUEST: a provider reporting -1e8 prompt tokens
 * must not credit a budget, and 1e300 must not break settlement. Otherwise the usage is
 * rejected and the caller estimates instead (and flags the record).
 */
export function readUpstreamUsage(usage: unknown): UpstreamUsage {
  if (typeof usage !== 'object' || usage === null) return { kind: 'absent' };
  const fields = usage as JsonObject;
  const prompt = fields['prompt_tokens'];
  const completion = fields['completion_tokens'];
  if (prompt === undefined && completion === undefined) return { kind: 'absent' };
  if (!isTokenCount(prompt)) return { kind: 'rejected', field: 'prompt_tokens' };
  if (!isTokenCount(completion)) return { kind: 'rejected', field: 'completion_tokens' };
  const promptDetails = fields['prompt_tokens_details'];
  const counts: Record<string, number | undefined> = {};
  for (const [name, value] of [
    ['prompt_tokens_details.cached_tokens', detail(promptDetails, 'cached_tokens')],
    ['prompt_tokens_details.cache_write_tokens', detail(promptDetails, 'cache_write_tokens')],
    ['prompt_tokens_details.cache_write_1h_tokens', detail(promptDetails, 'cache_write_1h_tokens')],
    ['completion_tokens_details.reasoning_tokens', detail(fields['completion_tokens_details'], 'reasoning_tokens')],
  ] as const) {
    if (value === undefined || value === null) continue;
    if (!isTokenCount(value)) return { kind: 'rejected', field: name };
    counts[name] = value;
  }
  // Each part is bounded by what is left of the prompt: reads, then writes, then the 1-hour share of the writes.
  const cached = counts['prompt_tokens_details.cached_tokens'];
  const reads = cached === undefined ? undefined : Math.min(cached, prompt);
  const writes = counts['prompt_tokens_details.cache_write_tokens'];
  const boundedWrites = writes === undefined ? undefined : Math.min(writes, prompt - (reads ?? 0));
  const writes1h = counts['prompt_tokens_details.cache_write_1h_tokens'];
  return {
    kind: 'reported',
    usage: {
      promptTokens: prompt,
      completionTokens: completion,
      cachedPromptTokens: reads,
      ...(boundedWrites === undefined ? {} : { cacheWriteTokens: boundedWrites }),
      ...(writes1h === undefined ? {} : { cacheWrite1hTokens: Math.min(writes1h, boundedWrites ?? 0) }),
      reasoningTokens: counts['completion_tokens_details.reasoning_tokens'],
      estimated: false,
    },
  };
}

/** A non-streamed answer's usage: the provider's, or an estimate (prompt as sent, completion from the answer's text) flagged when the provider's was rejected. */
export function completionUsage(
  completion: ChatCompletion,
  promptEstimate: () => number,
  onRejected: (field: string) => void,
): RecordedUsage {
  const read = readUpstreamUsage(completion.usage);
  if (read.kind === 'reported') return read.usage;
  if (read.kind === 'rejected') onRejected(read.field);
  let characters = 0;
  for (const choice of completion.choices ?? []) characters += generatedCharacters(choice.message as JsonObject);
  const estimate: RecordedUsage = {
    promptTokens: promptEstimate(),
    completionTokens: Math.ceil(characters / 4),
    estimated: true,
    ...(read.kind === 'rejected' ? { rejectedUpstreamUsage: true } : {}),
  };
  // The client is shown what the gateway bills, not the provider's unbelievable figures.
  if (read.kind === 'rejected') completion.usage = usageObject(estimate) as unknown as ChatCompletion['usage'];
  return estimate;
}

/** An embedding's usage: the provider's prompt tokens when believable, else the estimate (flagged when rejected). */
export function embeddingUsage(usage: unknown, promptEstimate: () => number, onRejected: (field: string) => void): RecordedUsage {
  const prompt = typeof usage === 'object' && usage !== null ? (usage as JsonObject)['prompt_tokens'] : undefined;
  if (isTokenCount(prompt)) return { promptTokens: prompt, completionTokens: 0, estimated: false };
  if (prompt !== undefined) onRejected('prompt_tokens');
  return { promptTokens: promptEstimate(), completionTokens: 0, estimated: true, ...(prompt !== undefined ? { rejectedUpstreamUsage: true } : {}) };
}


/** The request's exact cost as a USD number, for JSON (the stream's usage chunk): never rounded up to a coarser unit. */
export function costUsd(usage: TokenUsage, pricing: Pricing): number {
  return picosToUsd(costPicos(usage, pricing));
}

/** The request's exact cost as decimal USD text, for the `x-gateway-cost-usd` header: `0.0000002`, not `2e-7`. */
export function costUsdHeader(usage: TokenUsage, pricing: Pricing): string {
  return formatPicosAsUsd(costPicos(usage, pricing));
}

/**
 * Watches a stream's chunks for the provider's usage, and adds the request's cost to
 * the usage chunk the client sees (`usage.cost_usd`). When the stream gives no usage
 * (or the client left before it came), or usage that cannot be believed, estimates from
 * what was generated (4 characters a token), so a stream is never recorded as free.
 */
export function createStreamUsageObserver(promptEstimate: () => number, pricing: Pricing, onRejected: (field: string) => void = () => undefined) {
  let reported: RecordedUsage | undefined;
  let rejected = false;
  let generated = 0;
  const estimate = (): RecordedUsage => ({
    promptTokens: promptEstimate(),
    completionTokens: Math.ceil(generated / 4),
    estimated: true,
    ...(rejected ? { rejectedUpstreamUsage: true } : {}),
  });
  return {
    observe(chunk: ChatCompletionChunk): void {
      for (const choice of chunk.choices) generated += generatedCharacters(choice.delta as JsonObject);
      if (chunk.usage === undefined || chunk.usage === null) return;
      const read = readUpstreamUsage(chunk.usage);
      if (read.kind === 'absent') return;
      if (read.kind === 'reported') {
        reported = read.usage;
        (chunk.usage as JsonObject)['cost_usd'] = costUsd(read.usage, pricing);
        return;
      }
      if (!rejected) onRejected(read.field);
      rejected = true;
      reported = undefined;
      const estimated = estimate();
      chunk.usage = { ...usageObject(estimated), cost_usd: costUsd(estimated, pricing) } as unknown as ChatCompletionChunk['usage'];
    },
    usage(): RecordedUsage {
      return reported ?? estimate();
    },
  };
}

function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKENS_PER_REQUEST;
}

function detail(details: unknown, field: string): unknown {
  return typeof details === 'object' && details !== null ? (details as JsonObject)[field] : undefined;
}

/** Characters of output in a message or a delta: text, reasoning, refusal and tool-call arguments. */
function generatedCharacters(message: JsonObject | undefined): number {
  if (message === undefined || message === null) return 0;
  let characters = 0;
  for (const field of ['content', 'reasoning_content', 'refusal']) {
    const text = message[field];
    if (typeof text === 'string') characters += text.length;
  }
  const calls = message['tool_calls'];
  if (Array.isArray(calls)) {
    for (const call of calls) {
      const args = (call as { function?: { arguments?: unknown } }).function?.arguments;
      if (typeof args === 'string') characters += args.length;
    }
  }
  return characters;
}

function usageObject(usage: RecordedUsage): JsonObject {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens, estimated: true };
}

/** Logs a provider's unbelievable usage once per request: the record is estimated and flagged instead. */
export function rejectedUsageLogger(gateway: GatewayContext, request: RequestContext, deployment: ResolvedDeployment) {
  return (field: string) =>
    gateway.logger.warn('usage.upstream_usage_rejected', { requestId: request.requestId, deployment: deployment.id, provider: deployment.provider, field });
}
