// Exact decimal money. Amounts are bigint counts of 1e-18 USD ("atto-dollars"), so sums and
// products never pass through binary floating point (DESIGN §3: money is a decimal string).

export const SCALE = 18;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

export type Atto = bigint;

/** Parses a decimal string ("12.5", "-0.003") into atto-dollars; undefined when malformed or finer than 1e-18. */
export function parseDecimal(text: string): Atto | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const frac = m[3] ?? "";
  if (frac.length > SCALE) return undefined;
  const units = BigInt(m[2] as string) * FACTOR + BigInt(frac.padEnd(SCALE, "0") || "0");
  return m[1] === "-" ? -units : units;
}

/** Formats atto-dollars as the shortest exact decimal string ("12.5", "0", "-0.003"). */
export function formatDecimal(units: Atto): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(SCALE, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/** Divides with round-half-to-even, so repeated rounding does not drift in one direction. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  if (denominator < 0n) return divRound(-numerator, -denominator);
  const q = numerator / denominator;
  const r = numerator % denominator;
  const twice = 2n * (r < 0n ? -r : r);
  if (twice < denominator) return q;
  const away = numerator < 0n ? q - 1n : q + 1n;
  if (twice > denominator) return away;
  return q % 2n === 0n ? q : away;
}

/** a x b where both are atto-scaled decimals (a price times a multiplier). */
export function mulDecimal(a: Atto, b: Atto): Atto {
  // Times exactly 1 (the usual rate multiplier) is a itself: skip the bigint division.
  if (b === FACTOR) return a;
  return divRound(a * b, FACTOR);
}

/** tokens x (USD per million tokens) -> USD, in atto-dollars. */
export function tokenCost(tokens: bigint | number, perMillion: Atto): Atto {
  // Most requests have no cache tokens of one kind or both: priced on every request, twice.
  // biome-ignore lint/suspicious/noDoubleEquals: 0 == 0n, for both representations.
  if (tokens == 0) return 0n;
  return divRound(BigInt(tokens) * perMillion, 1_000_000n);
}
