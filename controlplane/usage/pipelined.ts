// Reads a stream one item at a time through `start`, whose work for one item ends in a promise that may
// settle later (ReportUsage: a batch is applied, then acked once its billing is published). Results are
// yielded in input order as they settle, while later items are already being started, so one stream's
// throughput is not bounded by the wait before each result. An error of `start` or of the input ends
// the output after the results already started.

/** A started item: `result` settles when its work is done. Wrapped, because an async function flattens promises. */
export interface Started<R> {
  result: Promise<R>;
}

export async function* pipelined<T, R>(
  items: AsyncIterable<T>,
  start: (item: T) => Promise<Started<R>>,
): AsyncGenerator<R> {
  const started: Promise<R>[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const pump = (async () => {
    try {
      for await (const item of items) {
        const { result } = await start(item);
        // Awaited in order below; this only keeps an early rejection from counting as unhandled.
        result.catch(() => {});
        started.push(result);
        notify();
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      notify();
    }
  })();
  for (;;) {
    const next = started.shift();
    if (next) {
      yield await next;
      continue;
    }
    if (finished) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }
  await pump;
  if (failure) throw failure.error;
}
