/**
 * Shared arrangements for provider tests: recorded fixtures (Vercel AI SDK, Apache-2.0; see
 * test/fixtures/providers/LICENSE-vercel-ai.txt) and hand-built resolved deployments.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import type { ProviderContext, ResolvedDeployment } from '../../../functions/core/providers/provider.js';

const OPENAI_FIXTURES = new URL('../../fixtures/providers/openai/', import.meta.url);

/** Every recorded OpenAI-compatible stream, by file name. */
export function openAIStreamFixtureNames(): string[] {
  return readdirSync(OPENAI_FIXTURES)
    .filter((name) => name.endsWith('.chunks.txt'))
    .sort();
}

/** Each non-empty line of a `.chunks.txt` fixture is the JSON of one `data:` event. */
export function readChunkLines(name: string): string[] {
  return readFileSync(new URL(name, OPENAI_FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export function readJsonFixture(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(name, OPENAI_FIXTURES), 'utf8')) as JsonObject;
}

/** A deployment as config resolution would leave it: defaults applied, secrets resolved. */
export function resolvedDeployment(overrides: Partial<ResolvedDeployment> = {}): ResolvedDeployment {
  return {
    path: 'model_list[0]',
    modelName: 'test-model',
    provider: 'openai',
    upstreamModel: 'gpt-4o-mini',
    apiBase: 'https://api.openai.com/v1',
    apiKey: 'sk-test-key',
    timeoutMs: 600_000,
    extraHeaders: {},
    streamDelayMs: 0,
    modelInfo: {},
    ...overrides,
  };
}

export function providerContext(deployment: ResolvedDeployment = resolvedDeployment()): ProviderContext {
  return { deployment, requestId: 'req-test-1', nowSeconds: 1_700_000_000 };
}
