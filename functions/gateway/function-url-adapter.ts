/**
 * Pure conversions between a Lambda function URL (payload format 2.0) and the
 * core's GatewayHttpRequest/GatewayHttpResponse. No `awslambda` global here, so
 * it is tested directly.
 */
import { Readable } from 'node:stream';
import type { GatewayHttpRequest, GatewayHttpResponse } from '../core/http/gateway-http.js';

/** The fields of a function URL event (payload 2.0) the gateway reads. */
export interface FunctionUrlEvent {
  readonly rawPath?: string;
  /** Without `?`; empty when there is none (`beta=true` on Anthropic's routes is forwarded upstream). */
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** Function URLs move `Cookie` headers here. */
  readonly cookies?: readonly string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly http: { readonly method: string; readonly path?: string } };
}

/** What middy's streamify mode pipes: the prelude (`statusCode`, `headers`) and a Node Readable body. */
export interface FunctionUrlStreamingResult {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable;
}

export function toGatewayRequest(event: FunctionUrlEvent, signal: AbortSignal): GatewayHttpRequest {
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath ?? event.requestContext.http.path ?? '/',
    ...(event.rawQueryString ? { query: event.rawQueryString } : {}),
    headers: toLowerCaseHeaders(event.headers ?? {}, event.cookies ?? []),
    body: toBodyBytes(event.body, event.isBase64Encoded === true),
    signal,
  };
}

/**
 * `onEarlyClose` runs when the body stream is destroyed before it ended, i.e. writing
 * to the client failed; the handler aborts the request's signal with it.
 */
export function toStreamingResult(
  response: GatewayHttpResponse,
  onEarlyClose?: () => void,
): FunctionUrlStreamingResult {
  const body = typeof response.body === 'string'
    ? Readable.from(response.body === '' ? [] : [response.body])
    : Readable.from(response.body);
  if (onEarlyClose) {
    body.once('close', () => {
      if (!body.readableEnded) onEarlyClose();
    });
  }
  return { statusCode: response.status, headers: { ...response.headers }, body };
}

function toLowerCaseHeaders(
  headers: Readonly<Record<string, string | undefined>>,
  cookies: readonly string[],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const existing = result[key];
    result[key] = existing === undefined ? value : `${existing}, ${value}`;
  }
  if (cookies.length > 0) {
    result.cookie = [result.cookie, ...cookies].filter((cookie) => cookie !== undefined).join('; ');
  }
  return result;
}

function toBodyBytes(body: string | undefined, isBase64Encoded: boolean): Uint8Array {
  if (body === undefined || body === '') return new Uint8Array(0);
  const buffer = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
