/**
 * A thinking + tool loop over /v1/chat/completions to an anthropic/ deployment, through the official
 * `openai` client: Anthropic refuses the second turn unless the first turn's thinking blocks come
 * back unchanged, so the client must receive them (thinking_blocks, LiteLLM's field) and the gateway
 * must send them back. The fake Anthropic upstream answers the first turn with the recorded thinking
 * block of anthropic-clear-thinking.1 (its real signature) followed by a tool_use, and records every
 * request it receives.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThinkingBlock } from '../../functions/core/openai/openai-types.js';
import { fixtureChunks, fixtureText } from '../support/recorded-fixtures.js';
import { MASTER_KEY, startGateway, type RunningGateway } from '../support/start-gateway.js';

type Json = Record<string, unknown>;

const TOOL_USE = { type: 'tool_use', id: 'toolu_01WeatherParis', name: 'weather', input: { city: 'Paris' } };
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
  cache_control: { type: 'ephemeral', ttl: '1h' },
};

/** The recorded message: its thinking block (with the signature Anthropic issued) is what the first turn answers. */
const recordedMessage = JSON.parse(fixtureText('anthropic-clear-thinking.1.json', 'anthropic')) as Json & { content: Json[] };
const recordedThinking = recordedMessage.content[0]!;
/** The recorded stream up to the end of its thinking block (message_start, ping, thinking and signature deltas, block stop). */
const recordedThinkingEvents = fixtureChunks('anthropic-clear-thinking.1', 'anthropic').slice(0, 15);
const streamedThinking = {
  type: 'thinking',
  thinking: recordedThinkingEvents.map((event) => ((event['delta'] as Json | undefined)?.['thinking'] as string | undefined) ?? '').join(''),
  signature: recordedThinkingEvents.map((event) => (event['delta'] as Json | undefined)?.['signature']).find((signature) => signature !== undefined),
};

let upstream: http.Server;
const received: Json[] = [];
let gateway: RunningGateway;
let client: OpenAI;

/** First turn (no tool result yet): thinking then a tool call; second turn: a text answer. */
function answer(body: Json, outgoing: http.ServerResponse): void {
  const messages = body['messages'] as Array<{ content: Json[] }>;
  const secondTurn = messages.some((message) => message.content.some((block) => block['type'] === 'tool_result'));
  if (body['stream'] !== true) {
    const content = secondTurn ? [{ type: 'text', text: 'It is 18°C in Paris.' }] : [recordedThinking, TOOL_USE];
    outgoing.writeHead(200, { 'content-type': 'application/json' });
    outgoing.end(JSON.stringify({ ...recordedMessage, content, stop_reason: secondTurn ? 'end_turn' : 'tool_use' }));
    return;
  }
  const events: Json[] = secondTurn
    ? [
        recordedThinkingEvents[0]!,
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'It is 18°C in Paris.' } },
        { type: 'content_block_stop', index: 0 },
      ]
    : [
        ...recordedThinkingEvents,
        { type: 'content_block_start', index: 1, content_block: { ...TOOL_USE, input: {} } },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Paris"}' } },
        { type: 'content_block_stop', index: 1 },
      ];
  events.push({ type: 'message_delta', delta: { stop_reason: secondTurn ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } }, { type: 'message_stop' });
  outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) outgoing.write(`event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`);
  outgoing.end();
}

beforeAll(async () => {
  upstream = http.createServer(async (incoming, outgoing) => {
    let raw = '';
    for await (const chunk of incoming) raw += chunk;
    const body = JSON.parse(raw) as Json;
    received.push(body);
    answer(body, outgoing);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  gateway = await startGateway(`
model_list:
  - model_name: claude-thinking
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_base: http://127.0.0.1:${port}
      api_key: sk-ant-thinking-loop-key-000
general_settings:
  master_key: os.environ/GATEWAY_MASTER_KEY
`);
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

const QUESTION = { role: 'user' as const, content: 'What is the weather in Paris?' };
/** Anthropic's own thinking parameter, which the OpenAI client sends as an extra body field. */
const THINKING = { type: 'enabled', budget_tokens: 2048 };

/** The create() parameters with the fields the OpenAI SDK does not type (thinking, thinking_blocks). */
function params(extra: Json): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  return { model: 'claude-thinking', tools: [WEATHER_TOOL], ...extra } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
}

/** The assistant turn the upstream received in the request that carried the tool result. */
function sentBackAssistantTurn(): Json[] {
  const messages = received.at(-1)!['messages'] as Array<{ role: string; content: Json[] }>;
  return messages.find((message) => message.role === 'assistant')!.content;
}

describe('a Claude thinking + tool loop over /v1/chat/completions', () => {
  it('sends the first turn thinking block back unchanged, before the tool_use, when the client replays the returned message', async () => {
    const first = await client.chat.completions.create(params({ messages: [QUESTION], thinking: THINKING }));
    const assistant = first.choices[0]!.message;
    const call = assistant.tool_calls![0]!;

    await client.chat.completions.create(
      params({ messages: [QUESTION, assistant, { role: 'tool', tool_call_id: call.id, content: '18°C' }], thinking: THINKING }),
    );

    expect(sentBackAssistantTurn()).toEqual([recordedThinking, TOOL_USE]);
  });

  it('sends back the thinking block assembled from the stream with its exact signature when the first turn streamed', async () => {
    const stream = await client.chat.completions.create({ ...params({ messages: [QUESTION], thinking: THINKING }), stream: true });
    const pieces: ThinkingBlock[] = [];
    let argumentsText = '';
    let callId = '';
    for await (const chunk of stream) {
      const delta = (chunk.choices[0]?.delta ?? {}) as { thinking_blocks?: ThinkingBlock[]; tool_calls?: Array<{ id?: string; function?: { arguments?: string } }> };
      pieces.push(...(delta.thinking_blocks ?? []));
      for (const call of delta.tool_calls ?? []) {
        callId ||= call.id ?? '';
        argumentsText += call.function?.arguments ?? '';
      }
    }
    const thinking = pieces.map((piece) => (piece.type === 'thinking' ? piece.thinking : '')).join('');
    const signature = pieces.flatMap((piece) => (piece.type === 'thinking' && piece.signature !== undefined ? [piece.signature] : []));
    const assistant = {
      role: 'assistant',
      content: null,
      thinking_blocks: [{ type: 'thinking', thinking, signature: signature[0] }],
      tool_calls: [{ id: callId, type: 'function', function: { name: 'weather', arguments: argumentsText } }],
    };

    await client.chat.completions.create(params({ messages: [QUESTION, assistant, { role: 'tool', tool_call_id: callId, content: '18°C' }], thinking: THINKING }));

    expect(typeof streamedThinking.signature).toBe('string');
    expect(sentBackAssistantTurn()).toEqual([streamedThinking, TOOL_USE]);
  });

  it('passes the thinking parameter to Anthropic as it came, budget unchanged', async () => {
    await client.chat.completions.create(params({ messages: [QUESTION], thinking: { type: 'enabled', budget_tokens: 3333 } }));

    expect(received.at(-1)!['thinking']).toEqual({ type: 'enabled', budget_tokens: 3333 });
  });

  it('sends a tool cache_control to Anthropic with its ttl', async () => {
    await client.chat.completions.create(params({ messages: [QUESTION] }));

    expect((received.at(-1)!['tools'] as Json[])[0]!['cache_control']).toEqual({ type: 'ephemeral', ttl: '1h' });
  });
});
