import { parseDecimal } from "../../../common/money.js";

// The quota bar of an API key: used / limit, exact decimals in, a display fraction out.

export interface QuotaUse {
  /** False when the quota is "0" (unlimited) or unreadable. */
  limited: boolean;
  /** used / limit clamped to [0, 1], to 1/10000. */
  fraction: number;
  exhausted: boolean;
}

export function quotaUse(quotaUsd: string, usedUsd: string): QuotaUse {
  const limit = parseDecimal(quotaUsd || "0");
  const used = parseDecimal(usedUsd || "0") ?? 0n;
  if (limit === undefined || limit <= 0n) return { limited: false, fraction: 0, exhausted: false };
  const clamped = used < 0n ? 0n : used > limit ? limit : used;
  return { limited: true, fraction: Number((clamped * 10_000n) / limit) / 10_000, exhausted: used >= limit };
}
