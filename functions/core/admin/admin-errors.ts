import { GatewayError } from '../errors.js';

/** 404 `not_found`: a tenant or key the request names does not exist. */
export class AdminNotFoundError extends GatewayError {
  constructor(message: string, param: string | null = null) {
    super({ status: 404, message, type: 'invalid_request_error', param, code: 'not_found' });
    this.name = 'AdminNotFoundError';
  }
}

/** 409 `conflict`: the id is taken, or the resource's state forbids the change. */
export class AdminConflictError extends GatewayError {
  constructor(message: string, param: string | null = null) {
    super({ status: 409, message, type: 'invalid_request_error', param, code: 'conflict' });
    this.name = 'AdminConflictError';
  }
}
