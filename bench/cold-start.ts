/**
 * `npx tsx bench/cold-start.ts [config.yaml]`: what each Lambda function costs at cold start.
 *
 * Each handler (gateway, admin, aggregator) is bundled with esbuild using exactly the options
 * the stack gives NodejsFunction (lib/bundling-options.ts: minified ESM for node22, the AWS SDK
 * bundled too, the `require` shim, the config inlined; the default config unless a path is given;
 * for the gateway, the config's prices resolved from @pydantic/genai-prices and inlined, as at synth).
 * For each bundle it reports:
 * - the minified size of index.mjs, and of its source map (deployed beside it);
 * - the deployment package size, approximated by deflating both files (zip's own method) and
 *   summing, so without zip's per-file headers (~100 bytes each);
 * - the median, over fresh `node` processes (this process's own Node, i.e. the project's Node 22),
 *   of the time `await import(bundle)` takes: the module's share of Lambda's init phase (any
 *   package left external would resolve from node_modules, as from the runtime's copy on Lambda);
 * - for the gateway, also the import plus its first request (GET /health: the gateway is built
 *   from the config, no network).
 * The child processes get NODE_OPTIONS=--enable-source-maps, as the stack sets it on every function
 * (it adds 10–20 ms here); COLD_START_NODE_OPTIONS replaces it (empty: none).
 * Bundles are written under node_modules/.cache (so any externals resolve) and removed after.
 * Lambda adds its own runtime start-up (and, with a larger package, download) to these figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { DEFAULT_CONFIG_YAML } from '../functions/core/config/default-config.js';
import { esbuildOptions, FUNCTION_ENTRIES } from '../lib/bundling-options.js';
import { isEntryPoint } from '../functions/platform/entry-point.js';
import { resolveConfigPrices, toInlinedPrices } from '../functions/platform/genai-price-resolver.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_RUNS = 7;
/** The issue's goals for the gateway function. */
export const COLD_START_GOALS = { gatewayMinifiedBytes: 1_000_000, gatewayImportMs: 150 };

export interface ColdStartRow {
  name: keyof typeof FUNCTION_ENTRIES;
  minifiedBytes: number;
  sourceMapBytes: number;
  /** index.mjs + index.mjs.map, each deflated as zip stores it. */
  deflatedBytes: number;
  importMs: number;
  /** Gateway only: import plus the first GET /health. */
  firstRequestMs?: number;
}

export interface ColdStartOptions {
  /** Fresh processes per bundle. @default 7 */
  readonly runs?: number;
  /** @default the embedded default config */
  readonly configYaml?: string;
}

/** A stand-in for the `awslambda` global the Node.js runtime provides (middy's streaming mode calls it at import). */
const AWSLAMBDA_STUB = `globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: { from: (stream) => stream },
};`;

const HEALTH_REQUEST = `
const { Writable } = await import('node:stream');
const event = {
  version: '2.0', routeKey: '$default', rawPath: '/health', rawQueryString: '',
  headers: { host: 'bench.lambda-url.us-east-1.on.aws' },
  requestContext: { http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' } },
  isBase64Encoded: false,
};
const sink = new Writable({ write(_chunk, _encoding, callback) { callback(); } });
await module.handler(event, sink, {});
`;

/** Milliseconds to import the bundle (and, with `firstRequest`, to answer one /health) in a fresh process. */
function timeInFreshProcess(file: string, firstRequest: boolean): { importMs: number; firstRequestMs?: number } {
  const script = [
    AWSLAMBDA_STUB,
    'const started = performance.now();',
    `const module = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'const imported = performance.now();',
    firstRequest ? HEALTH_REQUEST : '',
    'const answered = performance.now();',
    `console.log(JSON.stringify({ importMs: imported - started${firstRequest ? ', firstRequestMs: answered - started' : ''} }));`,
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    // What the function has on Lambda, less the stack's resources: no secret ARN, no tables (so no SDK client is made).
    env: {
      PATH: process.env['PATH'],
      AWS_REGION: 'us-east-1',
      GATEWAY_MASTER_KEY: 'sk-cold-start-bench-master-key',
      NODE_OPTIONS: process.env['COLD_START_NODE_OPTIONS'] ?? '--enable-source-maps',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { importMs: number; firstRequestMs?: number };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Bundles and times every function; bundles are removed before it resolves. */
export async function measureColdStart(options: ColdStartOptions = {}): Promise<ColdStartRow[]> {
  const runs = options.runs ?? DEFAULT_RUNS;
  const configYaml = options.configYaml ?? DEFAULT_CONFIG_YAML;
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outDirectory = realpathSync(mkdtempSync(join(cache, 'cold-start-')));
  try {
    const rows: ColdStartRow[] = [];
    const prices = toInlinedPrices(resolveConfigPrices(configYaml, { at: new Date() }));
    for (const [name, entry] of Object.entries(FUNCTION_ENTRIES) as Array<[keyof typeof FUNCTION_ENTRIES, string]>) {
      const outfile = join(outDirectory, name, 'index.mjs');
      const options = esbuildOptions(configYaml, name === 'gateway' ? prices : undefined);
      await build({ ...options, entryPoints: [join(ROOT, entry)], outfile, absWorkingDir: ROOT, logLevel: 'silent' });
      const code = readFileSync(outfile);
      const sourceMap = readFileSync(`${outfile}.map`);
      const timings = Array.from({ length: runs }, () => timeInFreshProcess(outfile, name === 'gateway'));
      const firstRequest = timings.map((timing) => timing.firstRequestMs).filter((value): value is number => value !== undefined);
      rows.push({
        name,
        minifiedBytes: code.byteLength,
        sourceMapBytes: sourceMap.byteLength,
        deflatedBytes: deflateRawSync(code).byteLength + deflateRawSync(sourceMap).byteLength,
        importMs: median(timings.map((timing) => timing.importMs)),
        ...(firstRequest.length > 0 ? { firstRequestMs: median(firstRequest) } : {}),
      });
    }
    return rows;
  } finally {
    rmSync(outDirectory, { recursive: true, force: true });
  }
}

function describeExternals(): string {
  const { external, target, format } = esbuildOptions('');
  return `minified ${format.toUpperCase()}, ${target}, ${external.length === 0 ? 'AWS SDK bundled' : `${external.join(', ')} external`}`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The figures as a Markdown table, with the goals' verdict. */
export function formatColdStart(rows: readonly ColdStartRow[], runs = DEFAULT_RUNS): string {
  const gateway = rows.find((row) => row.name === 'gateway');
  const lines = [
    `Node ${process.version}; esbuild as the stack bundles (${describeExternals()}); median of ${runs} fresh processes`,
    '',
    '| function | minified | source map | deployment package (deflated) | import | import + first GET /health |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${kib(row.minifiedBytes)} | ${kib(row.sourceMapBytes)} | ${kib(row.deflatedBytes)} | ${row.importMs.toFixed(1)} ms | ` +
        `${row.firstRequestMs === undefined ? '-' : `${row.firstRequestMs.toFixed(1)} ms`} |`,
    ),
  ];
  if (gateway) {
    const met = gateway.minifiedBytes < COLD_START_GOALS.gatewayMinifiedBytes && gateway.importMs < COLD_START_GOALS.gatewayImportMs;
    lines.push(
      '',
      `verdict: goal (gateway bundle < ${COLD_START_GOALS.gatewayMinifiedBytes / 1_000_000} MB minified, import < ${COLD_START_GOALS.gatewayImportMs} ms) ` +
        `${met ? 'MET' : 'MISSED'}: ${(gateway.minifiedBytes / 1_000_000).toFixed(3)} MB, ${gateway.importMs.toFixed(1)} ms`,
    );
  }
  return lines.join('\n');
}

/** Measures and formats (what `npm run bench` prints in its cold-start section). */
export async function runColdStartBench(options: ColdStartOptions = {}): Promise<string> {
  return formatColdStart(await measureColdStart(options), options.runs ?? DEFAULT_RUNS);
}

if (isEntryPoint(import.meta.url)) {
  const configPath = process.argv[2];
  const configYaml = configPath === undefined ? undefined : readFileSync(configPath, 'utf8');
  process.stdout.write(`${await runColdStartBench(configYaml === undefined ? {} : { configYaml })}\n`);
}
