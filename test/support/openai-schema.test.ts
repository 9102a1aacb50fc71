import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assertChatCompletion,
  assertChatCompletionChunk,
  assertEmbeddingResponse,
  assertErrorResponse,
  assertModel,
  assertModelList,
} from './openai-schema.js';

// Recorded real OpenAI responses (from the Vercel AI SDK test fixtures, Apache-2.0;
// see test/fixtures/providers/LICENSE-vercel-ai.txt).
const FIXTURES = new URL('../fixtures/providers/openai/', import.meta.url);

function readFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function readJsonFixture(name: string): unknown {
  return JSON.parse(readFixture(name));
}

/** Each non-empty line of a `.chunks.txt` fixture is one chunk's JSON. */
function readChunkFixture(name: string): unknown[] {
  return readFixture(name)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

function textChunk(overrides: { choice?: Record<string, unknown> } & Record<string, unknown> = {}): unknown {
  const { choice, ...top } = overrides;
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'demo',
    choices: [{ index: 0, delta: { content: 'hi' }, logprobs: null, finish_reason: null, ...choice }],
    ...top,
  };
}

describe('assertChatCompletion', () => {
  it('accepts the recorded OpenAI chat completion when validating openai-text.json', () => {
    expect(() => assertChatCompletion(readJsonFixture('openai-text.json'))).not.toThrow();
  });

  it('rejects a completion with a readable message when choices[].message.refusal is missing', () => {
    const completion = readJsonFixture('openai-text.json') as { choices: { message: Record<string, unknown> }[] };
    delete completion.choices[0]!.message.refusal;
    expect(() => assertChatCompletion(completion)).toThrow(
      /CreateChatCompletionResponse[\s\S]*\/choices\/0\/message must have required property 'refusal'[\s\S]*Value: \{"id":"chatcmpl-/,
    );
  });

  it('rejects a tool call when its type matches no tool call variant', () => {
    const completion = readJsonFixture('openai-text.json') as { choices: { message: Record<string, unknown> }[] };
    completion.choices[0]!.message.tool_calls = [{ id: 'call_1', type: 'bogus', function: { name: 'f', arguments: '{}' } }];
    expect(() => assertChatCompletion(completion)).toThrow(/\/choices\/0\/message\/tool_calls\/0/);
  });
});

describe('assertChatCompletionChunk', () => {
  it('accepts every recorded OpenAI stream chunk when validating openai-text.chunks.txt', () => {
    const chunks = readChunkFixture('openai-text.chunks.txt');
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) assertChatCompletionChunk(chunk);
  });

  it('accepts a chunk when usage is null (OpenAPI nullable)', () => {
    expect(() => assertChatCompletionChunk(textChunk({ usage: null }))).not.toThrow();
  });

  it('rejects a chunk when choices[].finish_reason is missing', () => {
    const chunk = textChunk();
    delete (chunk as { choices: Record<string, unknown>[] }).choices[0]!.finish_reason;
    expect(() => assertChatCompletionChunk(chunk)).toThrow(/must have required property 'finish_reason'/);
  });

  it('rejects a chunk when finish_reason is not one of the spec values', () => {
    expect(() => assertChatCompletionChunk(textChunk({ choice: { finish_reason: 'end_turn' } }))).toThrow(
      /\/choices\/0\/finish_reason/,
    );
  });
});

describe('assertEmbeddingResponse', () => {
  it('accepts the recorded OpenAI embedding response when validating openai-embedding.json', () => {
    expect(() => assertEmbeddingResponse(readJsonFixture('openai-embedding.json'))).not.toThrow();
  });

  it('rejects an embedding response when usage is missing', () => {
    const response = readJsonFixture('openai-embedding.json') as Record<string, unknown>;
    delete response.usage;
    expect(() => assertEmbeddingResponse(response)).toThrow(/must have required property 'usage'/);
  });
});

describe('assertErrorResponse', () => {
  it('accepts an error body when message, type, param and code are all present', () => {
    const body = { error: { message: 'x', type: 'invalid_request_error', param: null, code: null } };
    expect(() => assertErrorResponse(body)).not.toThrow();
  });

  it('rejects an error body when error is a string', () => {
    expect(() => assertErrorResponse({ error: 'nope' })).toThrow(/ErrorResponse[\s\S]*\/error must be object/);
  });

  it('rejects an error body when param and code are omitted', () => {
    expect(() => assertErrorResponse({ error: { message: 'x', type: 'invalid_request_error' } })).toThrow(
      /must have required property 'param'/,
    );
  });
});

describe('assertModelList', () => {
  it('accepts a model list when each model has id, object, created and owned_by', () => {
    const list = { object: 'list', data: [{ id: 'demo', object: 'model', created: 0, owned_by: 'gateway' }] };
    expect(() => assertModelList(list)).not.toThrow();
  });

  it('rejects a model list when a model lacks owned_by', () => {
    const list = { object: 'list', data: [{ id: 'demo', object: 'model', created: 0 }] };
    expect(() => assertModelList(list)).toThrow(/\/data\/0 must have required property 'owned_by'/);
  });
});

describe('assertModel', () => {
  it('accepts a model when id, object, created and owned_by are present', () => {
    expect(() => assertModel({ id: 'demo', object: 'model', created: 0, owned_by: 'gateway' })).not.toThrow();
  });

  it('rejects a model when created is not an integer unix time', () => {
    expect(() => assertModel({ id: 'demo', object: 'model', created: 1.5, owned_by: 'gateway' })).toThrow(
      /\/created must be integer/,
    );
  });
});
