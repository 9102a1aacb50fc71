import { describe, expect, it } from 'vitest';
import { buildGeminiChatRequest } from '../../../../functions/core/providers/gemini/build-gemini-request.js';
import { buildGeminiEmbeddingRequest, parseGeminiEmbeddingResponse } from '../../../../functions/core/providers/gemini/gemini-embeddings.js';
import { geminiProvider } from '../../../../functions/core/providers/gemini/gemini-provider.js';
import { createGeminiStreamTranslator } from '../../../../functions/core/providers/gemini/gemini-stream-translator.js';
import { mapGeminiError } from '../../../../functions/core/providers/gemini/map-gemini-error.js';
import { parseGeminiChatResponse } from '../../../../functions/core/providers/gemini/parse-gemini-response.js';

describe('geminiProvider', () => {
  it('frames its streams as SSE', () => {
    expect(geminiProvider.streamFraming).toBe('sse');
  });

  it('wires each operation to its translation function', () => {
    expect(geminiProvider).toMatchObject({
      buildChatRequest: buildGeminiChatRequest,
      parseChatResponse: parseGeminiChatResponse,
      createChatStreamTranslator: createGeminiStreamTranslator,
      buildEmbeddingRequest: buildGeminiEmbeddingRequest,
      parseEmbeddingResponse: parseGeminiEmbeddingResponse,
      mapError: mapGeminiError,
    });
  });
});
