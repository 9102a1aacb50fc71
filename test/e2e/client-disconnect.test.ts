import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { startKeepAliveGateway } from '../support/keep-alive-gateway.js';
import { MASTER_KEY, type RunningGateway } from '../support/start-gateway.js';

// The upstream says nothing after the client leaves, and every timeout is an hour away: the only
// thing that can close its connection is the gateway passing the client's departure on (the local
// server's abort, the request signal, the upstream client's onAbort). A broken chain shows as a
// test that never sees the close. (An upstream that keeps sending would close anyway: the stream's
// own shutdown releases it at its next chunk.)

let upstream: FakeUpstream;
let gateway: RunningGateway;
beforeAll(async () => {
  ({ upstream, gateway } = await startKeepAliveGateway({
    providerKey: 'sk-disconnect-provider-key-0000',
    deployments: ['hang', 'hang-before-first-token', 'silent-stream'].map((name) => ({ name, model: name, timeout: 3600, streamTimeout: 3600 })),
  }));
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

function post(model: string, signal: AbortSignal): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    signal,
  });
}

describe('local server client disconnect', () => {
  it.each([
    ['before sending response headers', 'hang'],
    ['after sending SSE headers but no event', 'hang-before-first-token'],
  ])('closes the upstream connection when the client leaves while the upstream is silent %s', async (_when, model) => {
    const client = new AbortController();
    const answered = post(model, client.signal);
    await upstream.whenReceived(model);

    client.abort();

    await expect(answered).rejects.toThrow();
    const closed = await upstream.whenClosed(model);
    expect(closed.model).toBe(model);
  });

  it('closes the upstream connection when the client leaves a committed stream whose upstream went silent', async () => {
    const client = new AbortController();
    const response = await post('silent-stream', client.signal);
    // The gateway committed the held role chunk after a keep-alive interval of silence: the client has bytes.
    const reader = response.body!.getReader();
    const first = await reader.read();

    client.abort();

    expect(new TextDecoder().decode(first.value)).toMatch(/^data: \{/);
    await expect(upstream.whenClosed('silent-stream')).resolves.toMatchObject({ model: 'silent-stream' });
  });
});
