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
  return createClient(endpoint, 2);
}

function createClient(endpoint: string, maxAttempts: number): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts });
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
  const requestedPort = options.port ?? 0;
  if (requestedPort !== 0) {
    // A busy port would otherwise look ready: ListTables would be answered by whatever holds it.
    await assertPortFree(requestedPort);
    return startOnPort(requestedPort, options);
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnPort(await findFreePort(), options);
    } catch (error) {
      const portTaken = error instanceof DynamoDbLocalStartError && error.portInUse;
      if (!portTaken || attempt >= PORT_RACE_ATTEMPTS) throw error;
    }
  }
}

/** DynamoDB Local could not be started; the message says why, with its last stderr lines. */
export class DynamoDbLocalStartError extends Error {
  constructor(message: string, readonly portInUse = false) {
    super(message);
    this.name = 'DynamoDbLocalStartError';
  }
}

function emulatorDirectory(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  } catch {
    throw new DynamoDbLocalStartError(
      'Cannot start DynamoDB Local: the amplify-dynamodb-simulator package (which ships its JAR) is not installed; run npm install.',
    );
  }
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
    createDataDirectory(options.dataDirectory);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const java = options.javaExecutable ?? 'java';

  const child = spawn(java, commandLine(port, options), { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  // 'close', not 'exit': by then stderr has been read to the end, for the error message.
  const closed = new Promise<ChildOutcome>((resolveClose) => {
    child.once('close', (code, signal) => resolveClose({ kind: 'exited', code, signal }));
    child.once('error', (error) => resolveClose({ kind: 'spawn-failed', error }));
  });
  const killOnParentExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await closed;
        clearTimeout(escalation);
      }
      process.off('exit', killOnParentExit);
    })();
    return stopping;
  };

  // One attempt per poll: the poll loop is the retry.
  const client = createClient(endpoint, 1);
  const giveUp = new AbortController();
  let outcome: ChildOutcome | { kind: 'ready' } | { kind: 'timed-out'; reason: string };
  try {
    outcome = await Promise.race([
      waitUntilAnswering(client, options.startTimeoutMs ?? 30_000, giveUp.signal),
      closed,
      // When Jetty cannot bind, the main thread dies but the JVM stays up: watch for it.
      output.mainThreadDied.then((): ChildOutcome => ({ kind: 'main-thread-died' })),
    ]);
  } finally {
    giveUp.abort();
    client.destroy();
  }
  if (outcome.kind === 'ready') {
    // Running: the parent's own work decides how long it lives; the exit hook cleans up.
    child.unref();
    output.unref();
    return { endpoint, stop };
  }

  await stop();
  const stderr = output.lastLines();
  switch (outcome.kind) {
    case 'spawn-failed':
      throw spawnError(java, outcome.error);
    case 'exited':
      throw new DynamoDbLocalStartError(
        `DynamoDB Local exited before answering on port ${port} (${outcome.signal ?? `exit code ${String(outcome.code)}`}).${formatLines(stderr)}`,
        isPortInUse(stderr),
      );
    case 'main-thread-died':
      throw new DynamoDbLocalStartError(
        isPortInUse(stderr)
          ? `DynamoDB Local could not listen on port ${port}: it is in use.${formatLines(stderr)}`
          : `DynamoDB Local failed to start on port ${port}.${formatLines(stderr)}`,
        isPortInUse(stderr),
      );
    case 'timed-out':
      throw new DynamoDbLocalStartError(`DynamoDB Local did not answer on ${endpoint}: ${outcome.reason}.${formatLines(stderr)}`);
  }
}

type ChildOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawn-failed'; error: Error }
  | { kind: 'main-thread-died' };

function isPortInUse(stderr: string[]): boolean {
  return /address already in use|BindException|Failed to bind/i.test(stderr.join('\n'));
}

function createDataDirectory(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    throw new DynamoDbLocalStartError(`Cannot create the DynamoDB Local data directory ${resolve(path)}: ${code}.`);
  }
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

async function waitUntilAnswering(
  client: DynamoDBClient,
  timeoutMs: number,
  cancelled: AbortSignal,
): Promise<{ kind: 'ready' } | { kind: 'timed-out'; reason: string }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !cancelled.aborted) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.any([cancelled, AbortSignal.timeout(2_000)]) });
      return { kind: 'ready' };
    } catch (error) {
      lastError = error;
    }
    await sleep(POLL_INTERVAL_MS, undefined, { signal: cancelled }).catch(() => undefined);
  }
  const last = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  return { kind: 'timed-out', reason: `no answer within ${timeoutMs} ms${last}` };
}

/**
 * Drains both pipes (a full pipe would stall Java), keeps the last stderr lines for error
 * messages and notices the JVM's main thread dying of an exception.
 */
function collectOutput(child: ChildProcess): { lastLines(): string[]; mainThreadDied: Promise<void>; unref(): void } {
  const lines: string[] = [];
  let partial = '';
  let onMainThreadDied: () => void = () => undefined;
  const mainThreadDied = new Promise<void>((resolveDied) => {
    onMainThreadDied = resolveDied;
  });
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split(/\r?\n/);
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (line.startsWith('Exception in thread "main"')) onMainThreadDied();
    }
    lines.splice(0, Math.max(0, lines.length - STDERR_LINES_KEPT));
  });
  return {
    lastLines: () => (partial.trim() === '' ? [...lines] : [...lines, partial]).slice(-STDERR_LINES_KEPT),
    mainThreadDied,
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

async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolveListen);
    });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    throw new DynamoDbLocalStartError(`Cannot start DynamoDB Local on port ${port}: ${code === 'EADDRINUSE' ? 'it is in use' : code}.`, code === 'EADDRINUSE');
  }
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
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
