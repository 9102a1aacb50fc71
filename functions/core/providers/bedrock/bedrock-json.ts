/** Reading untyped JSON from the client or from Bedrock: the shared helpers, re-exported. */
export {
  badUpstreamResponse,
  countOf,
  isObject,
  objectOr,
  parseJsonObject,
  requireObject,
  stringOr,
} from '../json-values.js';
