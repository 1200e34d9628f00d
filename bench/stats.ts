// Percentiles and summaries of measured samples. Nearest-rank percentiles: every reported value is a
// sample that was really observed, never an interpolation between two.

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The p-th percentile (0-100) of ascending-sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** The median of a few repeated measurements (microbenchmark rounds). */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** The item with the median figure (the lower of the middle two for an even count): a run's median round. */
export function medianBy<T>(items: readonly T[], figure: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => figure(a) - figure(b));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (middle === undefined) throw new RangeError("medianBy needs at least one item");
  return middle;
}

/** Median µs per call over rounds, after a warm-up (JIT and caches settled). */
export function timePerCall(run: () => unknown, calls: number, rounds: number): number {
  for (let i = 0; i < calls; i++) run();
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) run();
    perRound.push(Number(process.hrtime.bigint() - start) / 1000 / calls);
  }
  return median(perRound);
}

/**
 * Two contenders' rounds compared pair by pair: round i of each ran in the same pass over the
 * contenders, at the same moment of the machine, so each pair's `compare` is freer of the machine's
 * drift than the medians taken apart. Rounds missing on either side are left out. With an even number
 * of pairs the median is the midpoint of the middle two (not a sample, unlike median()): the lower
 * one read two identical data planes as 0.96x apart over eight rounds.
 */
export function pairedMedian(
  mine: readonly number[],
  theirs: readonly number[],
  compare: (mine: number, theirs: number) => number,
): { pairs: number[]; median: number } {
  const pairs: number[] = [];
  const count = Math.min(mine.length, theirs.length);
  for (let i = 0; i < count; i++) pairs.push(compare(mine[i] as number, theirs[i] as number));
  const sorted = [...pairs].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return { pairs, median: Number.NaN };
  if (sorted.length % 2 === 1) return { pairs, median: sorted[middle] as number };
  return { pairs, median: ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2 };
}
