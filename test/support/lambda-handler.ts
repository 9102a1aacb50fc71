import type { Writable } from 'node:stream';
import { vi } from 'vitest';

// The gateway's Lambda handler loaded in-process, as a function URL invokes it. middy's streaming
// mode calls `awslambda.streamifyResponse` when the handler module loads, so the global is stubbed
// first and the module imported afterwards (as in handler.test.ts); globals of esbuild's `define`
// names (`__GATEWAY_CONFIG_YAML__`, …) stand in for what `cdk synth` inlines.

export type StreamingHandler = (event: unknown, responseStream: Writable, context: object) => Promise<void>;

/** What the handler hands `awslambda.HttpResponseStream.from` before its body. */
export interface Prelude {
  statusCode: number;
  headers: Record<string, string>;
}

/**
 * Stubs `awslambda` (each response stream's prelude going to `onPrelude`), the given define
 * globals, and the environment of a master-key-only gateway (no provider-keys secret, tenancy
 * table or origin check); sends stdout to `onStdout` (or nowhere); then imports the handler
 * afresh. Undo with vi.unstubAllGlobals, vi.unstubAllEnvs and vi.restoreAllMocks.
 */
export async function loadStreamingHandler(options: {
  masterKey: string;
  globals: Record<string, string>;
  onPrelude?: (stream: Writable, prelude: Prelude) => void;
  onStdout?: (chunk: string) => void;
}): Promise<StreamingHandler> {
  vi.stubGlobal('awslambda', {
    streamifyResponse: (wrapped: StreamingHandler) => wrapped,
    HttpResponseStream: {
      from: (stream: Writable, prelude: Prelude) => {
        options.onPrelude?.(stream, prelude);
        return stream;
      },
    },
  });
  for (const [name, value] of Object.entries(options.globals)) vi.stubGlobal(name, value);
  vi.stubEnv('PROVIDER_KEYS_SECRET_ARN', undefined);
  vi.stubEnv('TENANCY_TABLE', undefined);
  vi.stubEnv('ORIGIN_VERIFY_SECRET_ARN', undefined);
  vi.stubEnv('GATEWAY_MASTER_KEY', options.masterKey);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    options.onStdout?.(String(chunk));
    return true;
  });
  vi.resetModules();
  return (await import('../../functions/gateway/handler.js')).handler as unknown as StreamingHandler;
}

/** A function URL's event for POST /v1/chat/completions with `body` as JSON, under the master key. */
export function chatCompletionsEvent(masterKey: string, body: unknown, options: { rawQueryString?: string } = {}) {
  return {
    version: '2.0',
    rawPath: '/v1/chat/completions',
    ...(options.rawQueryString === undefined ? {} : { rawQueryString: options.rawQueryString }),
    headers: { host: 'abc.lambda-url.eu-west-1.on.aws', 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
    requestContext: { http: { method: 'POST', path: '/v1/chat/completions', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' } },
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    isBase64Encoded: true,
  };
}
