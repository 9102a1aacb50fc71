import { randomUUID } from 'node:crypto';
import { buildGateway } from '../../functions/core/build-gateway.js';
import type { Logger } from '../../functions/core/ports.js';
import { createEnvironmentSecretSource } from '../../functions/platform/environment-secret-source.js';
import { createNodeHttpUpstreamClient } from '../../functions/platform/node-http-upstream-client.js';
import { startLocalServer } from '../../functions/local/local-server.js';

export const MASTER_KEY = 'sk-test-master-key-0123456789';

export interface RunningGateway {
  /** e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly logLines: Array<{ level: string; event: string; fields?: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The real gateway (core + node:http upstream + local server) on a free port, for end-to-end tests. */
export async function startGateway(configText: string, environment: Record<string, string> = {}): Promise<RunningGateway> {
  const logLines: RunningGateway['logLines'] = [];
  const logger: Logger = {
    info: (event, fields) => logLines.push({ level: 'info', event, fields }),
    warn: (event, fields) => logLines.push({ level: 'warn', event, fields }),
    error: (event, fields) => logLines.push({ level: 'error', event, fields }),
  };
  const gateway = await buildGateway({
    configText,
    secrets: createEnvironmentSecretSource({ GATEWAY_MASTER_KEY: MASTER_KEY, ...environment }),
    upstream: createNodeHttpUpstreamClient(),
    clock: { now: Date.now },
    ids: { next: randomUUID },
    logger,
  });
  const server = await startLocalServer({ handle: gateway.handle, maxRequestBytes: gateway.maxRequestBytes, port: 0 });
  return { url: server.url, logLines, close: () => server.close() };
}
