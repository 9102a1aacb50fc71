import { describe, expect, it } from 'vitest';
import { finishReasonFor, mapAnthropicFinishReason } from '../../../../functions/core/providers/anthropic/map-anthropic-finish-reason.js';

describe('mapAnthropicFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['a_reason_added_later', 'stop'],
    [null, 'stop'],
    [undefined, 'stop'],
  ])('maps %s to %s', (stopReason, expected) => {
    expect(mapAnthropicFinishReason(stopReason)).toBe(expected);
  });
});

describe('finishReasonFor', () => {
  it.each([
    ['tool_use', 0, 'stop'],
    ['tool_use', 1, 'tool_calls'],
    ['max_tokens', 0, 'length'],
  ])('maps %s with %i client tool calls to %s', (stopReason, clientToolCalls, expected) => {
    expect(finishReasonFor(stopReason, clientToolCalls)).toBe(expected);
  });
});
