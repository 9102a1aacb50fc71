/**
 * The small interfaces the core is written against. Adapters in `functions/platform/`
 * (and fakes in tests) implement them; the core never reaches for AWS, the process
 * environment, the wall clock or a random source on its own.
 */

/** Resolves `os.environ/NAME` references: the process environment locally, the provider-keys secret on Lambda. */
export interface SecretSource {
  /** The value for `name`, or undefined when there is none. */
  get(name: string): Promise<string | undefined>;
  /** Forgets cached values so the next `get` reads afresh (a provider refused a key that may have been rotated). */
  refresh?(): void;
}

/** One HTTP call to a model provider. */
export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the call (client went away, or the router gave up). */
  signal?: AbortSignal;
  /** Milliseconds to wait for the response headers and between body bytes before failing with a timeout. */
  timeoutMs: number;
}

/** The provider's answer: status and headers at once, the body as it arrives. */
export interface UpstreamResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  /** Body bytes as they arrive; iterating pulls from the socket, so back-pressure reaches the provider. */
  body: AsyncIterable<Uint8Array>;
}

/** Sends upstream requests. Fails with `UpstreamTimeoutError` or `UpstreamUnreachableError` (see errors.ts). */
export interface UpstreamClient {
  send(request: UpstreamRequest): Promise<UpstreamResponse>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface IdSource {
  /** A fresh, unique, URL-safe id (used for request ids and generated chunk ids). */
  next(): string;
}

/** Structured logging. Fields must never carry a secret or prompt text. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}
