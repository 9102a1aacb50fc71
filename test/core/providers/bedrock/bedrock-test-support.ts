/**
 * Arrangements for Bedrock provider tests: the recorded ConverseStream / Converse fixtures
 * (Vercel AI SDK, Apache-2.0; see test/fixtures/providers/LICENSE-vercel-ai.txt) and a Bedrock
 * deployment.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { createConverseStreamTranslator } from '../../../../functions/core/providers/bedrock/converse-stream-translator.js';
import type { ProviderContext, ResolvedDeployment } from '../../../../functions/core/providers/provider.js';
import type { SseEvent } from '../../../../functions/core/streaming/sse-decoder.js';
import { providerContext, replayInto, resolvedDeployment, type Replay } from '../provider-test-support.js';
import { fixtureJson, fixtureLines, fixtureNames } from '../../../support/recorded-fixtures.js';

export function bedrockFixtureNames(kind: '.chunks.txt' | '.json'): string[] {
  return fixtureNames('bedrock', kind);
}

/** Each line of a `.chunks.txt` fixture is one ConverseStream event: `{"<eventType>": <payload>}`. */
export function readBedrockEvents(name: string): SseEvent[] {
  return fixtureLines(name, 'bedrock').map((line) => {
    const [event, payload] = Object.entries(JSON.parse(line) as JsonObject)[0]!;
    return { event, data: JSON.stringify(payload) };
  });
}

export function readBedrockJson(name: string): JsonObject {
  return fixtureJson(name, 'bedrock');
}

export function bedrockDeployment(overrides: Partial<ResolvedDeployment> = {}): ResolvedDeployment {
  return resolvedDeployment({
    provider: 'bedrock',
    upstreamModel: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    apiBase: undefined,
    apiKey: undefined,
    awsRegion: 'eu-west-1',
    ...overrides,
  });
}

export function bedrockContext(overrides: Partial<ResolvedDeployment> = {}): ProviderContext {
  return providerContext(bedrockDeployment(overrides));
}

/** Pushes every event, then ends the stream. */
export function replayEvents(events: readonly SseEvent[], context: ProviderContext = bedrockContext()): Replay {
  return replayInto(createConverseStreamTranslator(context), events);
}

export function event(type: string, payload: unknown): SseEvent {
  return { event: type, data: JSON.stringify(payload) };
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** One binary frame as Bedrock sends it: an event, or an exception with its JSON body. */
export function encodeFrame(type: string, payload: unknown, messageType: 'event' | 'exception' = 'event'): Uint8Array {
  return codec.encode({
    headers: {
      [messageType === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: messageType },
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}
