/**
 * The recorded provider traffic under test/fixtures/providers/<format>/ (Vercel AI SDK
 * fixtures, Apache-2.0; see test/fixtures/providers/LICENSE-vercel-ai.txt). One reader for
 * every test: `*.json` is one whole response, `*.chunks.txt` one event per non-empty line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { JsonObject } from '../../functions/core/openai/openai-types.js';

export type FixtureFormat = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

const FIXTURES = new URL('../fixtures/providers/', import.meta.url);

/** The fixture files of a format ending in `kind`, sorted. */
export function fixtureNames(format: FixtureFormat, kind: '.chunks.txt' | '.json'): string[] {
  return readdirSync(new URL(`${format}/`, FIXTURES))
    .filter((name) => name.endsWith(kind))
    .sort();
}

export function fixtureText(name: string, format: FixtureFormat = 'openai'): string {
  return readFileSync(new URL(`${format}/${name}`, FIXTURES), 'utf8');
}

/** The non-empty lines of a `*.chunks.txt` fixture (`name` with its extension). */
export function fixtureLines(name: string, format: FixtureFormat = 'openai'): string[] {
  return fixtureText(name, format)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export function fixtureJson(name: string, format: FixtureFormat = 'openai'): JsonObject {
  return JSON.parse(fixtureText(name, format)) as JsonObject;
}

/** The events of `<name>.chunks.txt`, each parsed. */
export function fixtureChunks(name: string, format: FixtureFormat = 'openai'): Record<string, unknown>[] {
  return fixtureLines(`${name}.chunks.txt`, format).map((line) => JSON.parse(line) as Record<string, unknown>);
}
