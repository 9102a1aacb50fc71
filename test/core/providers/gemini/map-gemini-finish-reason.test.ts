import { describe, expect, it } from 'vitest';
import { mapGeminiFinishReason } from '../../../../functions/core/providers/gemini/map-gemini-finish-reason.js';

describe('mapGeminiFinishReason', () => {
  it.each<[unknown, boolean, string]>([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['SAFETY', true, 'content_filter'],
    ['OTHER', false, 'stop'],
    ['LANGUAGE', false, 'stop'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop'],
    ['A_REASON_ADDED_LATER', true, 'stop'],
    [undefined, false, 'stop'],
    [42, false, 'stop'],
  ])('maps %j (function calls: %s) to %s', (reason, calledFunctions, expected) => {
    expect(mapGeminiFinishReason(reason, calledFunctions)).toBe(expected);
  });
});
