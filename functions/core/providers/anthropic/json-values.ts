/** Reading untyped JSON from the client or from Anthropic: the shared helpers, re-exported. */
export {
  badUpstreamResponse,
  countOf,
  isObject,
  objectOr,
  parseJsonObject,
  stringOr,
} from '../json-values.js';
