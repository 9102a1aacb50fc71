import type { GatewayError } from '../errors.js';
import type { ChatCompletionChunk, JsonObject, ToolCallDelta } from '../openai/openai-types.js';
import { createThinkingBlockAccumulator, encodeThinkingBlocks, thinkingBlocksOf } from './thinking-blocks-carrier.js';
import { outputTextPart, responseShell, responseUsage, statusForFinishReason, type ResponseContext } from './response-object.js';
import { reasoningText } from './chat-to-response.js';

type OpenItem =
  | { kind: 'reasoning'; outputIndex: number; id: string; text: string; thinking: ReturnType<typeof createThinkingBlockAccumulator> }
  | { kind: 'message'; outputIndex: number; id: string; text: string }
  | { kind: 'function_call'; outputIndex: number; id: string; callId: string; name: string; arguments: string };

export interface ResponseStreamWriter {
  /** `response.created` and `response.in_progress` (sent by `push` too if not yet sent). */
  start(): string;
  /** The events for one chat chunk (only the first choice is read: the Responses API has no `n`). */
  push(chunk: ChatCompletionChunk): string;
  /** Closes every open item, then `response.completed` (or `response.incomplete`) with usage. */
  end(): string;
  /** `response.failed` with the Response so far (status failed, error {code, message}). */
  fail(error: GatewayError): string;
  /** The Response as it stands (the final one after `end` or `fail`), for storage. */
  response(): JsonObject;
}

/**
 * OpenAI chat chunks → the Responses API's semantic SSE events in OpenAI's order, each with its
 * `sequence_number` (from 0). Items are opened as their first delta arrives and numbered by
 * `output_index` in that order: the reasoning item closes when the answer starts, the message
 * when a tool call starts (later text opens a new message), function calls stay open until the
 * end because chat may interleave the deltas of parallel calls. Usage comes from any chunk that
 * carries it (the final `choices: []` chunk with `stream_options.include_usage`).
 */
export function createResponseStreamWriter(context: ResponseContext): ResponseStreamWriter {
  let sequenceNumber = 0;
  let started = false;
  let finished = false;
  let usage: JsonObject | undefined;
  let finishReason: unknown = null;
  let current: JsonObject = responseShell(context, 'in_progress');
  /** Items already closed, by output_index; open ones are added when they close. */
  const output: JsonObject[] = [];
  const openItems: OpenItem[] = [];
  const functionCalls = new Map<number, OpenItem & { kind: 'function_call' }>();
  let reasoning: (OpenItem & { kind: 'reasoning' }) | undefined;
  let message: (OpenItem & { kind: 'message' }) | undefined;
  let nextOutputIndex = 0;

  function event(type: string, fields: JsonObject): string {
    const data = { type, sequence_number: sequenceNumber++, ...fields };
    return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  function start(): string {
    if (started) return '';
    started = true;
    return event('response.created', { response: current }) + event('response.in_progress', { response: current });
  }

  function openReasoning(): string {
    if (reasoning !== undefined) return '';
    reasoning = { kind: 'reasoning', outputIndex: nextOutputIndex++, id: context.newItemId(), text: '', thinking: createThinkingBlockAccumulator() };
    openItems.push(reasoning);
    const itemId = reasoning.id;
    return (
      event('response.output_item.added', { output_index: reasoning.outputIndex, item: { id: itemId, type: 'reasoning', summary: [] } }) +
      event('response.reasoning_summary_part.added', { item_id: itemId, output_index: reasoning.outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } })
    );
  }

  function openMessage(): string {
    if (message !== undefined) return '';
    message = { kind: 'message', outputIndex: nextOutputIndex++, id: context.newItemId(), text: '' };
    openItems.push(message);
    return (
      event('response.output_item.added', {
        output_index: message.outputIndex,
        item: { id: message.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
      }) + event('response.content_part.added', { item_id: message.id, output_index: message.outputIndex, content_index: 0, part: outputTextPart('') })
    );
  }

  function openFunctionCall(delta: ToolCallDelta): string {
    const id = context.newItemId();
    const call: OpenItem & { kind: 'function_call' } = {
      kind: 'function_call',
      outputIndex: nextOutputIndex++,
      id,
      // A provider that never names the call still needs a call_id the client can answer to.
      callId: typeof delta.id === 'string' && delta.id !== '' ? delta.id : `call_${id}`,
      name: delta.function?.name ?? '',
      arguments: '',
    };
    functionCalls.set(delta.index, call);
    openItems.push(call);
    return event('response.output_item.added', {
      output_index: call.outputIndex,
      item: { id, type: 'function_call', status: 'in_progress', call_id: call.callId, name: call.name, arguments: '' },
    });
  }

  function close(item: OpenItem, status: 'completed' | 'incomplete'): string {
    openItems.splice(openItems.indexOf(item), 1);
    let text = '';
    let done: JsonObject;
    switch (item.kind) {
      case 'reasoning': {
        reasoning = undefined;
        const part = { type: 'summary_text', text: item.text };
        text += event('response.reasoning_summary_text.done', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, text: item.text });
        text += event('response.reasoning_summary_part.done', { item_id: item.id, output_index: item.outputIndex, summary_index: 0, part });
        done = { id: item.id, type: 'reasoning', summary: [part] };
        const encrypted = encodeThinkingBlocks(item.thinking.blocks());
        if (encrypted !== undefined) done['encrypted_content'] = encrypted;
        break;
      }
      case 'message': {
        message = undefined;
        const part = outputTextPart(item.text);
        text += event('response.output_text.done', { item_id: item.id, output_index: item.outputIndex, content_index: 0, text: item.text, logprobs: [] });
        text += event('response.content_part.done', { item_id: item.id, output_index: item.outputIndex, content_index: 0, part });
        done = { id: item.id, type: 'message', status, role: 'assistant', content: [part] };
        break;
      }
      case 'function_call':
        text += event('response.function_call_arguments.done', { item_id: item.id, output_index: item.outputIndex, name: item.name, arguments: item.arguments });
        done = { id: item.id, type: 'function_call', status: 'completed', call_id: item.callId, name: item.name, arguments: item.arguments };
        break;
    }
    output[item.outputIndex] = done;
    return text + event('response.output_item.done', { output_index: item.outputIndex, item: done });
  }

  function push(chunk: ChatCompletionChunk): string {
    if (finished) return '';
    let text = start();
    if (chunk.usage !== undefined && chunk.usage !== null) usage = responseUsage(chunk.usage);
    const choice = chunk.choices?.find((candidate) => candidate.index === 0);
    if (choice === undefined) return text;
    const delta = choice.delta ?? {};

    const reasoningDelta = reasoningText(delta);
    const thinkingPieces = thinkingBlocksOf(delta);
    if (reasoningDelta !== '' || thinkingPieces.length > 0) {
      text += openReasoning();
      reasoning!.thinking.push(thinkingPieces);
      if (reasoningDelta !== '') {
        reasoning!.text += reasoningDelta;
        text += event('response.reasoning_summary_text.delta', { item_id: reasoning!.id, output_index: reasoning!.outputIndex, summary_index: 0, delta: reasoningDelta });
      }
    }

    if (typeof delta.content === 'string' && delta.content !== '') {
      if (reasoning !== undefined) text += close(reasoning, 'completed');
      text += openMessage();
      message!.text += delta.content;
      text += event('response.output_text.delta', { item_id: message!.id, output_index: message!.outputIndex, content_index: 0, delta: delta.content, logprobs: [] });
    }

    for (const toolDelta of delta.tool_calls ?? []) {
      const known = functionCalls.get(toolDelta.index);
      if (known === undefined) {
        if (reasoning !== undefined) text += close(reasoning, 'completed');
        if (message !== undefined) text += close(message, 'completed');
        text += openFunctionCall(toolDelta);
      }
      const call = functionCalls.get(toolDelta.index)!;
      if (call.name === '' && typeof toolDelta.function?.name === 'string') {
        call.name = toolDelta.function.name;
      }
      const argumentsDelta = toolDelta.function?.arguments;
      if (typeof argumentsDelta === 'string' && argumentsDelta !== '') {
        call.arguments += argumentsDelta;
        text += event('response.function_call_arguments.delta', { item_id: call.id, output_index: call.outputIndex, delta: argumentsDelta });
      }
    }

    if (choice.finish_reason !== null && choice.finish_reason !== undefined) finishReason = choice.finish_reason;
    return text;
  }

  function end(): string {
    if (finished) return '';
    let text = start();
    const { status, incompleteDetails } = statusForFinishReason(finishReason);
    const itemStatus = status === 'completed' ? 'completed' : 'incomplete';
    for (const item of [...openItems].sort((a, b) => a.outputIndex - b.outputIndex)) text += close(item, itemStatus);
    finished = true;
    current = { ...responseShell(context, status), incomplete_details: incompleteDetails, output: [...output] };
    if (usage !== undefined) current['usage'] = usage;
    return text + event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response: current });
  }

  function fail(error: GatewayError): string {
    if (finished) return '';
    let text = start();
    finished = true;
    // Items cut off mid-stream are listed as they stood, marked incomplete; no done events for them.
    const partial = [...openItems].map((item) => partialItem(item));
    const items = [...output];
    for (const [index, item] of partial) items[index] = item;
    current = {
      ...responseShell(context, 'failed'),
      error: { code: failureCode(error), message: error.message },
      output: items.filter((item) => item !== undefined),
    };
    if (usage !== undefined) current['usage'] = usage;
    return text + event('response.failed', { response: current });
  }

  return { start, push, end, fail, response: () => current };
}

function partialItem(item: OpenItem): [number, JsonObject] {
  switch (item.kind) {
    case 'reasoning':
      return [item.outputIndex, { id: item.id, type: 'reasoning', summary: [{ type: 'summary_text', text: item.text }], status: 'incomplete' }];
    case 'message':
      return [item.outputIndex, { id: item.id, type: 'message', status: 'incomplete', role: 'assistant', content: [outputTextPart(item.text)] }];
    case 'function_call':
      return [item.outputIndex, { id: item.id, type: 'function_call', status: 'incomplete', call_id: item.callId, name: item.name, arguments: item.arguments }];
  }
}

/** The Response's `error.code` is a closed list: rate limits keep theirs, refusals of the input are invalid_prompt, the rest server_error. */
function failureCode(error: GatewayError): string {
  if (error.status === 429) return 'rate_limit_exceeded';
  if (error.status === 400) return 'invalid_prompt';
  return 'server_error';
}

