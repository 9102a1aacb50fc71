/**
 * Shared arrangements for provider tests: recorded fixtures (Vercel AI SDK, Apache-2.0; see
 * test/fixtures/providers/LICENSE-vercel-ai.txt) and hand-built resolved deployments.
 */
import type { ChatCompletionChunk, JsonObject } from '../../../functions/core/openai/openai-types.js';
import { fixtureJson, fixtureLines, fixtureNames } from '../../support/recorded-fixtures.js';
import type { ChatStreamTranslator, ProviderContext, ResolvedDeployment } from '../../../functions/core/providers/provider.js';
import type { SseEvent } from '../../../functions/core/streaming/sse-decoder.js';

/** Every recorded OpenAI-compatible stream, by file name. */
export function openAIStreamFixtureNames(): string[] {
  return fixtureNames('openai', '.chunks.txt');
}

/** Each non-empty line of a `.chunks.txt` fixture is the JSON of one `data:` event. */
export function readChunkLines(name: string): string[] {
  return fixtureLines(name);
}

export function readJsonFixture(name: string): JsonObject {
  return fixtureJson(name);
}

/** A deployment as config resolution would leave it: defaults applied, secrets resolved. */
export function resolvedDeployment(overrides: Partial<ResolvedDeployment> = {}): ResolvedDeployment {
  return {
    path: 'model_list[0]',
    id: 'model_list[0]',
    modelName: 'test-model',
    provider: 'openai',
    upstreamModel: 'gpt-4o-mini',
    apiBase: 'https://api.openai.com/v1',
    apiKey: 'sk-test-key',
    timeoutMs: 600_000,
    streamTimeoutMs: 600_000,
    extraHeaders: {},
    streamDelayMs: 0,
    modelInfo: {},
    ...overrides,
  };
}

export function providerContext(deployment: ResolvedDeployment = resolvedDeployment()): ProviderContext {
  return { deployment, requestId: 'req-test-1', nowSeconds: 1_700_000_000 };
}

/** Each tool call's arguments, its streamed pieces joined, by the tool call's `index`. */
export function toolArgumentsByIndex(chunks: readonly ChatCompletionChunk[]): Map<number, string> {
  const byIndex = new Map<number, string>();
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      for (const toolCall of choice.delta.tool_calls ?? []) {
        byIndex.set(toolCall.index, (byIndex.get(toolCall.index) ?? '') + (toolCall.function?.arguments ?? ''));
      }
    }
  }
  return byIndex;
}

/** A delta field's text across the stream, joined. */
export function deltaText(chunks: readonly ChatCompletionChunk[], field: 'content' | 'reasoning_content'): string {
  return chunks.flatMap((chunk) => chunk.choices.map((choice) => (typeof choice.delta[field] === 'string' ? choice.delta[field] : ''))).join('');
}

/** The non-null finish reasons of the stream, in order. */
export function finishReasons(chunks: readonly ChatCompletionChunk[]): string[] {
  return chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter((reason): reason is string => reason !== null);
}

export interface Replay {
  chunks: ChatCompletionChunk[];
  translator: ChatStreamTranslator;
}

/** Pushes every event into the translator, then ends the stream. */
export function replayInto(translator: ChatStreamTranslator, events: readonly SseEvent[]): Replay {
  const chunks = events.flatMap((event) => translator.push(event));
  chunks.push(...translator.end());
  return { chunks, translator };
}
