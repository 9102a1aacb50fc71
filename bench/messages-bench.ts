/**
 * The `/v1/messages` rows of `npm run bench`: does the passthrough add no more than the translation?
 *
 * The same Anthropic Messages request (master key, as Claude Code sends it: `x-api-key`,
 * `anthropic-version`) goes three ways:
 * - direct: straight to the bench upstream's Anthropic endpoint (the baseline of both rows);
 * - passthrough: through the gateway to `bench-claude`, an `anthropic/…` deployment on that
 *   endpoint (anthropic-passthrough.ts: the body and every event relayed as the provider sent them);
 * - translated: through the gateway to `bench`, an `openai/…` deployment on the upstream's chat
 *   endpoint (Anthropic → OpenAI → Anthropic, anthropic-messages.ts).
 * Non-streaming, until the whole body is read; streaming, until the first body byte (the upstream
 * streams 30 text deltas either way). The three run in rounds, in a rotating order, and each
 * path's rounds are pooled, so a drift of the machine's load over the run touches all three alike.
 */
import { measurePaths, ROUNDS, type PathBenchOptions, type PathRow, type Way } from './interleaved.js';

/** Fewer requests than the chat rows: three paths each, and the whole bench must stay within its deadline. */
export const MESSAGES_LEVELS = [
  { concurrency: 1, count: 3_000 },
  { concurrency: 32, count: 6_000 },
];
const SCENARIOS = [
  { name: 'messages non-streaming', stream: false, firstByte: false },
  { name: 'messages streaming TTFB', stream: true, firstByte: true },
];
const PROMPT = 'Invent a new holiday and describe its traditions.';
const ANTHROPIC_VERSION = '2023-06-01';
const FETCH_TIMEOUT_MS = 15_000;

export type MessagesPath = 'passthrough' | 'translated';

export type MessagesRow = PathRow<MessagesPath>;

export type MessagesBenchOptions = PathBenchOptions;

export async function runMessagesBench(options: MessagesBenchOptions): Promise<MessagesRow[]> {
  const anthropicHeaders = (key: string) => ({ 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION });
  const direct = { target: { url: `${options.upstreamBase}/messages`, headers: anthropicHeaders(options.providerKey) }, model: 'claude-sonnet-4-5' };
  const gateway = { url: `${options.gatewayBase}/v1/messages`, headers: anthropicHeaders(options.masterKey) };
  const paths: Record<MessagesPath, Way> = {
    passthrough: { target: gateway, model: 'bench-claude' },
    translated: { target: gateway, model: 'bench' },
  };
  options.step('checking /v1/messages: passthrough and translated');
  await checkPaths(direct, paths);

  return measurePaths({ direct, paths, scenarios: SCENARIOS, levels: MESSAGES_LEVELS, requestBody, step: options.step });
}

/** The header line of the /v1/messages rows. */
export function messagesSetupLine(): string {
  return (
    `/v1/messages (master key, x-api-key): direct to the upstream's Anthropic endpoint vs passthrough (anthropic/… deployment) ` +
    `vs translated (openai/… deployment); ${ROUNDS} interleaved rounds each, pooled: ` +
    `${MESSAGES_LEVELS.map((level) => `${level.count} at c=${level.concurrency}`).join(', ')}; ` +
    `streams: 30 content_block_delta events (translated: 30 OpenAI chunks); both rows of a scenario share the direct columns`
  );
}

/** Whether the passthrough adds no more than the translation at c=1 (p50 and p99), per scenario. */
export function messagesVerdict(rows: readonly MessagesRow[]): string {
  const atOne = rows.filter((row) => row.concurrency === 1);
  const added = (row: MessagesRow) => ({ p50: row.through.p50 - row.direct.p50, p99: row.through.p99 - row.direct.p99 });
  const pairs = [...new Set(atOne.map((row) => row.scenario))].map((scenario) => {
    const passthrough = atOne.find((row) => row.scenario === scenario && row.path === 'passthrough')!;
    const translated = atOne.find((row) => row.scenario === scenario && row.path === 'translated')!;
    return { scenario, passthrough: added(passthrough), translated: added(translated) };
  });
  const met = pairs.every((pair) => pair.passthrough.p50 <= pair.translated.p50 && pair.passthrough.p99 <= pair.translated.p99);
  const detail = pairs
    .map(
      (pair) =>
        `${pair.scenario} passthrough +${pair.passthrough.p50.toFixed(3)} / +${pair.passthrough.p99.toFixed(3)} ms, ` +
        `translated +${pair.translated.p50.toFixed(3)} / +${pair.translated.p99.toFixed(3)} ms`,
    )
    .join('; ');
  return `verdict: goal (/v1/messages at c=1, master key: the passthrough adds no more than the translation at p50 and p99) ${met ? 'MET' : 'MISSED'}: ${detail}`;
}

function requestBody(model: string, stream: boolean): string {
  return JSON.stringify({ model, max_tokens: 1024, messages: [{ role: 'user', content: PROMPT }], ...(stream ? { stream: true } : {}) });
}

/**
 * One real answer of each kind before measuring, and proof of the path taken: the passthrough
 * hands over the upstream's message id (as the direct call shows it), the translation its own.
 */
async function checkPaths(direct: Way, paths: Record<MessagesPath, Way>): Promise<void> {
  const upstreamId = (await answer('direct', direct, false)).id;
  for (const [path, way] of Object.entries(paths)) {
    const { id } = await answer(path, way, false);
    if ((id === upstreamId) !== (path === 'passthrough')) {
      throw new Error(`/v1/messages ${path} check: message id ${id}, the upstream's is ${upstreamId}: not the ${path} path`);
    }
    await answer(path, way, true);
  }
}

async function answer(label: string, way: Way, stream: boolean): Promise<{ id: string }> {
  const response = await fetch(way.target.url, {
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    method: 'POST',
    headers: { ...way.target.headers, 'content-type': 'application/json' },
    body: requestBody(way.model, stream),
  });
  const text = await response.text();
  const expected = stream ? 'event: message_stop' : '"type":"message"';
  if (response.status !== 200 || !text.includes(expected)) {
    throw new Error(`/v1/messages ${label} check (stream: ${stream}) failed: ${response.status} ${text.slice(0, 300)}`);
  }
  const deltas = text.split('event: content_block_delta').length - 1;
  if (stream && deltas < 25) throw new Error(`/v1/messages ${label} check: ${deltas} content_block_delta events, expected about 30`);
  return { id: stream ? '' : String((JSON.parse(text) as { id?: unknown }).id) };
}
