import { describe, expect, it } from 'vitest';
import { mapBedrockStopReason } from '../../../../functions/core/providers/bedrock/map-bedrock-stop-reason.js';

describe('mapBedrockStopReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_model_output', 'stop'],
    ['malformed_tool_use', 'stop'],
    ['a_reason_added_later', 'stop'],
    [undefined, 'stop'],
  ])('maps %s to %s', (stopReason, expected) => {
    const reason = mapBedrockStopReason(stopReason);

    expect(reason).toBe(expected);
  });
});
