import { InvalidRequestError } from '../errors.js';

export function invalidType(path: string, expected: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid type for '${path}': expected ${expected}.`, path, 'invalid_type');
}
