import type { Provider } from '../provider.js';
import { createAnthropicStreamTranslator } from './anthropic-stream-translator.js';
import { buildAnthropicChatRequest } from './build-anthropic-request.js';
import { mapAnthropicError } from './map-anthropic-error.js';
import { parseAnthropicChatResponse } from './parse-anthropic-response.js';

/**
 * Anthropic's Messages API (`POST /v1/messages`) behind the OpenAI chat contract, as pure
 * translation. Anthropic has no embeddings API, so the embedding methods are absent.
 */
export const anthropicProvider: Provider = {
  streamFraming: 'sse',
  buildChatRequest: buildAnthropicChatRequest,
  parseChatResponse: parseAnthropicChatResponse,
  createChatStreamTranslator: createAnthropicStreamTranslator,
  mapError: mapAnthropicError,
};
