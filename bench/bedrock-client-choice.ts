/**
 * `npx tsx bench/bedrock-client-choice.ts`: the figures behind one decision — call Bedrock
 * through `@aws-sdk/client-bedrock-runtime`, or sign requests ourselves with the SDK's own
 * signing and event-stream packages (`@smithy/signature-v4`, `@smithy/eventstream-codec`,
 * the credential chain of `@aws-sdk/credential-provider-node`) — by bundle size and cold-start
 * import time.
 *
 * Each candidate is a tiny entry bundled with esbuild as the stack bundles the gateway (minified,
 * ESM, platform node, target node22, `module` before `main`, a `require` shim), twice:
 * - self-contained: every package inside the bundle;
 * - as the stack ships it: `@aws-sdk/*` left out (NodejsFunction's default for Node 22 runtimes,
 *   which provide it), resolved from node_modules at run time.
 * Sizes are of the bundle (minified and gzip); the import time is the median of 5 fresh `node`
 * processes each timing `await import(bundle)`. For our signer, "first signature" also times
 * creating the signer and signing one request with the default credential chain (environment
 * credentials), which loads the chain lazily.
 *
 * The client is measured only when `@aws-sdk/client-bedrock-runtime` is already installed;
 * this script never installs anything. Bundles go to a temporary folder under
 * node_modules/.cache (so external packages resolve), removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;
const CLIENT_PACKAGE = '@aws-sdk/client-bedrock-runtime';
const REQUIRE_SHIM = "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);";

interface Candidate {
  name: string;
  entry: string;
  /** Code run after the import for the "first signature" timing; absent = not measured. */
  firstUse?: string;
}

interface Row {
  candidate: string;
  mode: string;
  minifiedBytes: number;
  gzipBytes: number;
  importMs: number;
  firstUseMs?: number;
}

const OURS: Candidate = {
  name: 'own signer + decoder',
  entry: [
    `export { createSigV4RequestSigner } from ${JSON.stringify(join(ROOT, 'functions/platform/sigv4-request-signer.ts'))};`,
    `export { decodeAwsEventStreamBatches } from ${JSON.stringify(join(ROOT, 'functions/core/streaming/aws-event-stream-decoder.ts'))};`,
  ].join('\n'),
  firstUse: [
    'const sign = bundle.createSigV4RequestSigner();',
    "await sign({ method: 'POST', url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse', headers: { 'content-type': 'application/json' }, body: '{}', signing: { service: 'bedrock', region: 'us-east-1' } });",
  ].join('\n'),
};

const CLIENT: Candidate = {
  name: CLIENT_PACKAGE,
  entry: `export { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from '${CLIENT_PACKAGE}';`,
};

const MODES = [
  { name: 'self-contained', external: [] as string[] },
  { name: '@aws-sdk/* external (as the stack ships)', external: ['@aws-sdk/*'] },
];

async function bundle(candidate: Candidate, external: string[], outDirectory: string, label: string): Promise<string> {
  const entryFile = join(outDirectory, `${label}-entry.ts`);
  const outFile = join(outDirectory, `${label}.mjs`);
  writeFileSync(entryFile, `${candidate.entry}\n`);
  await build({
    entryPoints: [entryFile],
    outfile: outFile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    external,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  return outFile;
}

/** Milliseconds for `await import(file)` (and the first use, when given) in a fresh process. */
function timeInFreshProcess(file: string, firstUse: string | undefined): { importMs: number; firstUseMs?: number } {
  const script = [
    'const started = performance.now();',
    `const bundle = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const imported = performance.now();',
    firstUse ?? '',
    'const used = performance.now();',
    `console.log(JSON.stringify({ importMs: imported - started, firstUseMs: ${firstUse ? 'used - started' : 'undefined'} }));`,
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    // Fixed environment credentials: the chain stops at its first provider, no network.
    env: { PATH: process.env['PATH'], AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: 'us-east-1' },
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { importMs: number; firstUseMs?: number };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(candidate: Candidate, outDirectory: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [modeIndex, mode] of MODES.entries()) {
    const file = await bundle(candidate, mode.external, outDirectory, `${candidate === OURS ? 'ours' : 'client'}-${modeIndex}`);
    const bytes = readFileSync(file);
    const runs = Array.from({ length: RUNS }, () => timeInFreshProcess(file, candidate.firstUse));
    const firstUse = runs.map((run) => run.firstUseMs).filter((value): value is number => value !== undefined);
    rows.push({
      candidate: candidate.name,
      mode: mode.name,
      minifiedBytes: bytes.byteLength,
      gzipBytes: gzipSync(bytes).byteLength,
      importMs: median(runs.map((run) => run.importMs)),
      ...(firstUse.length > 0 ? { firstUseMs: median(firstUse) } : {}),
    });
  }
  return rows;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function print(rows: readonly Row[]): void {
  const table = rows.map((row) => ({
    candidate: row.candidate,
    mode: row.mode,
    minified: kib(row.minifiedBytes),
    gzip: kib(row.gzipBytes),
    [`import p50 (${RUNS} runs)`]: `${row.importMs.toFixed(1)} ms`,
    'import + first signature p50': row.firstUseMs === undefined ? '-' : `${row.firstUseMs.toFixed(1)} ms`,
  }));
  console.table(table);
}

async function main(): Promise<void> {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outDirectory = mkdtempSync(join(cache, 'bedrock-client-choice-'));
  try {
    console.log(`node ${process.version}, esbuild bundles: minified, ESM, platform node, target node22`);
    const rows = await measure(OURS, outDirectory);
    const clientInstalled = existsSync(join(ROOT, 'node_modules', CLIENT_PACKAGE, 'package.json'));
    if (clientInstalled) rows.push(...(await measure(CLIENT, outDirectory)));
    print(rows);
    if (!clientInstalled) {
      console.log(`${CLIENT_PACKAGE} is not installed, so only our own signer + decoder were measured (this script installs nothing).`);
    }
  } finally {
    rmSync(outDirectory, { recursive: true, force: true });
  }
}

await main();
