import { UpstreamResponseTooLargeError } from '../errors.js';

/** One Server-Sent Event, as the provider framed it. */
export interface SseEvent {
  /** The `event:` field, when the provider names its events (Anthropic does). */
  event?: string;
  /** The `data:` lines of the event, joined by newlines. */
  data: string;
}

/** Used when the caller names no limit: `general_settings.max_upstream_response_mb`'s default. */
export const DEFAULT_MAX_SSE_EVENT_BYTES = 32 * 1024 * 1024;

export interface SseDecodeOptions {
  /**
   * The longest one event may grow (counted in characters, which never outnumber its bytes) before
   * the stream fails with UpstreamResponseTooLargeError: an event that never ends must not fill memory.
   */
  maxEventBytes?: number;
}

/**
 * Splits a byte stream into SSE events as the bytes arrive (never waits for the
 * whole body), yielding the events completed by each read together, so the gateway
 * can forward them in one write. Written once for every SSE provider; comment lines
 * (`: …`) and `id:`/`retry:` fields are dropped.
 */
export async function* decodeSseBatches(body: AsyncIterable<Uint8Array>, options: SseDecodeOptions = {}): AsyncGenerator<SseEvent[]> {
  const decoder = new TextDecoder();
  const splitter = new SseEventSplitter(options.maxEventBytes ?? DEFAULT_MAX_SSE_EVENT_BYTES);
  for await (const bytes of body) {
    const events = parseBlocks(splitter.push(decoder.decode(bytes, { stream: true })));
    if (events.length > 0) yield events;
  }
  const events = parseBlocks([...splitter.push(decoder.decode()), splitter.end()]);
  if (events.length > 0) yield events;
}

/** The same events one at a time. */
export async function* decodeSseStream(body: AsyncIterable<Uint8Array>, options: SseDecodeOptions = {}): AsyncGenerator<SseEvent> {
  for await (const events of decodeSseBatches(body, options)) yield* events;
}

/** An event ends at a blank line: two line endings in a row, each `\r\n`, `\n` or `\r`, mixed as they come. */
const EVENT_BOUNDARY = /(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)/g;

/**
 * A boundary not found in what came before must take at least one new character, and is at most
 * four long (`\r\n\r\n`): so it begins at most three characters before the new text.
 */
const BOUNDARY_LOOKBACK_CHARS = 3;

/**
 * Cuts text into event blocks (each without its blank line) as reads bring it, in time linear in
 * the stream's length: each read is searched once, with the few characters before it that could
 * begin a boundary, and an unfinished event is kept as its pieces, joined once when it completes.
 */
export class SseEventSplitter {
  /** Characters searched for boundaries so far (the stream's length plus a few per read): the work done. */
  scannedChars = 0;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(private readonly maxEventChars: number) {}

  /** The blocks that `text` completes, in order. */
  push(text: string): string[] {
    if (text === '') return [];
    const carried = this.lastPendingChars(BOUNDARY_LOOKBACK_CHARS);
    const window = carried + text;
    this.scannedChars += window.length;
    const blocks: string[] = [];
    let consumed = 0;
    EVENT_BOUNDARY.lastIndex = 0;
    for (let match = EVENT_BOUNDARY.exec(window); match !== null; match = EVENT_BOUNDARY.exec(window)) {
      let block = window.slice(consumed, match.index);
      if (blocks.length === 0) {
        // The first boundary completes the pending event, which may even end inside the carried characters.
        const pending = this.pending.join('');
        block = pending.slice(0, pending.length - carried.length) + block;
        this.pending = [];
        this.pendingChars = 0;
      }
      this.requireWithinLimit(block.length);
      blocks.push(block);
      consumed = match.index + match[0].length;
    }
    if (blocks.length === 0) {
      this.pending.push(text);
      this.pendingChars += text.length;
    } else {
      const rest = window.slice(consumed);
      if (rest !== '') this.pending.push(rest);
      this.pendingChars = rest.length;
    }
    this.requireWithinLimit(this.pendingChars);
    return blocks;
  }

  /** What is left when the stream ends: the last event, when it had no blank line after it. */
  end(): string {
    const rest = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    return rest;
  }

  private lastPendingChars(count: number): string {
    let text = '';
    for (let index = this.pending.length - 1; index >= 0 && text.length < count; index--) text = this.pending[index]! + text;
    return text.slice(-count);
  }

  private requireWithinLimit(chars: number): void {
    if (chars > this.maxEventChars) throw new UpstreamResponseTooLargeError(this.maxEventChars, 'streamed event');
  }
}

function parseBlocks(blocks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of blocks) {
    const event = parseEventBlock(block);
    if (event) events.push(event);
  }
  return events;
}

function parseEventBlock(block: string): SseEvent | undefined {
  if (block.trim() === '') return undefined;
  let eventName: string | undefined;
  const dataLines: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventName = value;
  }
  if (dataLines.length === 0) return undefined;
  return eventName === undefined ? { data: dataLines.join('\n') } : { event: eventName, data: dataLines.join('\n') };
}
