/** One Server-Sent Event, as the provider framed it. */
export interface SseEvent {
  /** The `event:` field, when the provider names its events (Anthropic does). */
  event?: string;
  /** The `data:` lines of the event, joined by newlines. */
  data: string;
}

/**
 * Splits a byte stream into SSE events as the bytes arrive (never waits for the
 * whole body), yielding the events completed by each read together, so the gateway
 * can forward them in one write. Written once for every SSE provider; comment lines
 * (`: …`) and `id:`/`retry:` fields are dropped.
 */
export async function* decodeSseBatches(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent[]> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    const events: SseEvent[] = [];
    let boundary = findEventBoundary(buffer);
    while (boundary !== undefined) {
      const event = parseEventBlock(buffer.slice(0, boundary.start));
      buffer = buffer.slice(boundary.end);
      if (event) events.push(event);
      boundary = findEventBoundary(buffer);
    }
    if (events.length > 0) yield events;
  }
  buffer += decoder.decode();
  const last = parseEventBlock(buffer);
  if (last) yield [last];
}

/** The same events one at a time. */
export async function* decodeSseStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  for await (const events of decodeSseBatches(body)) yield* events;
}

/** An event ends at a blank line: two line endings in a row, each `\r\n`, `\n` or `\r`, mixed as they come. */
const EVENT_BOUNDARY = /(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)/;

function findEventBoundary(buffer: string): { start: number; end: number } | undefined {
  const match = EVENT_BOUNDARY.exec(buffer);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
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
