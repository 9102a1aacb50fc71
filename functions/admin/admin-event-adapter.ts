/**
 * Pure conversions between a Lambda function URL (payload format 2.0, buffered mode)
 * and the admin API's request and response shapes.
 */
import type { GatewayHttpRequest, GatewayHttpResponse } from '../core/http/gateway-http.js';
import { toGatewayRequest, type FunctionUrlEvent } from '../gateway/function-url-adapter.js';

/** A function URL event; the admin API reads the query string too (`GET /admin/keys?tenant_id=`). */
export interface AdminFunctionUrlEvent extends FunctionUrlEvent {
  /** Without the `?`, as the function URL received it. */
  readonly rawQueryString?: string;
}

/** A buffered function URL response. */
export interface AdminFunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function toAdminRequest(event: AdminFunctionUrlEvent, signal: AbortSignal): GatewayHttpRequest {
  const request = toGatewayRequest(event, signal);
  return event.rawQueryString ? { ...request, query: event.rawQueryString } : request;
}

/** The admin API answers with strings; an iterable body (never produced today) is read whole. */
export async function toAdminResult(response: GatewayHttpResponse): Promise<AdminFunctionUrlResult> {
  let body = '';
  if (typeof response.body === 'string') {
    body = response.body;
  } else {
    for await (const piece of response.body) body += piece;
  }
  return { statusCode: response.status, headers: { ...response.headers }, body };
}
