/**
 * A fake OpenAI-compatible provider on 127.0.0.1 whose errors quote the key it was sent
 * (the bearer token of its Authorization header) in some encoding, as careless providers
 * and the proxies in front of them do. The upstream model name picks what it does:
 *   leak:<status>:<encoding>     an OpenAI-shaped error with that status quoting the key
 *   leak-in-stream:<encoding>    200 SSE: a role chunk and a content chunk, then, once the test
 *                                calls releaseStreamErrors() (it has seen the content, so the
 *                                gateway has committed the stream), `data: {"error":{…}}` quoting
 *                                the key, and the end
 * Encodings: see KEY_ENCODINGS.
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export const KEY_ENCODINGS = {
  plain: (key: string) => key,
  'upper-case': (key: string) => key.toUpperCase(),
  base64: (key: string) => Buffer.from(key).toString('base64'),
  base64url: (key: string) => Buffer.from(key).toString('base64url'),
  'url-encoded': (key: string) => encodeURIComponent(key),
  // The whole header, base64-encoded: the key sits 22 bytes in (offset 1 of a 3-byte group).
  'inside-base64-blob': (key: string) => Buffer.from(`Authorization: Bearer ${key}`).toString('base64'),
  // A Basic credential `gateway:key`: the key sits 8 bytes in (offset 2 of a 3-byte group).
  'inside-basic-credential': (key: string) => Buffer.from(`gateway:${key}`).toString('base64'),
} as const;

export type KeyEncoding = keyof typeof KEY_ENCODINGS;

export interface LeakyUpstream {
  readonly baseUrl: string;
  /** Lets every stream waiting after its content chunk send its error event. */
  releaseStreamErrors(): void;
  close(): Promise<void>;
}

export async function startLeakyUpstream(): Promise<LeakyUpstream> {
  const waiting = new Set<() => void>();
  const server = http.createServer(async (incoming, outgoing) => {
    let raw = '';
    for await (const chunk of incoming) raw += chunk;
    const body = JSON.parse(raw || '{}') as { model?: string };
    const [kind, ...options] = String(body.model ?? '').split(':');
    const key = String(incoming.headers['authorization'] ?? '').replace(/^Bearer /, '');
    const encoding = options.at(-1) as KeyEncoding;
    const quoted = (KEY_ENCODINGS[encoding] ?? KEY_ENCODINGS.plain)(key);
    const error = { message: `Invalid credentials: ${quoted} was refused.`, type: 'invalid_request_error', param: null, code: 'bad_key' };

    if (kind === 'leak') {
      outgoing.writeHead(Number(options[0]), { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ error }));
      return;
    }
    outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-leak', object: 'chat.completion.chunk', created: 1, model: 'leak', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    const released = new Promise<void>((resolve) => waiting.add(resolve));
    outgoing.write(chunk({ role: 'assistant', content: '' }));
    outgoing.write(chunk({ content: 'Hello' }));
    await released;
    outgoing.end(`data: ${JSON.stringify({ error })}\n\n`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    releaseStreamErrors() {
      for (const release of waiting) release();
      waiting.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of waiting) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
