import type { GeminiCompletedCall } from './gemini-tool-call.js';
import { arrayOr, isObject, nonEmptyString } from '../json-values.js';
import type { FunctionCallCollector } from './streamed-function-call.js';

/** What one candidate's parts (a whole answer, or one stream event's share of it) say. */
export interface GeminiPartsReading {
  /** The answer text, joined; undefined when there is no text part. */
  text?: string;
  /** Thought summaries (`thought: true` parts), joined; undefined when there are none. */
  reasoning?: string;
  /** Function calls these parts completed. */
  calls: GeminiCompletedCall[];
}

/**
 * Reads `candidate.content.parts`: text parts are the answer, thought parts the reasoning, and
 * function calls go through the collector (which assembles streamed pieces). Parts this gateway
 * does not translate (inline images, executable code…) are skipped.
 */
export function readGeminiParts(content: unknown, collector: FunctionCallCollector): GeminiPartsReading {
  const reading: GeminiPartsReading = { calls: [] };
  for (const part of arrayOr(isObject(content) ? content['parts'] : undefined)) {
    if (!isObject(part)) continue;
    if (part['functionCall'] !== undefined) {
      reading.calls.push(...collector.add(part['functionCall'], nonEmptyString(part['thoughtSignature'])));
    } else if (typeof part['text'] === 'string') {
      if (part['thought'] === true) reading.reasoning = (reading.reasoning ?? '') + part['text'];
      else reading.text = (reading.text ?? '') + part['text'];
    }
  }
  return reading;
}
