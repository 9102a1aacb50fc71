import { InvalidRequestError } from '../../errors.js';
import type { AnthropicTool } from './anthropic-wire-types.js';
import { isObject } from '../json-values.js';

/**
 * OpenAI's `response_format: json_schema | json_object` as Anthropic tool use: the request offers
 * one extra tool whose input schema is the wanted JSON and makes the model call it; the response
 * turns that call back into the message `content` (and `finish_reason: "stop"`). The tool's name is
 * reserved — a client tool of the same name is refused — so the response side can recognise the
 * call without knowing the request (a provider translates each direction on its own).
 */
export const JSON_RESPONSE_TOOL_NAME = 'json_response';

const DESCRIPTION = 'Give your whole answer to the user by calling this tool: its input is the answer, as JSON.';

/** The tool for the request's `response_format`, or undefined for text (or no format). */
export function jsonResponseTool(responseFormat: unknown): AnthropicTool | undefined {
  if (responseFormat === undefined || responseFormat === null) return undefined;
  const type = isObject(responseFormat) ? responseFormat['type'] : undefined;
  if (type === 'text') return undefined;
  if (type === 'json_object') return { name: JSON_RESPONSE_TOOL_NAME, description: DESCRIPTION, input_schema: { type: 'object' } };
  if (type === 'json_schema' && isObject(responseFormat)) {
    const jsonSchema = isObject(responseFormat['json_schema']) ? responseFormat['json_schema'] : {};
    const schema = jsonSchema['schema'];
    const purpose = typeof jsonSchema['description'] === 'string' ? ` ${jsonSchema['description']}` : '';
    return {
      name: JSON_RESPONSE_TOOL_NAME,
      description: `${DESCRIPTION}${purpose}`,
      input_schema: isObject(schema) ? schema : { type: 'object' },
    };
  }
  throw new InvalidRequestError(
    "Invalid value for 'response_format.type': expected 'text', 'json_object' or 'json_schema'.",
    'response_format',
  );
}
