/**
 * The `/v1/responses` rows of `npm run bench`: does the native passthrough add no more than the chat path?
 *
 * The same Responses request (master key; `store: false`, as Codex CLI sends it, so neither path
 * writes a stored conversation) goes three ways:
 * - direct: straight to the bench upstream's Responses endpoint (the baseline of both rows);
 * - native: through the gateway to `bench-responses`, an `openai/…` deployment on that endpoint
 *   (responses-native.ts: the body and every event relayed as the provider sent them);
 * - translated: through the gateway to `bench-vllm`, a `hosted_vllm/…` deployment (chat only) on the
 *   upstream's chat endpoint (Responses → chat → Response or the Responses events, responses-translated.ts).
 * Non-streaming, until the whole body is read; streaming, until the first body byte (the upstream
 * streams 30 text deltas either way). As in messages-bench.ts (see interleaved.ts), the three run in rounds, in a
 * rotating order, and each path's rounds are pooled.
 */
import { measurePaths, ROUNDS, type PathBenchOptions, type PathRow, type Way } from './interleaved.js';

/** Fewer requests than the /v1/messages rows: the whole bench must stay within its deadline. */
export const RESPONSES_LEVELS = [
  { concurrency: 1, count: 2_400 },
  { concurrency: 32, count: 4_800 },
];
const SCENARIOS = [
  { name: 'responses non-streaming', stream: false, firstByte: false },
  { name: 'responses streaming TTFB', stream: true, firstByte: true },
];
const PROMPT = 'Invent a new holiday and describe its traditions.';
const FETCH_TIMEOUT_MS = 15_000;

export type ResponsesPath = 'native' | 'translated';

export type ResponsesRow = PathRow<ResponsesPath>;

export type ResponsesBenchOptions = PathBenchOptions;

export async function runResponsesBench(options: ResponsesBenchOptions): Promise<ResponsesRow[]> {
  const direct: Way = { target: { url: `${options.upstreamBase}/responses`, headers: { authorization: `Bearer ${options.providerKey}` } }, model: 'gpt-5-mini' };
  const gateway = { url: `${options.gatewayBase}/v1/responses`, headers: { authorization: `Bearer ${options.masterKey}` } };
  const paths: Record<ResponsesPath, Way> = {
    native: { target: gateway, model: 'bench-responses' },
    translated: { target: gateway, model: 'bench-vllm' },
  };
  options.step('checking /v1/responses: native and translated');
  await checkResponsesPaths(direct, paths);

  return measurePaths({ direct, paths, scenarios: SCENARIOS, levels: RESPONSES_LEVELS, requestBody, step: options.step });
}

/** The header line of the /v1/responses rows. */
export function responsesSetupLine(): string {
  return (
    `/v1/responses (master key, store: false): direct to the upstream's Responses endpoint vs native (openai/… deployment) ` +
    `vs translated (hosted_vllm/… deployment, chat path); ${ROUNDS} interleaved rounds each, pooled: ` +
    `${RESPONSES_LEVELS.map((level) => `${level.count} at c=${level.concurrency}`).join(', ')}; ` +
    `streams: 30 response.output_text.delta events (translated: 30 OpenAI chunks); both rows of a scenario share the direct columns`
  );
}

/** Whether the native passthrough adds no more than the translation at c=1 (p50 and p99), per scenario. */
export function responsesVerdict(rows: readonly ResponsesRow[]): string {
  const atOne = rows.filter((row) => row.concurrency === 1);
  const added = (row: ResponsesRow) => ({ p50: row.through.p50 - row.direct.p50, p99: row.through.p99 - row.direct.p99 });
  const pairs = [...new Set(atOne.map((row) => row.scenario))].map((scenario) => {
    const native = atOne.find((row) => row.scenario === scenario && row.path === 'native')!;
    const translated = atOne.find((row) => row.scenario === scenario && row.path === 'translated')!;
    return { scenario, native: added(native), translated: added(translated) };
  });
  const met = pairs.every((pair) => pair.native.p50 <= pair.translated.p50 && pair.native.p99 <= pair.translated.p99);
  const detail = pairs
    .map(
      (pair) =>
        `${pair.scenario} native +${pair.native.p50.toFixed(3)} / +${pair.native.p99.toFixed(3)} ms, ` +
        `translated +${pair.translated.p50.toFixed(3)} / +${pair.translated.p99.toFixed(3)} ms`,
    )
    .join('; ');
  return `verdict: goal (/v1/responses at c=1, master key: the native passthrough adds no more than the translation at p50 and p99) ${met ? 'MET' : 'MISSED'}: ${detail}`;
}

function requestBody(model: string, stream: boolean): string {
  return JSON.stringify({ model, input: PROMPT, max_output_tokens: 1024, store: false, ...(stream ? { stream: true } : {}) });
}

/**
 * One real answer of each kind before measuring, and proof of the path taken: the native path
 * hands over the upstream's response id (as the direct call shows it), in the Response and in the
 * stream's response.created; the translation its own, in both.
 */
export async function checkResponsesPaths(direct: Way, paths: Record<ResponsesPath, Way>): Promise<void> {
  const upstreamId = await answer('direct', direct, false);
  const upstreamStreamId = await answer('direct', direct, true);
  for (const [path, way] of Object.entries(paths)) {
    for (const [stream, upstream] of [[false, upstreamId], [true, upstreamStreamId]] as const) {
      const id = await answer(path, way, stream);
      if ((id === upstream) !== (path === 'native')) {
        throw new Error(`/v1/responses ${path} check (stream: ${stream}): response id ${id}, the upstream's is ${upstream}: not the ${path} path`);
      }
    }
  }
}

/** One request; its Response's id (or the id in the stream's response.created), after checking it is a whole answer. */
async function answer(label: string, way: Way, stream: boolean): Promise<string> {
  const response = await fetch(way.target.url, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    method: 'POST',
    headers: { ...way.target.headers, 'content-type': 'application/json' },
    body: requestBody(way.model, stream),
  });
  const text = await response.text();
  const expected = stream ? 'event: response.completed' : '"object":"response"';
  if (response.status !== 200 || !text.includes(expected)) {
    throw new Error(`/v1/responses ${label} check (stream: ${stream}) failed: ${response.status} ${text.slice(0, 300)}`);
  }
  if (!stream) return String((JSON.parse(text) as { id?: unknown }).id);
  const deltas = text.split('event: response.output_text.delta').length - 1;
  if (deltas < 25) throw new Error(`/v1/responses ${label} check: ${deltas} response.output_text.delta events, expected about 30`);
  const created = text.split('\n\n').find((block) => block.startsWith('event: response.created\n'));
  const data = created?.split('\n').find((line) => line.startsWith('data: '));
  if (!data) throw new Error(`/v1/responses ${label} check: no response.created event in ${text.slice(0, 300)}`);
  return String((JSON.parse(data.slice('data: '.length)) as { response?: { id?: unknown } }).response?.id);
}
