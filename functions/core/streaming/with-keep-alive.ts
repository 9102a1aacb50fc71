/**
 * Passes `source` through, and yields `comment` whenever `source` stays silent for
 * `intervalMs` (a model thinking, or generating tool arguments), so that idle timeouts
 * between the client and the gateway do not cut a healthy stream.
 */
export async function* withKeepAlive(source: AsyncIterable<string>, intervalMs: number, comment: string): AsyncGenerator<string> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<string>> | undefined;
  try {
    pending = iterator.next();
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<'idle'>((resolve) => {
        timer = setTimeout(resolve, intervalMs, 'idle');
      });
      const outcome = await Promise.race([pending, idle]);
      clearTimeout(timer);
      if (outcome === 'idle') {
        yield comment;
        continue;
      }
      if (outcome.done) {
        pending = undefined;
        return;
      }
      yield outcome.value;
      pending = iterator.next();
    }
  } finally {
    if (pending) {
      // The consumer stopped early (client gone) while a read was in flight. Its
      // upstream is aborted by the request signal, which settles that read; do not
      // wait for it here, and do not let its rejection go unhandled.
      pending.catch(() => undefined);
      void iterator.return?.()?.catch(() => undefined);
    }
  }
}
