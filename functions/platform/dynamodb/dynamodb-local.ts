/**
 * DynamoDB Local (the JAR shipped by `amplify-dynamodb-simulator`) as a child process, for tests
 * and the local server. Needs a Java runtime on PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** Port to listen on; 0 or absent picks a free one. */
  readonly port?: number;
  /** Persist tables in this directory (created if missing). Ignored when `inMemory` is set. */
  readonly dataDirectory?: string;
  /** Keep everything in memory; also the behaviour when no `dataDirectory` is given. */
  readonly inMemory?: boolean;
  /** The Java executable. @default 'java' (found on PATH) */
  readonly javaExecutable?: string;
  /** How long to wait for the first answer. @default 30000 */
  readonly startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Kills the process and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** The credentials DynamoDB Local accepts (it checks only that some are sent) and the region it is told. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';
const STDERR_LINES_KEPT = 20;
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;
/** Attempts when the port was picked here and another process took it before Java bound it. */
const PORT_RACE_ATTEMPTS = 3;

/**
 * A DynamoDB client for DynamoDB Local at `endpoint`: dummy credentials, `us-east-1`, and
 * two attempts, so a test against a dead emulator fails fast instead of backing off for long.
 */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
  });
}

/**
 * Starts DynamoDB Local (`-sharedDb`, so every client sees the same tables whatever its
 * credentials and region) and resolves once it answers ListTables. Rejects with the reason
 * and the emulator's last stderr lines when Java is missing, the process exits early, or it
 * does not answer in time. The process is killed when this Node process exits.
 * DynamoDB Local has no bind-address option: it listens on every interface; the endpoint
 * handed out is always 127.0.0.1. Its telemetry is switched off.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const pickPort = options.port === undefined || options.port === 0;
  for (let attempt = 1; ; attempt += 1) {
    const port = pickPort ? await findFreePort() : options.port!;
    try {
      return await startOnPort(port, options);
    } catch (error) {
      const portTaken = error instanceof DynamoDbLocalStartError && error.portInUse;
      if (!pickPort || !portTaken || attempt >= PORT_RACE_ATTEMPTS) throw error;
    }
  }
}

class DynamoDbLocalStartError extends Error {
  constructor(message: string, readonly portInUse = false) {
    super(message);
    this.name = 'DynamoDbLocalStartError';
  }
}

function emulatorDirectory(): string {
  const packageJson = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  return join(dirname(packageJson), 'emulator');
}

function commandLine(port: number, options: DynamoDbLocalOptions): string[] {
  const emulator = emulatorDirectory();
  const storage = options.inMemory === true || options.dataDirectory === undefined
    ? ['-inMemory']
    : ['-dbPath', resolve(options.dataDirectory)];
  return [
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-jar', join(emulator, 'DynamoDBLocal.jar'),
    '-port', String(port),
    '-sharedDb',
    // 1.24+ reports usage to AWS unless told not to; tests stay on 127.0.0.1.
    '-disableTelemetry',
    ...storage,
  ];
}

async function startOnPort(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  if (options.inMemory !== true && options.dataDirectory !== undefined) {
    mkdirSync(options.dataDirectory, { recursive: true });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const java = options.javaExecutable ?? 'java';

  const child = spawn(java, commandLine(port, options), { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (error) => resolveExit({ code: null, signal: null, error }));
  });
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(escalation);
      }
      process.off('exit', killOnParentExit);
    })();
    return stopping;
  };

  const client = localDynamoDbClient(endpoint);
  try {
    const outcome = await Promise.race([
      waitUntilAnswering(client, options.startTimeoutMs ?? 30_000).then(() => 'ready' as const),
      exited,
    ]);
    if (outcome !== 'ready') {
      process.off('exit', killOnParentExit);
      if (outcome.error !== undefined) throw spawnError(java, outcome.error);
      const stderr = output.lastLines();
      throw new DynamoDbLocalStartError(
        `DynamoDB Local exited before answering (${outcome.signal ?? `exit code ${String(outcome.code)}`}) on port ${port}.${formatLines(stderr)}`,
        /address already in use|BindException/i.test(stderr.join('\n')),
      );
    }
  } catch (error) {
    await stop();
    if (error instanceof DynamoDbLocalStartError) throw error;
    throw new DynamoDbLocalStartError(
      `DynamoDB Local did not answer on ${endpoint}: ${error instanceof Error ? error.message : String(error)}${formatLines(output.lastLines())}`,
    );
  } finally {
    client.destroy();
  }

  // Running: the parent's own work decides how long it lives; the exit hook cleans up.
  child.unref();
  output.unref();
  return { endpoint, stop };
}

function spawnError(java: string, error: Error): DynamoDbLocalStartError {
  const code = 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') {
    return new DynamoDbLocalStartError(
      `Cannot start DynamoDB Local: "${java}" was not found. Install a Java runtime (11 or later) and put \`java\` on PATH.`,
    );
  }
  return new DynamoDbLocalStartError(`Cannot start DynamoDB Local with "${java}": ${error.message}`);
}

async function waitUntilAnswering(client: DynamoDBClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      lastError = error;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  const reason = lastError instanceof Error ? lastError.message : 'no answer';
  throw new Error(`no answer within ${timeoutMs} ms (last: ${reason})`);
}

/** Drains both pipes (a full pipe would stall Java) and keeps the last stderr lines for error messages. */
function collectOutput(child: ChildProcess): { lastLines(): string[]; unref(): void } {
  const lines: string[] = [];
  let partial = '';
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split(/\r?\n/);
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.trim() !== ''));
    lines.splice(0, Math.max(0, lines.length - STDERR_LINES_KEPT));
  });
  return {
    lastLines: () => (partial.trim() === '' ? [...lines] : [...lines, partial]).slice(-STDERR_LINES_KEPT),
    unref: () => {
      for (const stream of [child.stdout, child.stderr]) {
        (stream as unknown as { unref?: () => void } | null)?.unref?.();
      }
    },
  };
}

function formatLines(lines: string[]): string {
  return lines.length === 0 ? ' It wrote nothing to stderr.' : `\nLast stderr lines:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
