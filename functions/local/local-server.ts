import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { RequestTimeoutError } from '../core/errors.js';
import { renderErrorFor, type Preflight } from '../core/gateway/preflight.js';
import type { GatewayHandler, GatewayHttpResponse } from '../core/http/gateway-http.js';

export interface LocalServer {
  /** e.g. `http://127.0.0.1:4000` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Time and connection bounds. A body has the whole-request budget (6 MB needs about
 * 0.8 Mbit/s to fit in 60 s), but may not stall longer than the idle bound; headers are a few
 * hundred bytes and get 10 s. None of them applies once the request is in, so a long
 * completion or a quiet stream is never cut.
 */
export const LOCAL_SERVER_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  bodyIdleTimeoutMs: 15_000,
  maxConnections: 1_024,
} as const;

export interface LocalServerOptions {
  handle: GatewayHandler;
  /** Serves `/admin/*` (already guarded by the master key) when given. */
  adminHandle?: GatewayHandler;
  /** `BuiltGateway.preflight`: refusals (404/405/401/413) are answered before any body byte is read. */
  preflight?: Preflight;
  maxRequestBytes: number;
  host?: string;
  port?: number;
  /** Time to receive the request line and headers; past it node answers 408 and closes. @default 10_000 */
  headersTimeoutMs?: number;
  /** Time to receive the whole request, body included; past it node answers 408 and closes. @default 60_000 */
  requestTimeoutMs?: number;
  /** Longest pause between body bytes; past it the gateway answers 408 and closes. @default 15_000 */
  bodyIdleTimeoutMs?: number;
  /** Open connections beyond this are closed as they arrive. @default 1_024 */
  maxConnections?: number;
}

/**
 * Serves the gateway core over node:http. Asks the preflight first, so a refused request's
 * body is never read; reads at most `maxRequestBytes + 1` body bytes (the core answers 413
 * past the limit) within the time bounds, aborts the core's signal when the client
 * disconnects, and writes streamed bodies piece by piece, waiting for `drain`.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const headersTimeout = options.headersTimeoutMs ?? LOCAL_SERVER_LIMITS.headersTimeoutMs;
  const requestTimeout = options.requestTimeoutMs ?? LOCAL_SERVER_LIMITS.requestTimeoutMs;
  const bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? LOCAL_SERVER_LIMITS.bodyIdleTimeoutMs;
  const server = http.createServer(
    {
      headersTimeout: Math.min(headersTimeout, requestTimeout), // node refuses a headers bound above the request bound
      requestTimeout,
      // node checks both bounds on this interval (30 s by default, which would let a 10 s bound run to 40 s).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4))),
    },
    (incoming, outgoing) => {
      void serve(options, bodyIdleTimeoutMs, incoming, outgoing);
    },
  );
  server.keepAliveTimeout = 65_000;
  server.maxConnections = options.maxConnections ?? LOCAL_SERVER_LIMITS.maxConnections;
  server.listen(options.port ?? 4000, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  options: LocalServerOptions,
  bodyIdleTimeoutMs: number,
  incoming: http.IncomingMessage,
  outgoing: http.ServerResponse,
): Promise<void> {
  const { handle, adminHandle, maxRequestBytes } = options;
  const abort = new AbortController();
  outgoing.on('close', () => {
    if (!outgoing.writableFinished) abort.abort(new Error('client disconnected'));
  });
  let afterResponse: (() => Promise<void>) | undefined;
  const url = incoming.url ?? '/';
  const questionMark = url.indexOf('?');
  const path = questionMark === -1 ? url : url.slice(0, questionMark);
  const method = incoming.method ?? 'GET';
  const headers = lowerCaseHeaders(incoming.headers);
  try {
    const isAdmin = adminHandle !== undefined && (path === '/admin' || path.startsWith('/admin/'));
    const refusal = await options.preflight?.({ method, path, headers }, { admin: isAdmin });
    if (refusal !== undefined) {
      // The body stays unread: answer, then close the connection rather than drain an upload nobody wants.
      if (expectsBody(headers)) refusal.headers['connection'] = 'close';
      endWith(outgoing, refusal, method);
      return;
    }
    const { body, truncated } = await readBody(incoming, maxRequestBytes, bodyIdleTimeoutMs);
    const response = await (isAdmin ? adminHandle : handle)({
      method,
      path,
      query: questionMark === -1 ? undefined : url.slice(questionMark + 1),
      headers,
      body,
      signal: abort.signal,
    });
    afterResponse = response.afterResponse;
    // A body cut off at the limit was not read to its end: close rather than reuse the connection.
    if (truncated) response.headers['connection'] = 'close';
    outgoing.writeHead(response.status, response.headers);
    if (typeof response.body === 'string') {
      outgoing.end(incoming.method === 'HEAD' ? undefined : response.body);
      return;
    }
    outgoing.flushHeaders();
    for await (const piece of response.body) {
      if (outgoing.destroyed) break;
      if (!outgoing.write(piece)) await waitForDrain(outgoing);
    }
    outgoing.end();
  } catch (error) {
    if (error instanceof RequestTimeoutError && !outgoing.headersSent) {
      // The chunks read so far went with readBody's promise; closing frees the socket too.
      const timedOut = renderErrorFor(path, error);
      timedOut.headers['connection'] = 'close';
      endWith(outgoing, timedOut, method);
      return;
    }
    // The core renders its own errors; reaching here means the socket failed under us.
    if (!outgoing.headersSent) {
      outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end('{"error":{"message":"The gateway failed to handle this request.","type":"server_error","param":null,"code":"internal_error"}}');
    } else {
      outgoing.destroy();
    }
  } finally {
    // Settlement and the usage record, after the client has its last byte.
    await afterResponse?.().catch(() => undefined);
  }
}

function waitForDrain(outgoing: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });
}

function endWith(outgoing: http.ServerResponse, response: GatewayHttpResponse, method: string): void {
  outgoing.writeHead(response.status, response.headers);
  outgoing.end(method === 'HEAD' || typeof response.body !== 'string' ? undefined : response.body);
}

function expectsBody(headers: Readonly<Record<string, string | undefined>>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
}

/**
 * The body, up to `maxBytes + 1` bytes; rejects with `RequestTimeoutError` when no byte
 * arrives for `idleMs` (a client dripping slower than that is cut off), and with the
 * stream's error when the client goes away.
 */
function readBody(incoming: http.IncomingMessage, maxBytes: number, idleMs: number): Promise<{ body: Uint8Array; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const idle = setTimeout(() => settle(new RequestTimeoutError(idleMs)), idleMs);
    const onData = (chunk: Buffer) => {
      idle.refresh();
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > maxBytes) {
        incoming.pause();
        settle(undefined, true);
      }
    };
    const onEnd = () => settle(undefined, false);
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('The client went away before the body ended.'));
    let settled = false;
    function settle(error: Error | undefined, truncated = false): void {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error !== undefined) reject(error);
      else resolve({ body: Buffer.concat(chunks), truncated });
    }
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function lowerCaseHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  // node:http already lower-cases names; arrays (repeated headers) are joined.
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
