import type { EmbeddingRequest, EmbeddingResponse } from '../../openai/openai-types.js';

const DEFAULT_DIMENSIONS = 16;

/** Deterministic unit vectors derived from each input's text (FNV-1a seeded), so equal inputs embed equally. */
export function demoEmbeddings(request: EmbeddingRequest): EmbeddingResponse {
  const inputs = toInputList(request.input);
  const dimensions = typeof request.dimensions === 'number' && request.dimensions > 0 ? Math.floor(request.dimensions) : DEFAULT_DIMENSIONS;
  const data = inputs.map((text, index) => {
    const vector = unitVector(text, dimensions);
    const embedding = request.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding' as const, index, embedding };
  });
  const tokens = inputs.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return { object: 'list', data, model: 'demo', usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

function toInputList(input: EmbeddingRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (input.length > 0 && typeof input[0] === 'number') return [(input as number[]).join(' ')];
  return (input as Array<string | number[]>).map((item) => (typeof item === 'string' ? item : item.join(' ')));
}

function unitVector(text: string, dimensions: number): number[] {
  let state = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    state ^= text.charCodeAt(index);
    state = Math.imul(state, 0x01000193) >>> 0;
  }
  const vector: number[] = [];
  for (let index = 0; index < dimensions; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    vector.push(state / 0xffffffff - 0.5);
  }
  const length = Math.hypot(...vector) || 1;
  return vector.map((value) => Number((value / length).toFixed(6)));
}
