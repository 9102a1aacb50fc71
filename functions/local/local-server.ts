import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { GatewayHandler } from '../core/http/gateway-http.js';

export interface LocalServer {
  /** e.g. `http://127.0.0.1:4000` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the gateway core over node:http. Reads at most `maxRequestBytes + 1` body
 * bytes (the core answers 413 past the limit), aborts the core's signal when the client
 * disconnects, and writes streamed bodies piece by piece, waiting for `drain`.
 */
export async function startLocalServer(options: {
  handle: GatewayHandler;
  /** Serves `/admin/*` (already guarded by the master key) when given. */
  adminHandle?: GatewayHandler;
  maxRequestBytes: number;
  host?: string;
  port?: number;
}): Promise<LocalServer> {
  const server = http.createServer((incoming, outgoing) => {
    void serve(options.handle, options.adminHandle, options.maxRequestBytes, incoming, outgoing);
  });
  server.keepAliveTimeout = 65_000;
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
  handle: GatewayHandler,
  adminHandle: GatewayHandler | undefined,
  maxRequestBytes: number,
  incoming: http.IncomingMessage,
  outgoing: http.ServerResponse,
): Promise<void> {
  const abort = new AbortController();
  outgoing.on('close', () => {
    if (!outgoing.writableFinished) abort.abort(new Error('client disconnected'));
  });
  let afterResponse: (() => Promise<void>) | undefined;
  try {
    const { body, truncated } = await readBody(incoming, maxRequestBytes);
    const url = incoming.url ?? '/';
    const questionMark = url.indexOf('?');
    const path = questionMark === -1 ? url : url.slice(0, questionMark);
    const isAdmin = adminHandle !== undefined && (path === '/admin' || path.startsWith('/admin/'));
    const response = await (isAdmin ? adminHandle : handle)({
      method: incoming.method ?? 'GET',
      path,
      query: questionMark === -1 ? undefined : url.slice(questionMark + 1),
      headers: lowerCaseHeaders(incoming.headers),
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
  } catch {
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

async function readBody(incoming: http.IncomingMessage, maxBytes: number): Promise<{ body: Uint8Array; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.byteLength;
    if (size > maxBytes) {
      incoming.pause();
      return { body: Buffer.concat(chunks), truncated: true };
    }
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function lowerCaseHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  // node:http already lower-cases names; arrays (repeated headers) are joined.
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
