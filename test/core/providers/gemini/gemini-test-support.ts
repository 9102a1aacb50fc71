/**
 * Recorded Gemini traffic (Vercel AI SDK fixtures, Apache-2.0; see
 * test/fixtures/providers/LICENSE-vercel-ai.txt) and how to replay it.
 */
import type { ChatCompletionChunk, ChatMessage, JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { createGeminiStreamTranslator } from '../../../../functions/core/providers/gemini/gemini-stream-translator.js';
import type { ChatStreamTranslator, ProviderContext, ResolvedDeployment } from '../../../../functions/core/providers/provider.js';
import { providerContext, resolvedDeployment } from '../provider-test-support.js';
import { fixtureJson, fixtureLines, fixtureNames, fixtureText } from '../../../support/recorded-fixtures.js';

export function geminiFixtureNames(kind: '.chunks.txt' | '.json'): string[] {
  return fixtureNames('gemini', kind);
}

/** Each non-empty line is one `GenerateContentResponse`, sent as one SSE `data:` event. */
export function readGeminiChunkLines(name: string): string[] {
  return fixtureLines(name, 'gemini');
}

export function readGeminiText(name: string): string {
  return fixtureText(name, 'gemini');
}

export function readGeminiJson(name: string): JsonObject {
  return fixtureJson(name, 'gemini');
}

export function geminiDeployment(overrides: Partial<ResolvedDeployment> = {}): ResolvedDeployment {
  return resolvedDeployment({ provider: 'gemini', upstreamModel: 'gemini-2.5-flash', apiBase: undefined, apiKey: 'gemini-test-key', ...overrides });
}

export function geminiContext(overrides: Partial<ResolvedDeployment> = {}): ProviderContext {
  return providerContext(geminiDeployment(overrides));
}

export interface Replay {
  chunks: ChatCompletionChunk[];
  /** Chunks from `end()` alone. */
  endChunks: ChatCompletionChunk[];
  translator: ChatStreamTranslator;
}

/** Feeds each payload as one `data:` event, then ends the stream (Gemini sends no [DONE]). */
export function replayPayloads(payloads: ReadonlyArray<string | JsonObject>): Replay {
  const translator = createGeminiStreamTranslator(geminiContext());
  const chunks = payloads.flatMap((payload) => translator.push({ data: typeof payload === 'string' ? payload : JSON.stringify(payload) }));
  const endChunks = translator.end();
  return { chunks: [...chunks, ...endChunks], endChunks, translator };
}

export function replayFixture(name: string): Replay {
  return replayPayloads(readGeminiChunkLines(name));
}

export function toolCallDeltas(chunks: readonly ChatCompletionChunk[]) {
  return chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
}

export function userMessage(content: unknown): ChatMessage {
  return { role: 'user', content };
}
