/**
 * The node:http upstream client shares one connection pool among every tenant: one caller's many
 * slow requests must not queue another caller's request behind them (issue 11, item 10).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBodyText } from '../../functions/core/gateway/read-body.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';

const SLOW_REQUESTS = 300;

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** `/slow` is held open until the test ends; `/fast` answers at once. */
async function startUpstream(): Promise<{ baseUrl: string; slowReceived: () => number; slowAnswered: () => number }> {
  let slowReceived = 0;
  let slowAnswered = 0;
  server = http.createServer((request, response) => {
    if (request.url === '/slow') {
      slowReceived++;
      response.on('finish', () => slowAnswered++);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"fast":true}');
  });
  server.maxConnections = SLOW_REQUESTS + 10;
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', 1024, resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, slowReceived: () => slowReceived, slowAnswered: () => slowAnswered };
}

describe('node:http upstream client connection pool', () => {
  it("answers a second caller's request while another caller's 300 slow requests to the same origin are still pending", async () => {
    const upstream = await startUpstream();
    const client = createNodeHttpUpstreamClient();
    const firstCaller = new AbortController();
    const slow = Array.from({ length: SLOW_REQUESTS }, () =>
      client.send({ method: 'POST', url: `${upstream.baseUrl}/slow`, headers: {}, body: '{}', signal: firstCaller.signal, timeoutMs: 60_000 }),
    );
    slow.forEach((pending) => pending.catch(() => undefined));

    try {
      const fast = await client.send({ method: 'POST', url: `${upstream.baseUrl}/fast`, headers: {}, body: '{}', timeoutMs: 60_000 });
      const body = await readBodyText(fast.body, 1024);

      expect(fast.status).toBe(200);
      expect(body).toBe('{"fast":true}');
      expect(upstream.slowAnswered()).toBe(0);
    } finally {
      firstCaller.abort(new Error('test over'));
    }
  }, 30_000);
});
