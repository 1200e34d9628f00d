// Reads a stream through `start`, whose work for one item settles later (ReportUsage: a batch is
// applied, then acked once its billing is published), with up to `maxInFlight` items started and not
// yet answered. Results are yielded in input order as they settle, so one stream keeps several batches
// in the ingest queue (where they group with other streams' batches) instead of one at a time. The
// first error, of a result or of the input, ends the output after the results before it.

export async function* pipelined<T, R>(
  items: AsyncIterable<T>,
  start: (item: T) => Promise<R>,
  maxInFlight: number,
): AsyncGenerator<R> {
  const started: Promise<R>[] = [];
  let finished = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  const pump = (async () => {
    try {
      for await (const item of items) {
        while (started.length >= maxInFlight && !stopped) {
          await new Promise<void>((resolve) => {
            wakeReader = resolve;
          });
        }
        if (stopped) break;
        const result = start(item);
        // Awaited in order below; this only keeps an early rejection from counting as unhandled.
        result.catch(() => {});
        started.push(result);
        wakeWriter?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      wakeWriter?.();
    }
  })();
  try {
    for (;;) {
      const next = started[0];
      if (next) {
        const value = await next;
        started.shift();
        wakeReader?.();
        yield value;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => {
        wakeWriter = resolve;
      });
    }
  } finally {
    stopped = true;
    wakeReader?.();
  }
  await pump;
  if (failure) throw failure.error;
}
