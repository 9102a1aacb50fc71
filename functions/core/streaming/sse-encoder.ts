/** The SSE text the gateway writes to clients, in OpenAI's framing. */

export function encodeSseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';

/** A comment line: ignored by SSE clients, but it resets idle timers on proxies and load balancers. */
export const SSE_KEEP_ALIVE = ': keep-alive\n\n';
