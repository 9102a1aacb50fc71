import type { JsonObject } from '../../../functions/core/openai/openai-types.js';
import type { ResponseContext } from '../../../functions/core/responses-api/chat-to-response.js';

/** A context with fixed time and counted item ids (`item_1`, `item_2`, …). */
export function responseContext(request: JsonObject = {}, model = 'test-model'): ResponseContext {
  let next = 0;
  return { responseId: 'resp_test', createdAtSeconds: 1_700_000_000, model, request: { model, ...request }, newItemId: () => `item_${++next}` };
}

export interface SseEvent {
  event: string;
  data: JsonObject;
}

/** SSE text (`event: <type>\ndata: <json>\n\n` …) → its events, each parsed; a malformed frame throws. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      if (lines.length !== 2 || !lines[0]!.startsWith('event: ') || !lines[1]!.startsWith('data: ')) throw new Error(`Malformed SSE frame: ${frame}`);
      return { event: lines[0]!.slice('event: '.length), data: JSON.parse(lines[1]!.slice('data: '.length)) as JsonObject };
    });
}
