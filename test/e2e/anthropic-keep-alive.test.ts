import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { startKeepAliveGateway } from '../support/keep-alive-gateway.js';
import { MASTER_KEY, type RunningGateway } from '../support/start-gateway.js';

// The upstream sends its role chunk and then nothing: after one keep-alive interval the gateway
// commits the stream, and from then on only keep-alive comments can reach the client. Should they
// stop, stream_timeout (1 s, twenty keep-alive intervals) ends the stream with an error event, so
// the test fails on what it received instead of waiting forever.

let upstream: FakeUpstream;
let gateway: RunningGateway;
beforeAll(async () => {
  ({ upstream, gateway } = await startKeepAliveGateway({
    providerKey: 'sk-keep-alive-provider-key-0000',
    deployments: [{ name: 'thinker', model: 'silent-stream', streamTimeout: 1 }],
  }));
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** What the client received up to its first keep-alive comment, or the whole stream when none came. */
async function readUntilKeepAlive(response: Response): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (text.includes(': keep-alive\n\n')) {
      await reader.cancel();
      return text;
    }
  }
}

describe('POST /v1/messages (streaming) keep-alive', () => {
  it('sends keep-alive comments between Anthropic events when the upstream is silent', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': MASTER_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'thinker', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Think first.' }] }),
    });

    const text = await readUntilKeepAlive(response);

    expect(response.status).toBe(200);
    expect(text).toMatch(/^event: message_start\n/);
    expect(text).toContain('\n\n: keep-alive\n\n');
  });
});
