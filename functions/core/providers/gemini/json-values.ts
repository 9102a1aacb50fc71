/** Reading untyped JSON from the client or from Gemini: the shared helpers, re-exported. */
export {
  arrayOr,
  badUpstreamResponse,
  countOf,
  finiteNumber,
  isObject,
  nonEmptyString,
  objectOr,
  parseJson,
} from '../json-values.js';
