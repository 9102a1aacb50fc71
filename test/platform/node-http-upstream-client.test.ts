/**
 * The node:http upstream client against a real server on 127.0.0.1: what it does when the
 * router has already given up on an attempt, and how it names a silence after the headers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamTimeoutError } from '../../functions/core/errors.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(handler: http.RequestListener): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = http.createServer(handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, connections: () => connections };
}

describe('node:http upstream client', () => {
  it('sends nothing, and opens no connection, for an attempt already given up', async () => {
    const upstream = await listen((_request, response) => response.end('{}'));
    const controller = new AbortController();
    const reason = new UpstreamTimeoutError('given up');
    controller.abort(reason);

    const sent = createNodeHttpUpstreamClient().send({ method: 'POST', url: upstream.url, headers: {}, body: '{}', signal: controller.signal, timeoutMs: 1_000 });

    await expect(sent).rejects.toBe(reason);
    // Counted after a request sent later has been answered, rather than after a sleep: that one is then the first connection.
    const later = await createNodeHttpUpstreamClient().send({ method: 'POST', url: upstream.url, headers: {}, body: '{}', timeoutMs: 1_000 });
    for await (const _chunk of later.body) {
      // drain
    }
    expect(upstream.connections()).toBe(1);
  });

  it('reports a silence after the headers as a timeout, not as a broken connection', async () => {
    const upstream = await listen((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {}\n\n'); // then nothing
    });

    const response = await createNodeHttpUpstreamClient().send({ method: 'POST', url: upstream.url, headers: {}, body: '{}', timeoutMs: 100 });
    const read = (async () => {
      for await (const _chunk of response.body) {
        // drain
      }
    })();

    await expect(read).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });
});
