import { describe, expect, it } from 'vitest';
import { assertResponse, assertResponseStreamEvent } from './openai-schema.js';

const RESPONSE = {
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  status: 'completed',
  error: null,
  incomplete_details: null,
  instructions: null,
  model: 'm',
  tools: [],
  tool_choice: 'auto',
  output: [{ id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [] }] }],
  parallel_tool_calls: true,
  metadata: {},
  temperature: 1,
  top_p: 1,
};

const TEXT_DELTA = { type: 'response.output_text.delta', sequence_number: 3, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', logprobs: [] };

describe('assertResponse', () => {
  it('accepts a Response when it has every required field', () => {
    expect(() => assertResponse(RESPONSE)).not.toThrow();
  });

  it('refuses a Response when a required field is missing', () => {
    const { tools: _tools, ...withoutTools } = RESPONSE;

    expect(() => assertResponse(withoutTools)).toThrow(/Response/);
  });

  it('refuses a Response when an output item is malformed', () => {
    expect(() => assertResponse({ ...RESPONSE, output: [{ type: 'function_call', name: 'f' }] })).toThrow(/Response/);
  });
});

describe('assertResponseStreamEvent', () => {
  it('accepts an event when it matches the schema its type names', () => {
    expect(() => assertResponseStreamEvent(TEXT_DELTA)).not.toThrow();
  });

  it('refuses an event when a field its own schema requires is missing', () => {
    const { logprobs: _logprobs, ...withoutLogprobs } = TEXT_DELTA;

    expect(() => assertResponseStreamEvent(withoutLogprobs)).toThrow(/ResponseTextDeltaEvent/);
  });

  it('refuses an event when its type is not a Responses stream event', () => {
    expect(() => assertResponseStreamEvent({ ...TEXT_DELTA, type: 'response.output_text.partial' })).toThrow();
  });
});
