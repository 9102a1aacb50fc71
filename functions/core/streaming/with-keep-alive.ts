/**
 * Passes `source` through, and yields `comment` whenever `source` stays silent for
 * `intervalMs` (a model thinking, or generating tool arguments), so that idle timeouts
 * between the client and the gateway do not cut a healthy stream. One timer per
 * stream, re-armed on every piece (`refresh`), keeps the per-chunk cost low.
 */
export async function* withKeepAlive(source: AsyncIterable<string>, intervalMs: number, comment: string): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]();
  let signalIdle: (value: 'idle') => void = () => undefined;
  let fired = false;
  const nextIdle = () => new Promise<'idle'>((resolve) => (signalIdle = resolve));
  let idle = nextIdle();
  const timer = setTimeout(() => {
    fired = true;
    signalIdle('idle');
  }, intervalMs);
  // Silence is measured from when the next value is asked for, so a slow reader does not count as a silent source.
  const rearm = () => {
    if (fired) {
      fired = false;
      idle = nextIdle();
    }
    timer.refresh();
  };
  let pending: Promise<IteratorResult<string>> | undefined;
  try {
    pending = iterator.next();
    for (;;) {
      const outcome = await Promise.race([pending, idle]);
      if (outcome === 'idle') {
        yield comment;
        rearm();
        continue;
      }
      if (outcome.done) {
        pending = undefined;
        return;
      }
      yield outcome.value;
      rearm();
      pending = iterator.next();
    }
  } finally {
    clearTimeout(timer);
    if (pending) {
      // The consumer stopped early (client gone) while a read was in flight. Its
      // upstream is aborted by the request signal, which settles that read; do not
      // wait for it here, and do not let its rejection go unhandled.
      pending.catch(() => undefined);
      void iterator.return?.()?.catch(() => undefined);
    }
  }
}
