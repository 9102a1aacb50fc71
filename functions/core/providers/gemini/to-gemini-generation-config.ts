import { InvalidRequestError } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/openai-types.js';
import type { GeminiGenerationConfig, GeminiThinkingConfig } from './gemini-wire-types.js';
import { finiteNumber, isObject } from '../json-values.js';
import { isEmptyObjectSchema, reduceJsonSchema } from './reduce-json-schema.js';

/**
 * Thinking budgets for OpenAI's `reasoning_effort`. `none` turns thinking off where the model
 * allows it (Gemini 2.5 Pro does not, and says so in a 400); `minimal` is 512, the smallest budget
 * every thinking model accepts (2.5 Flash-Lite's minimum). Other efforts leave the model's default.
 */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24_576 };

/**
 * OpenAI sampling and output options → `generationConfig` (undefined when nothing is set):
 * temperature, top_p → topP, max_completion_tokens ?? max_tokens → maxOutputTokens, stop →
 * stopSequences, n → candidateCount, seed, non-zero presence/frequency penalties, JSON mode
 * (`json_object` → responseMimeType application/json; `json_schema` → the same plus the reduced
 * schema as responseSchema) and `reasoning_effort` → thinkingConfig (thoughts never included).
 */
export function toGeminiGenerationConfig(request: ChatCompletionRequest): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {
    ...numberField('temperature', request['temperature']),
    ...numberField('topP', request['top_p']),
    ...numberField('maxOutputTokens', positive(request['max_completion_tokens']) ?? positive(request['max_tokens'])),
    ...stopSequences(request['stop']),
    ...numberField('candidateCount', positive(request['n'])),
    ...numberField('seed', request['seed']),
    ...numberField('presencePenalty', nonZero(request['presence_penalty'])),
    ...numberField('frequencyPenalty', nonZero(request['frequency_penalty'])),
    ...jsonMode(request['response_format']),
    ...thinking(request['reasoning_effort']),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

function numberField<Name extends keyof GeminiGenerationConfig>(name: Name, value: unknown): Partial<Record<Name, number>> {
  const number = finiteNumber(value);
  return number === undefined ? {} : ({ [name]: number } as Partial<Record<Name, number>>);
}

function positive(value: unknown): number | undefined {
  const number = finiteNumber(value);
  return number !== undefined && number > 0 ? number : undefined;
}

function nonZero(value: unknown): number | undefined {
  const number = finiteNumber(value);
  return number !== undefined && number !== 0 ? number : undefined;
}

function stopSequences(stop: unknown): Pick<GeminiGenerationConfig, 'stopSequences'> {
  const sequences = (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter(
    (sequence): sequence is string => typeof sequence === 'string' && sequence !== '',
  );
  return sequences.length > 0 ? { stopSequences: sequences } : {};
}

function jsonMode(responseFormat: unknown): Pick<GeminiGenerationConfig, 'responseMimeType' | 'responseSchema'> {
  if (!isObject(responseFormat)) return {};
  const type = responseFormat['type'];
  if (type === undefined || type === 'text') return {};
  if (type === 'json_object') return { responseMimeType: 'application/json' };
  if (type === 'json_schema') {
    const format = isObject(responseFormat['json_schema']) ? responseFormat['json_schema'] : {};
    const schema = format['schema'] === undefined ? undefined : reduceJsonSchema(format['schema']);
    return {
      responseMimeType: 'application/json',
      // An object schema without properties (a free-form map) is refused by Gemini: JSON mode alone then.
      ...(schema !== undefined && !isEmptyObjectSchema(schema) ? { responseSchema: schema } : {}),
    };
  }
  throw new InvalidRequestError("Invalid value for 'response_format.type': Gemini takes text, json_object and json_schema.", 'response_format.type');
}

function thinking(effort: unknown): { thinkingConfig?: GeminiThinkingConfig } {
  const budget = typeof effort === 'string' && Object.hasOwn(THINKING_BUDGETS, effort) ? THINKING_BUDGETS[effort] : undefined;
  return budget === undefined ? {} : { thinkingConfig: { thinkingBudget: budget, includeThoughts: false } };
}
