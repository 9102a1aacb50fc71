/**
 * The gateway core's HTTP contract: plain values in, plain values out. The local
 * node:http server and the Lambda function-URL adapter both translate to and from
 * these shapes, so the very same core serves both.
 */

/** An incoming request, already read off the wire. */
export interface GatewayHttpRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** The query string without `?` (`tenant_id=acme`), when there is one. */
  query?: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes (a Lambda adapter decodes base64 first). */
  body: Uint8Array;
  /** Aborted when the client goes away; the core aborts the upstream call with it. */
  signal: AbortSignal;
}

/**
 * A response. A streamed body is an async iterable of text pieces that the edge
 * writes as they come, respecting back-pressure (it awaits each write's drain).
 */
export interface GatewayHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | AsyncIterable<string>;
  /**
   * Work that must follow the response but finish inside the invocation (settlement, the
   * usage record): the edge calls it after the client has the last byte. On Lambda nothing
   * runs after the handler settles, so it cannot be left to a floating promise.
   */
  afterResponse?: () => Promise<void>;
}

/** The whole gateway, as seen by an edge adapter. */
export type GatewayHandler = (request: GatewayHttpRequest) => Promise<GatewayHttpResponse>;
