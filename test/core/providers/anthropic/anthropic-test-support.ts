/**
 * Recorded Anthropic traffic (Vercel AI SDK fixtures, Apache-2.0; see
 * test/fixtures/providers/LICENSE-vercel-ai.txt) and how to replay it.
 */
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { createAnthropicStreamTranslator } from '../../../../functions/core/providers/anthropic/anthropic-stream-translator.js';
import type { ProviderContext } from '../../../../functions/core/providers/provider.js';
import type { SseEvent } from '../../../../functions/core/streaming/sse-decoder.js';
import { providerContext, replayInto, resolvedDeployment, type Replay } from '../provider-test-support.js';
import { fixtureJson, fixtureLines, fixtureNames } from '../../../support/recorded-fixtures.js';

export function anthropicFixtureNames(kind: '.chunks.txt' | '.json'): string[] {
  return fixtureNames('anthropic', kind);
}

/** Each non-empty line is the JSON of one SSE event whose `type` is also its `event:` name. */
export function readAnthropicEvents(name: string): SseEvent[] {
  return fixtureLines(name, 'anthropic').map((line) => ({ event: (JSON.parse(line) as JsonObject)['type'] as string, data: line }));
}

export function readAnthropicJson(name: string): JsonObject {
  return fixtureJson(name, 'anthropic');
}

export function anthropicContext(): ProviderContext {
  return providerContext(
    resolvedDeployment({ provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', apiBase: undefined, apiKey: 'sk-ant-test' }),
  );
}

/** Feeds every event of a recording, then ends the stream. */
export function replayEvents(events: readonly SseEvent[]): Replay {
  return replayInto(createAnthropicStreamTranslator(anthropicContext()), events);
}

export function replayFixture(name: string): Replay {
  return replayEvents(readAnthropicEvents(name));
}

/** Builds one SSE event the way Anthropic frames it. */
export function anthropicEvent(payload: JsonObject): SseEvent {
  return { event: payload['type'] as string, data: JSON.stringify(payload) };
}
