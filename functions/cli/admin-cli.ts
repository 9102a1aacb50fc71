/**
 * `npm run admin -- <command>`: manage tenants and virtual keys and read usage and cost through
 * the admin API, locally (master key) or on AWS (SigV4 to the admin function URL). See `--help`.
 */
import { isEntryPoint } from '../platform/entry-point.js';
import { errorMessageOf, sendAdminCall, TargetError, type AwsCredentialsProvider } from './admin-client.js';
import { formatAnswer, formatAnswerCsv } from './format-output.js';
import { parseArguments, UsageError } from './parse-arguments.js';

const DEFAULT_ADMIN_URL = 'http://127.0.0.1:4000';

export interface CliEnvironment {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads GATEWAY_ADMIN_URL, GATEWAY_MASTER_KEY, AWS_REGION / AWS_DEFAULT_REGION. */
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  /** Replaces the standard AWS credential chain (tests). */
  awsCredentials?: AwsCredentialsProvider;
}

/** Runs one command; resolves to the process exit code (0 on success, 1 on any failure). */
export async function main(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const { stdout, stderr, env } = environment;
  try {
    const parsed = parseArguments(argv);
    if (parsed.kind === 'help') {
      stdout(parsed.text);
      return 0;
    }
    const { call } = parsed;
    const answer = await sendAdminCall(call, {
      url: parsed.url ?? env.GATEWAY_ADMIN_URL ?? DEFAULT_ADMIN_URL,
      masterKey: parsed.masterKey ?? env.GATEWAY_MASTER_KEY,
      defaultRegion: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
      credentials: environment.awsCredentials,
      fetch: environment.fetch,
    });
    if (answer.status < 200 || answer.status > 299) {
      stderr(`Error: ${errorMessageOf(answer)}\n`);
      return 1;
    }
    if (parsed.json) {
      stdout(`${JSON.stringify(answer.body, null, 2)}\n`);
      return 0;
    }
    stdout(parsed.format === 'csv' ? formatAnswerCsv(call.view, answer.body) : formatAnswer(call.view, answer.body));
    if (call.view === 'created-key') stderr('Store the key now: it is not shown again.\n');
    const nextCursor = nextCursorOf(answer.body);
    if (call.view === 'usage-requests' && nextCursor !== undefined) {
      stderr(`More requests: run again with --cursor ${nextCursor}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      stderr(`Error: ${error.message}\nRun with --help for usage.\n`);
      return 1;
    }
    if (error instanceof TargetError) {
      stderr(`Error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function nextCursorOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const cursor = (body as { next_cursor?: unknown }).next_cursor;
  return typeof cursor === 'string' ? cursor : undefined;
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
  });
}
