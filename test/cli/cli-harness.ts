import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { main, type CliEnvironment } from '../../functions/cli/admin-cli.js';
import { parseArguments, type ParsedCommand } from '../../functions/cli/parse-arguments.js';
import type { AdminHandler } from '../../functions/core/admin/admin-handler.js';

/** The parsed arguments, which must be a command (not a request for help). */
export function command(argv: string[]): ParsedCommand {
  const parsed = parseArguments(argv);
  if (parsed.kind !== 'command') throw new Error('expected a command');
  return parsed;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AdminCli {
  /** Where the admin API listens; set once the `beforeAll` has run. */
  readonly url: string;
  /** Runs the CLI against that URL with the master key, `env` adding to or overriding both. */
  run(argv: string[], env?: Record<string, string | undefined>, extra?: Partial<CliEnvironment>): Promise<CliRun>;
}

/**
 * Serves `current()` (read on every request, so a `beforeEach` may replace it) behind a check
 * of `masterKey`, as the local server serves the admin API, on 127.0.0.1 for the enclosing
 * describe block, and runs the CLI against it.
 */
export function useAdminCli(masterKey: string, current: () => AdminHandler): AdminCli {
  const server = serveAdmin(masterKey, current);
  let url = '';

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  return {
    get url() {
      return url;
    },
    async run(argv, env = {}, extra = {}) {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, {
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
        env: { GATEWAY_ADMIN_URL: url, GATEWAY_MASTER_KEY: masterKey, ...env },
        ...extra,
      });
      return { code, stdout, stderr };
    },
  };
}

function serveAdmin(masterKey: string, current: () => AdminHandler): http.Server {
  return http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        if (incoming.headers.authorization !== `Bearer ${masterKey}`) {
          outgoing.writeHead(401, { 'content-type': 'application/json' });
          outgoing.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
          return;
        }
        const url = new URL(incoming.url ?? '/', 'http://localhost');
        const response = await current()({
          method: incoming.method ?? 'GET',
          path: url.pathname,
          query: url.search.slice(1),
          headers: incoming.headers as Record<string, string>,
          body: new Uint8Array(Buffer.concat(chunks)),
          signal: new AbortController().signal,
        });
        outgoing.writeHead(response.status, response.headers);
        outgoing.end(response.body as string);
      })();
    });
  });
}
