import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../../functions/core/errors.js';
import type { JsonObject } from '../../../../functions/core/openai/openai-types.js';
import { createGeminiStreamTranslator } from '../../../../functions/core/providers/gemini/gemini-stream-translator.js';
import { assertChatCompletionChunk } from '../../../support/openai-schema.js';
import { captureError } from '../../../support/capture-error.js';
import { deltaText, finishReasons, toolArgumentsByIndex } from '../provider-test-support.js';
import { geminiContext, readGeminiChunkLines, replayPayloads, toolCallDeltas } from './gemini-test-support.js';

const USAGE = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };

function event(parts: JsonObject[], extra: JsonObject = {}, candidateExtra: JsonObject = {}): JsonObject {
  return { candidates: [{ content: { role: 'model', parts }, index: 0, ...candidateExtra }], modelVersion: 'gemini-2.5-flash-001', ...extra };
}

function finalEvent(parts: JsonObject[] = [], finishReason = 'STOP'): JsonObject {
  return event(parts, { usageMetadata: USAGE }, { finishReason });
}

describe('createGeminiStreamTranslator tool calls', () => {
  it('gives parallel calls of one event distinct indexes', () => {
    const { chunks } = replayPayloads([
      event([{ functionCall: { name: 'weather', args: { city: 'Paris' } } }, { functionCall: { name: 'weather', args: { city: 'Rome' } } }]),
      finalEvent(),
    ]);

    expect([...toolArgumentsByIndex(chunks)]).toEqual([
      [0, '{"city":"Paris"}'],
      [1, '{"city":"Rome"}'],
    ]);
  });

  it('gives calls arriving in separate events distinct indexes', () => {
    const { chunks } = replayPayloads([
      event([{ functionCall: { name: 'weather', args: { city: 'Paris' } } }]),
      event([{ functionCall: { name: 'time', args: { zone: 'CET' } } }]),
      finalEvent(),
    ]);

    expect(toolCallDeltas(chunks).map((toolCall) => [toolCall.index, toolCall.id, toolCall.function?.name])).toEqual([
      [0, 'call_req-test-1_0', 'weather'],
      [1, 'call_req-test-1_1', 'time'],
    ]);
  });

  it('gives a call without args the arguments {}', () => {
    const { chunks } = replayPayloads([event([{ functionCall: { name: 'now' } }]), finalEvent()]);

    expect(toolArgumentsByIndex(chunks).get(0)).toBe('{}');
  });

  it('completes a streamed call left open when the candidate finishes', () => {
    const { chunks } = replayPayloads([
      event([{ functionCall: { name: 'weather', willContinue: true } }]),
      event([{ functionCall: { partialArgs: [{ jsonPath: '$.city', stringValue: 'Oslo' }], willContinue: true } }]),
      finalEvent(),
    ]);

    expect(toolArgumentsByIndex(chunks).get(0)).toBe('{"city":"Oslo"}');
    expect(finishReasons(chunks)).toEqual(['tool_calls']);
  });

  it('completes a streamed call left open when the stream ends', () => {
    const { endChunks } = replayPayloads([event([{ functionCall: { name: 'weather', willContinue: true } }], { usageMetadata: USAGE })]);

    expect(toolArgumentsByIndex(endChunks).get(0)).toBe('{}');
    expect(finishReasons(endChunks)).toEqual(['tool_calls']);
  });
});

describe('createGeminiStreamTranslator finish and usage', () => {
  it('sends the finish_reason in its own chunk after the last text', () => {
    const { chunks } = replayPayloads([event([{ text: 'Hel' }]), finalEvent([{ text: 'lo' }], 'MAX_TOKENS')]);

    expect(chunks.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: 'assistant', content: 'Hel' }, { content: 'lo' }, {}, undefined]);
    expect(finishReasons(chunks)).toEqual(['length']);
  });

  it('waits for usage that arrives after the finishReason', () => {
    const translator = createGeminiStreamTranslator(geminiContext());
    translator.push({ data: JSON.stringify(event([{ text: 'Hi' }], {}, { finishReason: 'STOP' })) });

    const finishedBeforeUsage = translator.finished;
    const chunks = translator.push({ data: JSON.stringify({ usageMetadata: USAGE }) });

    expect(finishedBeforeUsage).toBe(false);
    expect(chunks).toMatchObject([{ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }]);
    expect(translator.finished).toBe(true);
  });

  it('emits the finish and usage chunks from end() when the stream stopped without a finishReason', () => {
    const { endChunks } = replayPayloads([event([{ text: 'Partial' }], { usageMetadata: USAGE })]);

    expect(endChunks).toMatchObject([{ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }, { choices: [], usage: { total_tokens: 15 } }]);
  });

  it('emits no usage chunk when Gemini never reported usage', () => {
    const { chunks } = replayPayloads([event([{ text: 'Hi' }], {}, { finishReason: 'STOP' })]);

    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
  });

  it('sends one finish_reason although Gemini repeats it', () => {
    const { chunks } = replayPayloads([finalEvent([{ text: 'Hi' }]), finalEvent([{ text: ' again' }])]);

    expect(finishReasons(chunks)).toEqual(['stop']);
    expect(deltaText(chunks, 'content')).toBe('Hi');
  });

  it('finishes with content_filter and the role when the prompt was blocked', () => {
    const { chunks } = replayPayloads([{ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } }]);

    expect(chunks).toMatchObject([
      { choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter' }] },
      { choices: [], usage: { prompt_tokens: 8, completion_tokens: 0 } },
    ]);
  });

  it('names the deployment model when Gemini sends no modelVersion', () => {
    const { chunks } = replayPayloads([{ candidates: [{ content: { parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }], usageMetadata: USAGE }]);

    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['gemini-2.5-flash']));
  });

  it('keeps the first modelVersion on every chunk when a later event names another', () => {
    const { chunks } = replayPayloads([event([{ text: 'Hi' }]), { ...finalEvent([{ text: '!' }]), modelVersion: 'gemini-2.5-flash-002' }]);

    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['gemini-2.5-flash-001']));
  });
});

describe('createGeminiStreamTranslator several candidates', () => {
  const twoCandidates = (finishReason?: string, usage?: JsonObject): JsonObject => ({
    candidates: [0, 1].map((index) => ({
      content: { role: 'model', parts: index === 0 ? [{ text: 'A' }] : [{ functionCall: { name: 'f', args: {} } }] },
      index,
      ...(finishReason ? { finishReason } : {}),
    })),
    ...(usage ? { usageMetadata: usage } : {}),
  });

  it('names the role in the first chunk of each choice', () => {
    const { chunks } = replayPayloads([twoCandidates(), twoCandidates('STOP', USAGE)]);

    const roles = chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.delta.role === 'assistant').map((choice) => choice.index));

    expect(roles).toEqual([0, 1]);
  });

  it('finishes each choice once, by what it did', () => {
    const { chunks } = replayPayloads([twoCandidates(), twoCandidates('STOP', USAGE)]);

    const finishes = chunks.flatMap((chunk) => chunk.choices.filter((choice) => choice.finish_reason !== null).map((choice) => [choice.index, choice.finish_reason]));

    expect(finishes).toEqual([
      [0, 'stop'],
      [1, 'tool_calls'],
    ]);
  });

  it('gives the calls of later choices ids that name the choice', () => {
    const { chunks } = replayPayloads([twoCandidates('STOP', USAGE)]);

    expect(toolCallDeltas(chunks).map((toolCall) => toolCall.id)).toEqual(['call_req-test-1_1_0']);
  });
});

describe('createGeminiStreamTranslator failures', () => {
  it('throws a GatewayError keeping Google message when an error event arrives', () => {
    const translator = createGeminiStreamTranslator(geminiContext());
    translator.push({ data: readGeminiChunkLines('google-text.chunks.txt')[0]! });

    const error = captureError(() => translator.push({ data: '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}' }));

    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 503, message: 'The model is overloaded.', code: 'UNAVAILABLE' });
  });

  it.each(['not json', '[1,2]', 'null'])('throws a bad_upstream_response GatewayError when the event data is %s', (data) => {
    const translator = createGeminiStreamTranslator(geminiContext());

    const error = captureError(() => translator.push({ data }));

    expect(error).toMatchObject({ status: 502, code: 'bad_upstream_response' });
  });

  it('throws a truncation GatewayError on end() when no event arrived at all', () => {
    const translator = createGeminiStreamTranslator(geminiContext());

    const error = captureError(() => translator.end());

    expect(error).toMatchObject({ status: 502, code: 'upstream_stream_truncated' });
  });
});

describe('createGeminiStreamTranslator schema', () => {
  it('matches the OpenAI chunk schema for blocked, multi-choice and end()-closed streams', () => {
    const replays = [
      replayPayloads([{ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: USAGE }]),
      replayPayloads([event([{ text: 'x', thought: true }, { text: 'y' }], { usageMetadata: USAGE })]),
      replayPayloads([event([{ functionCall: { name: 'f', willContinue: true } }])]),
    ];

    for (const chunk of replays.flatMap((replay) => replay.chunks)) expect(() => assertChatCompletionChunk(chunk)).not.toThrow();
  });
});
