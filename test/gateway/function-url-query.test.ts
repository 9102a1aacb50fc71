import { describe, expect, it } from 'vitest';
import { toGatewayRequest, type FunctionUrlEvent } from '../../functions/gateway/function-url-adapter.js';

const messagesEvent = (rawQueryString?: string): FunctionUrlEvent => ({
  rawPath: '/v1/messages',
  ...(rawQueryString === undefined ? {} : { rawQueryString }),
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path: '/v1/messages' } },
});

describe('toGatewayRequest', () => {
  it('keeps the query string when the event has one (Claude Code sends ?beta=true)', () => {
    const request = toGatewayRequest(messagesEvent('beta=true'), new AbortController().signal);

    expect(request.query).toBe('beta=true');
  });

  it('gives no query when the event query string is empty', () => {
    const request = toGatewayRequest(messagesEvent(''), new AbortController().signal);

    expect(request.query).toBeUndefined();
  });
});
