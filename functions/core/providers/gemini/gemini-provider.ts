import type { Provider } from '../provider.js';
import { buildGeminiChatRequest } from './build-gemini-request.js';
import { buildGeminiEmbeddingRequest, parseGeminiEmbeddingResponse } from './gemini-embeddings.js';
import { createGeminiStreamTranslator } from './gemini-stream-translator.js';
import { mapGeminiError } from './map-gemini-error.js';
import { parseGeminiChatResponse } from './parse-gemini-response.js';

/**
 * Google Gemini with an API key (generativelanguage.googleapis.com, v1beta), as pure
 * translation: OpenAI chat and embeddings requests in, Gemini's answers back as OpenAI's.
 * Streams are SSE (`alt=sse`), one `GenerateContentResponse` per event.
 */
export const geminiProvider: Provider = {
  streamFraming: 'sse',
  buildChatRequest: buildGeminiChatRequest,
  parseChatResponse: parseGeminiChatResponse,
  createChatStreamTranslator: createGeminiStreamTranslator,
  buildEmbeddingRequest: buildGeminiEmbeddingRequest,
  parseEmbeddingResponse: parseGeminiEmbeddingResponse,
  mapError: mapGeminiError,
};
