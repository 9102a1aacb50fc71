import type { Provider } from '../provider.js';
import { buildBedrockEmbeddingRequest, parseBedrockEmbeddingResponse } from './bedrock-embeddings.js';
import { buildConverseChatRequest } from './build-converse-request.js';
import { createConverseStreamTranslator } from './converse-stream-translator.js';
import { mapBedrockError } from './map-bedrock-error.js';
import { parseConverseResponse } from './parse-converse-response.js';

/**
 * Amazon Bedrock: chat through Converse / ConverseStream, embeddings through InvokeModel
 * (Titan Text Embeddings, Cohere Embed). Pure translation: requests carry no credentials but ask
 * to be SigV4-signed (`signing: {service: "bedrock", region}`), which the gateway's signer does;
 * streams arrive as AWS event-stream frames, decoded by aws-event-stream-decoder.ts into
 * `{event: <event or exception type>, data: <JSON>}`.
 */
export const bedrockProvider: Provider = {
  streamFraming: 'aws-event-stream',
  buildChatRequest: buildConverseChatRequest,
  parseChatResponse: parseConverseResponse,
  createChatStreamTranslator: createConverseStreamTranslator,
  buildEmbeddingRequest: buildBedrockEmbeddingRequest,
  parseEmbeddingResponse: parseBedrockEmbeddingResponse,
  mapError: mapBedrockError,
};
