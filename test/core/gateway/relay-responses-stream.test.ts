import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import { relayResponsesStream } from '../../../functions/core/gateway/responses-native.js';

const KEY = 'sk-provider-secret-0123456789';

async function* sse(...events: Array<Record<string, unknown>>): AsyncGenerator<Uint8Array> {
  for (const event of events) yield new TextEncoder().encode(`event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`);
}

async function relayed(upstream: AsyncIterable<Uint8Array>): Promise<{ text: string; errors: GatewayError[] }> {
  const errors: GatewayError[] = [];
  const redact = (error: GatewayError) => {
    errors.push(error);
    return new GatewayError({ status: error.status, message: error.message.split(KEY).join('[REDACTED]'), type: error.type, code: error.code });
  };
  let text = '';
  for await (const piece of relayResponsesStream(upstream, {
    maxEventBytes: 1 << 20,
    signal: new AbortController().signal,
    committed: () => true,
    observe: () => undefined,
    onError: redact,
    sequence: { last: -1 },
  })) text += piece;
  return { text, errors };
}

describe('relayResponsesStream after the commit', () => {
  it('relays a provider error event scrubbed of configured secrets, and reports it once', async () => {
    const { text, errors } = await relayed(
      sse({ type: 'response.created', sequence_number: 0 }, { type: 'error', sequence_number: 1, code: 'server_error', message: `bad key ${KEY}` }),
    );

    expect(text).not.toContain(KEY);
    expect(text).toContain('[REDACTED]');
    expect(errors).toHaveLength(1);
  });

  it('relays response.failed scrubbed of configured secrets, and reports it for the usage record', async () => {
    const { text, errors } = await relayed(
      sse({ type: 'response.created', sequence_number: 0 }, { type: 'response.failed', sequence_number: 1, response: { status: 'failed', error: { code: 'server_error', message: `bad key ${KEY}` } } }),
    );

    expect(text).not.toContain(KEY);
    expect(text).toContain('response.failed');
    expect(errors).toHaveLength(1);
  });
});
