import type { ChatCompletionRequest, JsonObject } from '../../openai/openai-types.js';

/** What the demo model "decides" to say: deterministic, from the request alone. */
export type DemoAnswer =
  | { kind: 'text'; pieces: string[]; finishReason: 'stop' | 'length' }
  | { kind: 'tool_call'; callId: string; name: string; argumentPieces: string[] };

const MAX_ECHO_CHARACTERS = 200;

export function decideDemoAnswer(request: ChatCompletionRequest): DemoAnswer {
  const last = request.messages[request.messages.length - 1];
  const tool = chooseTool(request);
  if (tool && last?.role !== 'tool') {
    const argumentsJson = JSON.stringify(exampleArguments(tool.parameters, textOf(last?.content)));
    return { kind: 'tool_call', callId: `call_demo_${tool.name}`, name: tool.name, argumentPieces: splitEvery(argumentsJson, 8) };
  }
  const text = last?.role === 'tool' ? `The tool answered: ${echo(textOf(last.content))}` : answerText(request, last);
  const words = text.split(/(?= )/);
  const limit = maxTokens(request);
  if (limit !== undefined && words.length > limit) return { kind: 'text', pieces: words.slice(0, limit), finishReason: 'length' };
  return { kind: 'text', pieces: words, finishReason: 'stop' };
}

/** A rough token count (4 characters a token), as the demo's usage. */
export function estimatePromptTokens(request: ChatCompletionRequest): number {
  const characters = request.messages.reduce((sum, message) => sum + textOf(message.content).length + 4, 0);
  return Math.max(1, Math.ceil(characters / 4));
}

function answerText(request: ChatCompletionRequest, last: JsonObject | undefined): string {
  const said = echo(textOf(last?.['content']));
  const format = (request['response_format'] as JsonObject | undefined)?.['type'];
  if (format === 'json_object' || format === 'json_schema') return JSON.stringify({ model: 'demo', echo: said });
  return `This is the demo model. You said: "${said}". It answers deterministically, streams word by word, and needs no provider key.`;
}

function echo(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_ECHO_CHARACTERS ? `${flat.slice(0, MAX_ECHO_CHARACTERS)}…` : flat;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === 'object' && part !== null && typeof (part as JsonObject)['text'] === 'string' ? (part as JsonObject)['text'] : ''))
      .join(' ');
  }
  return '';
}

function maxTokens(request: ChatCompletionRequest): number | undefined {
  const value = request['max_completion_tokens'] ?? request['max_tokens'];
  return typeof value === 'number' ? value : undefined;
}

function chooseTool(request: ChatCompletionRequest): { name: string; parameters: unknown } | undefined {
  const tools = Array.isArray(request['tools']) ? (request['tools'] as JsonObject[]) : [];
  const choice = request['tool_choice'];
  if (tools.length === 0 || choice === 'none') return undefined;
  const named = typeof choice === 'object' && choice !== null ? ((choice as JsonObject)['function'] as JsonObject | undefined)?.['name'] : undefined;
  const functions = tools.map((tool) => (tool['function'] ?? {}) as JsonObject);
  const picked = functions.find((fn) => fn['name'] === named) ?? functions[0];
  return picked && typeof picked['name'] === 'string' ? { name: picked['name'], parameters: picked['parameters'] } : undefined;
}

/** Arguments that fit the tool's JSON Schema: every declared property, a plain value of its type. */
function exampleArguments(schema: unknown, userText: string): unknown {
  const node = (typeof schema === 'object' && schema !== null ? schema : {}) as JsonObject;
  const type = Array.isArray(node['type']) ? node['type'][0] : node['type'];
  if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
  switch (type) {
    case 'string':
      return echo(userText).slice(0, 40) || 'demo';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
    case undefined: {
      const properties = (node['properties'] ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleArguments(property, userText)]));
    }
    default:
      return null;
  }
}

function splitEvery(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces.length > 0 ? pieces : [''];
}
