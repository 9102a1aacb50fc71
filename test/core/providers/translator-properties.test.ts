import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import { validateChatRequest } from '../../../functions/core/openai/validate-request.js';
import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import type { WireFormat } from '../../../functions/core/providers/provider-catalog.js';
import { providerFor } from '../../../functions/core/providers/provider-registry.js';
import { providerContext, resolvedDeployment } from './provider-test-support.js';

/**
 * Every translation module, over arbitrary input: a request the gateway accepted, an answer or
 * a stream event a provider sent. Each either translates or refuses with a GatewayError (a
 * clear status and message) — never a TypeError or a RangeError, which the client would see as
 * a 500 and the router as the deployment's failure.
 */

const WIRES: Array<{ wire: WireFormat; provider: string; upstreamModel: string; apiBase?: string }> = [
  { wire: 'openai-compatible', provider: 'openai', upstreamModel: 'gpt-4o-mini' },
  { wire: 'anthropic', provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', apiBase: 'https://api.anthropic.com' },
  { wire: 'gemini', provider: 'gemini', upstreamModel: 'gemini-2.5-flash', apiBase: 'https://generativelanguage.googleapis.com' },
  { wire: 'bedrock', provider: 'bedrock', upstreamModel: 'anthropic.claude-3-haiku-20240307-v1:0', apiBase: undefined },
];

const anyJson = fc.jsonValue({ maxDepth: 5 });
const role = fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool');
const contentPart = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.oneof(fc.string(), anyJson) }),
  fc.record({ type: fc.constant('image_url'), image_url: fc.oneof(fc.record({ url: fc.oneof(fc.webUrl(), fc.constant('data:image/png;base64,AAAA'), fc.string()) }), anyJson) }),
  fc.record({ type: fc.string(), text: anyJson }),
  anyJson,
);
const message = fc.record(
  {
    role,
    content: fc.oneof(fc.string(), fc.array(contentPart, { maxLength: 3 }), fc.constant(null)),
    tool_calls: fc.array(fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.oneof(fc.string(), anyJson) }) }), { maxLength: 2 }),
    tool_call_id: fc.oneof(fc.string(), anyJson),
    name: fc.string(),
  },
  { requiredKeys: ['role'] },
);
const tool = fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.string(), description: fc.option(fc.string()), parameters: anyJson }, { requiredKeys: ['name'] }) });
const chatRequest = fc.record(
  {
    model: fc.constant('test-model'),
    messages: fc.array(message, { minLength: 1, maxLength: 4 }),
    stream: fc.boolean(),
    tools: fc.array(tool, { maxLength: 2 }),
    tool_choice: anyJson,
    response_format: fc.oneof(fc.record({ type: fc.constantFrom('text', 'json_object', 'json_schema'), json_schema: anyJson }), fc.constant(undefined)),
    max_tokens: fc.integer({ min: 1, max: 200_000 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    stop: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 })),
    reasoning_effort: anyJson,
    extra: anyJson,
  },
  { requiredKeys: ['model', 'messages'] },
);

function expectTranslatesOrRefuses(translate: () => unknown): void {
  try {
    translate();
  } catch (error) {
    expect(error, String(error instanceof Error ? error.stack : error)).toBeInstanceOf(GatewayError);
  }
}

describe.each(WIRES)('the $wire translation module', ({ wire, provider, upstreamModel, apiBase }) => {
  const module = providerFor(wire);
  const context = providerContext(resolvedDeployment({ provider, upstreamModel, apiBase, apiKey: 'sk-test-key', extraHeaders: {} }));

  it('builds a request, or refuses with a GatewayError, for any chat request the gateway accepted', () => {
    fc.assert(
      fc.property(chatRequest, (body) => {
        let chat;
        try {
          chat = validateChatRequest(JSON.parse(JSON.stringify(body)) as JsonObject);
        } catch {
          return; // refused at the edge: never reaches a provider
        }
        expectTranslatesOrRefuses(() => {
          const built = module.buildChatRequest(chat, context);
          if (built.body !== undefined) JSON.parse(built.body);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('parses any JSON answer into a completion or a GatewayError', () => {
    fc.assert(fc.property(anyJson, (answer) => expectTranslatesOrRefuses(() => module.parseChatResponse(answer, context))), { numRuns: 300 });
  });

  it('translates any stream of events into chunks or a GatewayError', () => {
    const eventNames = fc.option(fc.constantFrom('message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'error', 'messageStart', 'contentBlockDelta', 'metadata', 'messageStop', 'ping'), { nil: undefined });
    const event = fc.record({ event: eventNames, data: fc.oneof(anyJson.map((value) => JSON.stringify(value)), fc.string(), fc.constant('[DONE]')) });

    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), (events) => {
        const translator = module.createChatStreamTranslator(context);
        expectTranslatesOrRefuses(() => {
          for (const item of events) translator.push(item.event === undefined ? { data: item.data } : { event: item.event, data: item.data });
          translator.end();
        });
      }),
      { numRuns: 300 },
    );
  });

  it('maps any error answer to a GatewayError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), fc.oneof(fc.string(), anyJson.map((value) => JSON.stringify(value))), (status, text) => {
        expect(module.mapError(status, text, {})).toBeInstanceOf(GatewayError);
      }),
      { numRuns: 200 },
    );
  });
});
