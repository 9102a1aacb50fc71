import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../../../functions/core/openai/openai-types.js';
import { toConverseToolConfig } from '../../../../functions/core/providers/bedrock/to-converse-tools.js';
import { captureError } from '../../../support/capture-error.js';

const WEATHER = {
  type: 'function',
  function: { name: 'weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
};
const WEATHER_SPEC = {
  toolSpec: { name: 'weather', description: 'Weather for a city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } },
};

function request(fields: Partial<ChatCompletionRequest>): ChatCompletionRequest {
  return { model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...fields };
}

describe('toConverseToolConfig', () => {
  it.each<[string, unknown, unknown]>([
    ['no tool_choice as no toolChoice', undefined, { tools: [WEATHER_SPEC] }],
    ['auto as auto', 'auto', { tools: [WEATHER_SPEC], toolChoice: { auto: {} } }],
    ['required as any', 'required', { tools: [WEATHER_SPEC], toolChoice: { any: {} } }],
    ['a named function as tool', { type: 'function', function: { name: 'weather' } }, { tools: [WEATHER_SPEC], toolChoice: { tool: { name: 'weather' } } }],
    ['none as no toolConfig', 'none', undefined],
  ])('maps tool_choice %s', (_case, toolChoice, expected) => {
    const config = toConverseToolConfig(request({ tools: [WEATHER], ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}) }));

    expect(config).toEqual(expected);
  });

  it('sends no toolConfig when there are no tools', () => {
    const config = toConverseToolConfig(request({ tools: [] }));

    expect(config).toBeUndefined();
  });

  it('gives a function without parameters an empty object schema', () => {
    const config = toConverseToolConfig(request({ tools: [{ type: 'function', function: { name: 'ping' } }] }));

    expect(config?.tools).toEqual([{ toolSpec: { name: 'ping', inputSchema: { json: { type: 'object', properties: {} } } } }]);
  });

  it.each<[string, Partial<ChatCompletionRequest>, string]>([
    ['a non-function tool', { tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]'],
    ['tools that are not an array', { tools: { type: 'function' } }, 'tools'],
    ['an unknown tool_choice', { tools: [WEATHER], tool_choice: { type: 'allowed_tools' } }, 'tool_choice'],
  ])('refuses %s with a 400 naming the parameter', (_case, fields, param) => {
    const error = captureError(() => toConverseToolConfig(request(fields)));

    expect(error).toMatchObject({ status: 400, param });
  });
});
